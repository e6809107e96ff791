"""Differential tests against opentelemetry-python 1.45 and its propagator
packages (b3, jaeger, ot-trace, aws-xray).

Each case runs the same headers through the peer and through traceprop.
``SAME``: the peer follows SEMANTICS.md and we must give its answer.
``Differ(ours, reason)``: the peer deviates from SEMANTICS.md; the test checks
that we give ``ours`` and that the peer really gives something else (so a
peer release that changes behaviour shows up here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pytest

from . import peers

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
T64 = "a3ce929d0e0e4736"
XR = "5759e988bd862e3fe1be46a994272793"
XROOT = "1-5759e988-bd862e3fe1be46a994272793"
XP = "53995c3f42cd8ad8"


@dataclass(frozen=True)
class Differ:
    ours: Optional[tuple[str, str, bool]]
    reason: str


SAME = None

# (name, format, headers, expectation); ids compared as (trace hex, span hex, sampled).
EXTRACT: list[tuple[str, str, dict[str, str], Optional[Differ]]] = [
    ("tc-valid", "tracecontext", {"traceparent": f"00-{T}-{S}-01"}, SAME),
    ("tc-unsampled", "tracecontext", {"traceparent": f"00-{T}-{S}-00"}, SAME),
    ("tc-uppercase", "tracecontext", {"traceparent": f"00-{T.upper()}-{S}-01"}, SAME),
    ("tc-zero-trace", "tracecontext", {"traceparent": f"00-{'0' * 32}-{S}-01"}, SAME),
    ("tc-version-ff", "tracecontext", {"traceparent": f"ff-{T}-{S}-01"}, SAME),
    ("tc-future-version", "tracecontext", {"traceparent": f"cc-{T}-{S}-01-extra"}, SAME),
    ("tc-v00-trailing", "tracecontext", {"traceparent": f"00-{T}-{S}-01-"}, SAME),
    ("tc-ows", "tracecontext", {"traceparent": f" \t00-{T}-{S}-01 "}, SAME),
    ("tc-short-trace", "tracecontext", {"traceparent": f"00-{T[1:]}-{S}-01"}, SAME),
    ("b3-single", "b3", {"b3": f"{T}-{S}-1"}, SAME),
    ("b3-single-64", "b3", {"b3": f"{T64}-{S}-0"}, SAME),
    ("b3-single-debug", "b3", {"b3": f"{T}-{S}-d"}, SAME),
    ("b3-single-with-parent", "b3", {"b3": f"{T}-{S}-1-{S}"}, SAME),
    ("b3-sampling-only", "b3", {"b3": "0"}, SAME),
    (
        "b3-single-deferred",
        "b3",
        {"b3": f"{T}-{S}"},
        Differ((T, S, False), "SEMANTICS §3: absent sampling is deferred (null, written as not sampled); OTel Python samples it"),
    ),
    ("b3-multi", "b3multi", {"x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "1"}, SAME),
    ("b3-multi-flags-debug", "b3multi", {"x-b3-traceid": T, "x-b3-spanid": S, "x-b3-flags": "1"}, SAME),
    ("b3-multi-true", "b3multi", {"x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "true"}, SAME),
    (
        "b3-multi-uppercase",
        "b3multi",
        {"x-b3-traceid": T.upper(), "x-b3-spanid": S, "x-b3-sampled": "1"},
        Differ(None, "SEMANTICS §3: ids lowercase only; OTel Python lower-cases and accepts"),
    ),
    (
        "b3-multi-sampled-d",
        "b3multi",
        {"x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "d"},
        Differ(None, "SEMANTICS §3: X-B3-Sampled accepts 1/0/true/false only, anything else fails; OTel Python reads d as sampled"),
    ),
    ("b3-single-wins", "b3multi", {"b3": f"{T}-{S}-1", "x-b3-traceid": XR, "x-b3-spanid": XP}, SAME),
    ("jaeger", "jaeger", {"uber-trace-id": f"{T}:{S}:0:1"}, SAME),
    ("jaeger-unsampled", "jaeger", {"uber-trace-id": f"{T}:{S}:0:0"}, SAME),
    ("jaeger-short-ids", "jaeger", {"uber-trace-id": "abc:def:0:1"}, SAME),
    (
        "jaeger-percent-encoded",
        "jaeger",
        {"uber-trace-id": f"{T}%3A{S}%3A0%3A1"},
        Differ((T, S, True), "SEMANTICS §4: a value with %3A separators is percent-decoded first; OTel Python rejects it"),
    ),
    ("jaeger-bad-flags", "jaeger", {"uber-trace-id": f"{T}:{S}:0:wired"}, SAME),
    ("ot", "ottrace", {"ot-tracer-traceid": T64, "ot-tracer-spanid": S, "ot-tracer-sampled": "true"}, SAME),
    ("ot-128", "ottrace", {"ot-tracer-traceid": T, "ot-tracer-spanid": S, "ot-tracer-sampled": "false"}, SAME),
    ("xray", "xray", {"x-amzn-trace-id": f"Root={XROOT};Parent={XP};Sampled=1"}, SAME),
    ("xray-no-sampled", "xray", {"x-amzn-trace-id": f"Root={XROOT};Parent={XP}"}, SAME),
    ("xray-ows", "xray", {"x-amzn-trace-id": f"Root={XROOT}; Parent={XP}; Sampled=1"}, SAME),
    ("xray-lineage", "xray", {"x-amzn-trace-id": f"Root={XROOT};Parent={XP};Sampled=1;Lineage=a87bd80c:1|68fd508a:5"}, SAME),
    (
        "xray-sampled-deferred",
        "xray",
        {"x-amzn-trace-id": f"Root={XROOT};Parent={XP};Sampled=?"},
        Differ((XR, XP, False), "SEMANTICS §7: Sampled=? is a deferred decision, the context is kept; OTel Python rejects it"),
    ),
    ("xray-root-only", "xray", {"x-amzn-trace-id": f"Root={XROOT}"}, SAME),
]


@pytest.mark.parametrize(("name", "fmt", "headers", "expect"), EXTRACT, ids=[c[0] for c in EXTRACT])
def test_extract(name: str, fmt: str, headers: dict[str, str], expect: Optional[Differ]) -> None:
    peer = peers.otel_extract(fmt, headers)
    ours = peers.ours_extract(fmt, headers)
    if expect is SAME:
        assert ours == peer, f"{name}: ours {ours}, OpenTelemetry {peer}"
    else:
        assert ours == expect.ours, f"{name}: ours {ours}, want {expect.ours} ({expect.reason})"
        assert peer != ours, f"{name}: OpenTelemetry now agrees with us; make the case SAME"


INJECT: list[tuple[str, str, str, str, bool, Optional[dict[str, str]]]] = [
    # (name, format, trace id, span id, sampled, ours when the peer differs)
    ("tc", "tracecontext", T, S, True, None),
    ("tc-unsampled", "tracecontext", T, S, False, None),
    ("b3-single", "b3", T, S, True, None),
    ("b3-multi", "b3multi", T, S, False, None),
    (
        "jaeger-sampled",
        "jaeger",
        T,
        S,
        True,
        # SEMANTICS §4: `{32hex}:{16hex}:0:1`, the spelling every peer parses
        # alike; OTel Python writes a 16-zero parent and flags 03 (debug on
        # every sampled span).
        {"uber-trace-id": f"{T}:{S}:0:1"},
    ),
    ("jaeger-unsampled", "jaeger", T, S, False, {"uber-trace-id": f"{T}:{S}:0:0"}),
    (
        "ot-leading-zero-span",
        "ottrace",
        T,
        S,
        True,
        # SEMANTICS §5: span id as 16 hex, zero-padded; OTel Python drops the
        # leading zeros (`hex(x)[2:]`).
        {"ot-tracer-traceid": T64, "ot-tracer-spanid": S, "ot-tracer-sampled": "true"},
    ),
    ("ot", "ottrace", T, "10f067aa0ba902b7", False, None),
    ("xray", "xray", XR, XP, True, None),
    ("xray-unsampled", "xray", XR, XP, False, None),
]


@pytest.mark.parametrize(("name", "fmt", "tid", "sid", "sampled", "differ"), INJECT, ids=[c[0] for c in INJECT])
def test_inject(name: str, fmt: str, tid: str, sid: str, sampled: bool, differ: Optional[dict[str, str]]) -> None:
    import traceprop

    peer = peers.otel_inject(fmt, tid, sid, sampled)
    ours = traceprop.inject(traceprop.Context(tid, sid, sampled), fmt)
    if differ is None:
        assert ours == peer
    else:
        assert ours == differ
        assert peer != ours, f"{name}: OpenTelemetry now agrees with us"


BAGGAGE_EXTRACT: list[tuple[str, str, Optional[tuple[dict[str, str], str]]]] = [
    ("simple", "userId=alice,serverNode=DF%2028", None),
    ("ows", " k1 = v1 , k2=v2 ", None),
    ("bad-member-dropped-alone", "k1=v1,bad key=1,k3=v3", None),
    ("empty-value", "k=", None),
    (
        "plus-is-literal",
        "k=a+b",
        ({"k": "a+b"}, "SEMANTICS §2: RFC 3986 decoding, `+` stays a plus; OTel Python uses unquote_plus (space)"),
    ),
    (
        "properties",
        "k=v;p1;p2=x",
        ({"k": "v"}, "SEMANTICS §2: properties are kept apart from the value; OTel Python keeps `v;p1;p2=x` as the value"),
    ),
]


def ours_baggage(header: str) -> dict[str, str]:
    import traceprop

    return {m.key: m.value for m in traceprop.extract_all({"baggage": header}, "baggage").baggage}


@pytest.mark.parametrize(("name", "header", "differ"), BAGGAGE_EXTRACT, ids=[c[0] for c in BAGGAGE_EXTRACT])
def test_baggage_extract(name: str, header: str, differ: Optional[tuple[dict[str, str], str]]) -> None:
    peer = peers.otel_baggage_extract(header)
    ours = ours_baggage(header)
    if differ is None:
        assert ours == peer
    else:
        assert ours == differ[0], differ[1]
        assert peer != ours, f"{name}: OpenTelemetry now agrees with us"


def test_baggage_inject() -> None:
    import traceprop

    entries = {"user": "alice", "n": "42"}
    assert traceprop.inject(traceprop.Context(None, None, baggage=entries), "baggage") == peers.otel_baggage_inject(entries)
    # SEMANTICS §2: a space is written %20 (every peer decodes it the same);
    # OTel Python writes `+`, which RFC 3986 decoders read as a plus.
    spaced = {"user": "alice smith"}
    assert traceprop.inject(traceprop.Context(None, None, baggage=spaced), "baggage") == {"baggage": "user=alice%20smith"}
    assert peers.otel_baggage_inject(spaced) == {"baggage": "user=alice+smith"}


def test_round_trip_through_otel_propagator_agrees() -> None:
    """What OTel's tracecontext propagator injects, we extract, and back."""
    import traceprop

    sent = peers.otel_inject("tracecontext", T, S, True)
    ctx = traceprop.extract(sent, "tracecontext")
    assert ctx is not None
    assert peers.otel_extract("tracecontext", traceprop.inject(ctx, "tracecontext")) == (T, S, True)




