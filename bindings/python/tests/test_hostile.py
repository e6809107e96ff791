"""Hostile input never crashes: bad types raise TypeError, bad values
ValueError (TracepropError), and bad header content yields no context."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import traceprop
from traceprop import Config, Context, TracepropError

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
TP = f"00-{T}-{S}-01"


@pytest.mark.parametrize(
    "headers",
    [None, 42, 1.5, "traceparent", b"traceparent", bytearray(b"x"), object(), [1, 2], [("a",)], [("a", "b", "c")], [None]],
)
def test_bad_carriers_raise_type_or_value_error(headers: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        traceprop.extract(headers)


@pytest.mark.parametrize("value", [123, None, 1.5, object(), ["ok", 5], {"a": 1}])
def test_non_string_values_of_read_headers_raise_type_error(value: Any) -> None:
    with pytest.raises(TypeError):
        traceprop.extract({"traceparent": value})


def test_headers_no_format_reads_are_not_inspected() -> None:
    # A framework's non-string extras (e.g. an int content-length) do not matter.
    ctx = traceprop.extract({"content-length": 348, "x-thing": None, "traceparent": TP})
    assert ctx is not None and ctx.trace_id == T


@pytest.mark.parametrize("name", [1, None, ("a",)])
def test_non_string_names_raise_type_error(name: Any) -> None:
    with pytest.raises(TypeError):
        traceprop.extract([(name, TP)])


def test_bytes_and_str_give_the_same_result() -> None:
    a = traceprop.extract([("traceparent", TP), ("baggage", "k=v")])
    b = traceprop.extract([(b"traceparent", TP.encode()), (bytearray(b"baggage"), b"k=v")])
    assert a is not None and b is not None
    assert (a.trace_id, a.baggage) == (b.trace_id, b.baggage)


@pytest.mark.parametrize(
    "value",
    ["\ud800" + TP, TP[:-1] + "\udfff", TP.encode() + b"\xff", b"\xc3\x28", "00-\u0664bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"],
)
def test_surrogates_and_invalid_utf8_are_invalid_not_fatal(value: Any) -> None:
    found = traceprop.extract_all({"traceparent": value})
    assert found.context is None
    assert [p for p, _ in found.rejections] == ["tracecontext"]


def test_surrogate_in_baggage_drops_that_member_only() -> None:
    ctx = traceprop.extract({"traceparent": TP, "baggage": "a=1,b=\udc80x,c=3"})
    assert ctx is not None and [m.key for m in ctx.baggage] == ["a", "c"]


def test_surrogate_in_ignored_header_name() -> None:
    ctx = traceprop.extract({"x-\ud800": "v", "traceparent": TP})
    assert ctx is not None


def test_huge_inputs() -> None:
    mib = "a" * (1 << 20)
    found = traceprop.extract_all({"traceparent": mib, "tracestate": mib, "baggage": mib})
    assert found.context is None and found.baggage == ()
    many = ",".join(f"k{i}=v" for i in range(10_000))
    ctx = traceprop.extract({"traceparent": TP, "baggage": many, "tracestate": many})
    assert ctx is not None
    assert len(ctx.baggage) == 180  # SEMANTICS §2 limit
    assert ctx.tracestate is None and ctx.tracestate_error == "too_many_members"
    lines = [("baggage", f"k{i}=v") for i in range(10_000)] + [("traceparent", TP)]
    ctx = traceprop.extract(lines)
    assert ctx is not None and len(ctx.baggage) == 180
    huge_carrier = {f"x-h{i}": "v" for i in range(100_000)}
    huge_carrier["traceparent"] = TP
    assert traceprop.extract(huge_carrier) is not None


def test_huge_values_into_context() -> None:
    with pytest.raises(TracepropError) as e:
        Context(T, S, baggage={"k": "v" * 10_000})
    assert e.value.kind == "too_long"
    with pytest.raises(TracepropError):
        Context(T, S, tracestate=[(f"k{i}", "v") for i in range(33)])


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: traceprop.extract(), TypeError),
        (lambda: traceprop.inject(), TypeError),
        (lambda: traceprop.inject({"traceparent": TP}), TypeError),
        (lambda: traceprop.inject_into({}), TypeError),
        (lambda: traceprop.extract({}, 5), TypeError),
        (lambda: traceprop.extract({}, "tracecontext", 5), TypeError),
        (lambda: traceprop.extract({}, policy="sideways"), ValueError),
        (lambda: traceprop.extract({}, "bogus"), ValueError),
        (lambda: Context(), TypeError),
        (lambda: Context(T), TypeError),
        (lambda: Context(T, None), ValueError),
        (lambda: Context(T, S, "yes"), TypeError),
        (lambda: Context(T, S, 1), TypeError),
        (lambda: Context(True, S), TypeError),
        (lambda: Context(1.0, S), TypeError),
        (lambda: Context(T, S, baggage="k=v"), TypeError),
        (lambda: Context(T, S, baggage=[("k",)]), TypeError),
        (lambda: Context(T, S, baggage=[(1, 2)]), TypeError),
        (lambda: Context(T, S, tracestate=5), TypeError),
        (lambda: Context(T, S, sampling_priority="1"), TypeError),
        (lambda: traceprop.trace_id_from_datadog(None), TypeError),
        (lambda: traceprop.config_from_env(5), TypeError),
        (lambda: traceprop.config_from_env({"OTEL_PROPAGATORS": 5}), TypeError),
        (lambda: traceprop.span_id_to_hex("\ud800" * 16), ValueError),
    ],
)
def test_bad_arguments(call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


def test_carrier_whose_setitem_fails() -> None:
    class ReadOnly(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: str, value: str) -> None:
            raise RuntimeError("read-only")

    with pytest.raises(RuntimeError):
        traceprop.inject_into(ReadOnly(), Context(T, S, True))


def test_carrier_whose_items_raises() -> None:
    class Broken:
        def items(self) -> Any:
            raise KeyError("boom")

    with pytest.raises(KeyError):
        traceprop.extract(Broken())


def test_threads_share_nothing() -> None:
    from concurrent.futures import ThreadPoolExecutor

    cfg = Config("tracecontext,b3,datadog")

    def one(i: int) -> str:
        tid = f"{i + 1:032x}"
        ctx = cfg.extract({"b3": f"{tid}-{S}-1"})
        assert ctx is not None
        return cfg.inject(ctx)["traceparent"]

    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(one, range(2000)))
    assert out == [f"00-{i + 1:032x}-{S}-01" for i in range(2000)]
