"""Differential tests against ddtrace 4.16's HTTPPropagator (Datadog style).

Compared: 128-bit trace id, span id, sampling priority, origin on extract;
the ``x-datadog-*`` headers on inject. ``SAME`` cases must match; a ``Differ``
case names how and why we differ (SEMANTICS.md) and checks ddtrace still does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pytest

import traceprop

from . import peers

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
LOW = "11803532876627986230"  # low 64 bits of T, decimal
SPAN = "67667974448284343"  # S, decimal
TID = "4bf92f3577b34da6"

Extracted = Optional[tuple[str, str, Optional[int], Optional[str]]]


@dataclass(frozen=True)
class Differ:
    ours: Extracted
    reason: str


SAME = None


def dd(trace: str = LOW, parent: str = SPAN, **extra: str) -> dict[str, str]:
    h = {"x-datadog-trace-id": trace, "x-datadog-parent-id": parent}
    h.update({f"x-datadog-{k.replace('_', '-')}": v for k, v in extra.items()})
    return h


EXTRACT: list[tuple[str, dict[str, str], Optional[Differ]]] = [
    ("valid-64", dd(sampling_priority="1"), SAME),
    ("valid-128-tid", dd(sampling_priority="2", tags=f"_dd.p.tid={TID}"), SAME),
    ("origin", dd(sampling_priority="1", origin="synthetics"), SAME),
    ("reject-priority", dd(sampling_priority="-1"), SAME),
    ("no-priority", dd(), SAME),
    ("zero-trace", dd(trace="0"), SAME),
    ("overflow-trace", dd(trace="18446744073709551616"), SAME),
    ("max-trace", dd(trace="18446744073709551615"), SAME),
    ("non-numeric-parent", dd(parent="abc"), SAME),
    (
        "bad-tid-ignored",
        dd(sampling_priority="1", tags="_dd.p.tid=XYZ"),
        SAME,
    ),
    (
        "signed-trace",
        dd(trace="+123"),
        Differ(None, "SEMANTICS §6: 1-20 ASCII digits, no sign; ddtrace parses with int() and accepts `+123`"),
    ),
    (
        "malformed-priority-keeps-context",
        dd(sampling_priority="high"),
        Differ(
            (f"{int(LOW):032x}", S, None, None),
            "SEMANTICS §0/§6: a malformed optional field is dropped alone; ddtrace drops the whole Datadog context",
        ),
    ),
]


def ours(headers: dict[str, str]) -> Extracted:
    ctx = traceprop.extract(headers, "datadog")
    if ctx is None:
        return None
    return (ctx.trace_id, ctx.span_id, ctx.sampling_priority, ctx.origin)


@pytest.mark.parametrize(("name", "headers", "expect"), EXTRACT, ids=[c[0] for c in EXTRACT])
def test_extract(name: str, headers: dict[str, str], expect: Optional[Differ]) -> None:
    peer = peers.dd_extract(headers)
    got = ours(headers)
    if expect is SAME:
        assert got == peer, f"{name}: ours {got}, ddtrace {peer}"
    else:
        assert got == expect.ours, f"{name}: ours {got}, want {expect.ours} ({expect.reason})"
        assert peer != got, f"{name}: ddtrace now agrees with us; make the case SAME"


INJECT = [
    ("64-bit", f"{int(LOW):032x}", S, 1, None),
    ("128-bit", T, S, 2, "synthetics"),
    ("unsampled", T, S, 0, None),
    ("user-reject", T, S, -1, "rum"),
]


@pytest.mark.parametrize(("name", "tid", "sid", "priority", "origin"), INJECT, ids=[c[0] for c in INJECT])
def test_inject(name: str, tid: str, sid: str, priority: int, origin: Optional[str]) -> None:
    peer = peers.dd_inject(tid, sid, priority, origin)
    ctx = traceprop.Context(tid, sid, priority > 0, sampling_priority=priority, origin=origin)
    assert traceprop.inject(ctx, "datadog") == peer


def test_extract_inject_round_trip_with_ddtrace() -> None:
    sent = peers.dd_inject(T, S, 1, "synthetics")
    ctx = traceprop.extract(sent, "datadog")
    assert ctx is not None and (ctx.trace_id, ctx.span_id, ctx.sampling_priority, ctx.origin) == (T, S, 1, "synthetics")
    assert peers.dd_extract(traceprop.inject(ctx, "datadog")) == (T, S, 1, "synthetics")