TRACESTATE: list[tuple[str, list[str], Optional[tuple[Optional[str], str]]]] = [
    ("two-members", ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"], None),
    ("two-lines", ["rojo=1", "congo=2"], None),
    ("ows", ["rojo=1 \t, \t congo=2"], None),
    ("invalid-key-drops-all", ["Rojo=1,congo=2"], None),
    ("33-members-drops-all", [",".join(f"k{i}=v" for i in range(33))], None),
    (
        "duplicate-key",
        ["a=1,b=2,a=3"],
        ("a=1,b=2", "SEMANTICS §1: a duplicate key keeps its first occurrence; OTel Python drops the whole tracestate"),
    ),
    (
        "level2-key-grammar",
        ["foo@@bar=1,bar=2"],
        ("foo@@bar=1,bar=2", "SEMANTICS §1: Level 2 key grammar (`foo@@bar` valid); OTel Python keeps the old tenant@system grammar"),
    ),
]


@pytest.mark.parametrize(("name", "lines", "differ"), TRACESTATE, ids=[c[0] for c in TRACESTATE])
def test_tracestate(name: str, lines: list[str], differ: Optional[tuple[Optional[str], str]]) -> None:
    import traceprop
    from opentelemetry import trace

    tp = f"00-{T}-{S}-01"
    otel_ctx = peers.OTEL["tracecontext"].extract({"traceparent": tp, "tracestate": lines}, getter=peers.GETTER)
    peer = trace.get_current_span(otel_ctx).get_span_context().trace_state.to_header() or None
    ctx = traceprop.extract([("traceparent", tp)] + [("tracestate", line) for line in lines], "tracecontext")
    assert ctx is not None
    if differ is None:
        assert ctx.tracestate == peer
    else:
        assert ctx.tracestate == differ[0], differ[1]
        assert peer != ctx.tracestate, f"{name}: OpenTelemetry now agrees with us"
