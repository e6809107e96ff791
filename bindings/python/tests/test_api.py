"""The Pythonic API: carriers, the context object, configuration, ids, errors."""

from __future__ import annotations

import email.message
import http.client
import io
import wsgiref.headers
from collections import OrderedDict

import multidict
import pytest

import traceprop
from traceprop import Config, Context, TracepropError

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
TP = f"00-{T}-{S}-01"


def http_message(lines: list[tuple[str, str]]) -> http.client.HTTPMessage:
    raw = "".join(f"{k}: {v}\r\n" for k, v in lines) + "\r\n"
    return http.client.parse_headers(io.BytesIO(raw.encode("latin-1")))


CARRIERS = {
    "dict": lambda lines: dict(lines),
    "list": lambda lines: list(lines),
    "tuple": lambda lines: tuple(lines),
    "ordered": lambda lines: OrderedDict(lines),
    "http.client": http_message,
    "email": lambda lines: _email(lines),
    "wsgiref": lambda lines: wsgiref.headers.Headers(list(lines)),
    "multidict": lambda lines: multidict.CIMultiDict(lines),
    "generator": lambda lines: (pair for pair in lines),
    "bytes pairs (ASGI)": lambda lines: [(k.encode(), v.encode()) for k, v in lines],
}


def _email(lines: list[tuple[str, str]]) -> email.message.Message:
    m = email.message.Message()
    for k, v in lines:
        m[k] = v
    return m


@pytest.mark.parametrize("kind", CARRIERS)
def test_every_carrier_kind_case_insensitive(kind: str) -> None:
    lines = [("TraceParent", TP), ("TRACESTATE", "a=1"), ("Baggage", "k=v%20w;p"), ("Host", "x")]
    ctx = traceprop.extract(CARRIERS[kind](lines))
    assert ctx is not None
    assert (ctx.trace_id, ctx.span_id, ctx.sampled) == (T, S, True)
    assert ctx.tracestate == "a=1"
    assert [(m.key, m.value, m.properties) for m in ctx.baggage] == [("k", "v w", (("p", None),))]


@pytest.mark.parametrize("kind", ["list", "http.client", "multidict", "email"])
def test_repeated_lines_are_kept(kind: str) -> None:
    lines = [("traceparent", TP), ("tracestate", "a=1"), ("tracestate", "b=2")]
    ctx = traceprop.extract(CARRIERS[kind](lines))
    assert ctx is not None and ctx.tracestate == "a=1,b=2"
    # two traceparent lines make traceparent invalid (SEMANTICS §0)
    found = traceprop.extract_all(CARRIERS[kind]([("traceparent", TP), ("traceparent", TP)]))
    assert found.context is None
    assert found.rejections == (("tracecontext", "duplicate"),)


def test_list_values_are_several_lines() -> None:
    ctx = traceprop.extract({"traceparent": TP, "tracestate": ["a=1", "b=2"]})
    assert ctx is not None and ctx.tracestate == "a=1,b=2"


def test_context_fields() -> None:
    ctx = traceprop.extract({"traceparent": f"00-{T}-{S}-03"})
    assert ctx is not None
    assert ctx.trace_id_bytes == bytes.fromhex(T) and ctx.span_id_bytes == bytes.fromhex(S)
    assert ctx.trace_id_int == int(T, 16) and ctx.span_id_int == int(S, 16)
    assert (ctx.sampled, ctx.random, ctx.debug, ctx.trace_flags) == (True, True, False, 3)
    assert (ctx.source, ctx.matched, ctx.conflict, ctx.rejections) == ("tracecontext", ("tracecontext",), False, ())
    assert ctx.tracestate is None and ctx.tracestate_members == () and ctx.baggage == ()
    assert ctx.sampling_priority is None and ctx.origin is None and ctx.dd_tags == {}
    assert ctx.xray_extra is None and ctx.xray_fields == ()


def test_extract_none_and_report() -> None:
    assert traceprop.extract({}) is None
    found = traceprop.extract_all({"traceparent": "00-xyz", "baggage": "a=1"})
    assert found.context is None and found.source is None
    assert found.rejections == (("tracecontext", "invalid_length"),)
    assert found.baggage_value("a") == "1" and found.baggage_value("b", "d") == "d"


def test_tracestate_error_is_reported() -> None:
    ctx = traceprop.extract({"traceparent": TP, "tracestate": "FOO=1"})
    assert ctx is not None and ctx.tracestate is None
    assert ctx.tracestate_error == "invalid_key"


def test_policy_and_conflict() -> None:
    other = "11111111111111111111111111111111"
    headers = {"traceparent": TP, "b3": f"{other}-{S}-1"}
    last = traceprop.extract(headers, "tracecontext,b3")
    first = traceprop.extract(headers, "tracecontext,b3", policy="first")
    assert last is not None and first is not None
    assert (last.trace_id, last.source) == (other, "b3")
    assert (first.trace_id, first.source) == (T, "tracecontext")
    assert last.matched == ("tracecontext", "b3") and last.conflict


def test_inject_and_inject_into() -> None:
    ctx = Context(T, S, True, tracestate="a=1", baggage={"k": "a b"})
    assert traceprop.inject(ctx) == {"traceparent": TP, "tracestate": "a=1", "baggage": "k=a%20b"}
    carrier: dict[str, str] = {"host": "x"}
    traceprop.inject_into(carrier, ctx, "b3")
    assert carrier == {"host": "x", "b3": f"{T}-{S}-1"}
    h = wsgiref.headers.Headers([])
    traceprop.inject_into(h, ctx, Config("tracecontext"))
    assert h.items() == [("traceparent", TP), ("tracestate", "a=1")]


# SkyWalking's own ids (not a W3C trace id): docs/skywalking.md.
SW8 = (
    "1-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDk="
    "-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDg="
    "-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwaQ==-MTI3LjAuMC4xOjgwODA="
)


def test_skywalking_hop_through_a_context_keeps_skywalking_ids() -> None:
    ctx = traceprop.extract({"sw8": SW8}, "sw8")
    assert ctx is not None
    assert traceprop.inject(ctx, "sw8") == traceprop.translate({"sw8": SW8}, "sw8", "sw8")
    assert traceprop.inject(ctx, "sw8")["sw8"] == SW8


def test_inject_without_span_writes_baggage_only() -> None:
    ctx = Context(None, None, baggage=[("k", "v", "p=1")])
    assert not ctx.is_valid
    assert traceprop.inject(ctx, "tracecontext,baggage,b3") == {"baggage": "k=v;p=1"}


def test_context_constructor_forms() -> None:
    a = Context(T, S, False)
    b = Context(bytes.fromhex(T), bytes.fromhex(S), False)
    c = Context(int(T, 16), int(S, 16), False)
    assert {traceprop.inject(x)["traceparent"] for x in (a, b, c)} == {f"00-{T}-{S}-00"}
    ts = Context(T, S, tracestate=[("b", "2"), ("a", "1"), ("b", "3")])
    assert ts.tracestate == "b=2,a=1"
    assert ts.tracestate_members == (("b", "2"), ("a", "1"))
    child = a.with_span_id("0000000000000001")
    assert (child.trace_id, child.span_id, child.sampled) == (T, "0000000000000001", False)


def test_round_trip_keeps_carried_fields() -> None:
    headers = {"x-datadog-trace-id": "11803532876627986230", "x-datadog-parent-id": "67667974448284343",
               "x-datadog-sampling-priority": "2", "x-datadog-origin": "synthetics",
               "x-datadog-tags": "_dd.p.dm=-4,_dd.p.tid=4bf92f3577b34da6"}
    ctx = traceprop.extract(headers, "datadog")
    assert ctx is not None and ctx.trace_id == T and ctx.span_id == S
    assert (ctx.sampling_priority, ctx.origin, ctx.sampled) == (2, "synthetics", True)
    out = traceprop.inject(ctx, "datadog")
    assert out["x-datadog-sampling-priority"] == "2" and out["x-datadog-origin"] == "synthetics"
    assert "_dd.p.dm=-4" in out["x-datadog-tags"]
    assert ctx.dd_tags["_dd.p.dm"] == "-4"


def test_datadog_fields_from_tracestate_and_xray_fields() -> None:
    ctx = traceprop.extract({"traceparent": TP, "tracestate": "dd=s:2;o:synthetics~browser;t.dm:-4,rojo=1"})
    assert ctx is not None
    assert (ctx.sampling_priority, ctx.origin, ctx.dd_tags) == (2, "synthetics=browser", {"_dd.p.dm": "-4"})
    xr = traceprop.extract({"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
                            "Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Self=x"}, "xray")
    assert xr is not None and xr.xray_fields == ("Lineage=a87bd80c:1|68fd508a:5", "Self=x")
    out = traceprop.inject(xr, "xray")["x-amzn-trace-id"]
    assert out.endswith(";Lineage=a87bd80c:1|68fd508a:5;Self=x")


def test_translate() -> None:
    out = traceprop.translate({"traceparent": TP}, "tracecontext", "b3multi")
    assert out == {"x-b3-traceid": T, "x-b3-spanid": S, "x-b3-sampled": "1"}
    assert traceprop.translate({"traceparent": "bad"}, "tracecontext", "b3") == {}
    assert Config("tracecontext", inject="b3").translate({"traceparent": TP}) == {"b3": f"{T}-{S}-1"}


def test_config() -> None:
    c = Config(" TraceContext , b3", "first", inject="datadog")
    assert (c.propagators, c.inject_propagators, c.policy) == (("tracecontext", "b3"), ("datadog",), "first")
    assert set(Config("tracecontext").fields) == {"traceparent", "tracestate"}
    with pytest.raises(TracepropError) as e:
        Config("tracecontext,zipkin")
    assert e.value.kind == "unknown_propagator" and "zipkin" in str(e.value)
    assert Config("tracecontext,zipkin", strict=False).ignored == (("propagators", "zipkin"),)
    with pytest.raises(ValueError):
        Config("tracecontext", "middle")
    assert traceprop.extract({"traceparent": TP}, "none") is None


def test_config_from_env() -> None:
    assert Config().propagators == traceprop.config_from_env({}).propagators == ("tracecontext", "baggage")
    otel = traceprop.config_from_env({"OTEL_PROPAGATORS": "b3multi,jaeger"})
    assert (otel.propagators, otel.policy) == (("b3multi", "jaeger"), "last")
    dd = traceprop.config_from_env({
        "OTEL_PROPAGATORS": "jaeger",
        "DD_TRACE_PROPAGATION_STYLE": "datadog,b3,bogus",
        "DD_TRACE_PROPAGATION_STYLE_INJECT": "tracecontext",
    })
    assert (dd.propagators, dd.inject_propagators, dd.policy) == (("datadog", "b3"), ("tracecontext",), "first")
    assert dd.ignored == (("DD_TRACE_PROPAGATION_STYLE", "bogus"),)


def test_env_default_is_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_PROPAGATORS", "xray")
    for var in ("DD_TRACE_PROPAGATION_STYLE", "DD_TRACE_PROPAGATION_STYLE_EXTRACT", "DD_TRACE_PROPAGATION_STYLE_INJECT"):
        monkeypatch.delenv(var, raising=False)
    assert traceprop.config_from_env().propagators == ("xray",)


def test_id_conversions() -> None:
    assert traceprop.trace_id_to_datadog(T) == ("11803532876627986230", "4bf92f3577b34da6")
    assert traceprop.trace_id_to_datadog(5) == ("5", None)
    assert traceprop.trace_id_from_datadog("11803532876627986230", "4bf92f3577b34da6") == T
    assert traceprop.trace_id_to_xray("5759e988bd862e3fe1be46a994272793") == "1-5759e988-bd862e3fe1be46a994272793"
    assert traceprop.trace_id_from_xray("1-5759e988-bd862e3fe1be46a994272793") == "5759e988bd862e3fe1be46a994272793"
    assert traceprop.trace_id_from_short_hex("a3ce929d0e0e4736") == "0000000000000000a3ce929d0e0e4736"
    assert traceprop.trace_id_low_hex(T) == "a3ce929d0e0e4736"
    assert traceprop.trace_id_to_u64(7) == 7
    assert traceprop.span_id_to_decimal(S) == "67667974448284343"
    assert traceprop.span_id_from_decimal("255") == "00000000000000ff"
    assert traceprop.trace_id_to_hex(bytes(15) + b"\x01") == "0" * 31 + "1"
    assert traceprop.span_id_to_hex(255) == "00000000000000ff"


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        (lambda: traceprop.trace_id_to_u64(T), "truncation"),
        (lambda: traceprop.trace_id_to_hex("0" * 32), "zero_id"),
        (lambda: traceprop.trace_id_to_hex(T.upper()), "invalid_hex"),
        (lambda: traceprop.trace_id_to_hex(b"short"), "invalid_length"),
        (lambda: traceprop.trace_id_to_hex(-1), "out_of_range"),
        (lambda: traceprop.trace_id_to_hex(1 << 128), "out_of_range"),
        (lambda: traceprop.span_id_from_decimal("18446744073709551616"), "out_of_range"),
        (lambda: traceprop.trace_id_from_xray("2-5759e988-bd862e3fe1be46a994272793"), "unsupported_version"),
        (lambda: Context(T, S, tracestate="FOO=1"), "invalid_key"),
        (lambda: Context(T, S, sampling_priority=1 << 40), "out_of_range"),
    ],
)
def test_errors_have_stable_kinds(call: object, kind: str) -> None:
    with pytest.raises(TracepropError) as e:
        call()  # type: ignore[operator]
    assert isinstance(e.value, ValueError)
    assert e.value.kind == kind and kind in traceprop.ERROR_KINDS
    assert e.value.code == traceprop.ERROR_KINDS.index(kind) + 1


def test_new_ids_are_random_and_valid() -> None:
    ids = {traceprop.new_trace_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(i) == 32 for i in ids)
    assert len(traceprop.new_span_id()) == 16


def test_module_tables() -> None:
    assert "tracecontext" in traceprop.PROPAGATORS and "grpc-trace-bin" in traceprop.PROPAGATORS
    assert "traceparent" in traceprop.HEADERS
    assert set(traceprop.BAGGAGE_PREFIXES) == {"uberctx-", "ot-baggage-"}
    assert traceprop.__version__


def test_replace_keeps_what_is_not_given() -> None:
    ctx = Context(T, S, True, origin="rum", dd_tags="_dd.p.dm=-4", xray_extra="Lineage=a:1", baggage={"k": "v"}, tracestate="a=1")
    r = ctx.replace(span_id="0000000000000002", sampled=None, baggage=None)
    assert (r.trace_id, r.span_id, r.sampled, r.origin, r.dd_tags) == (T, "0000000000000002", None, "rum", {"_dd.p.dm": "-4"})
    assert (r.xray_fields, r.baggage, r.tracestate) == (("Lineage=a:1",), (), "a=1")
    assert ctx.baggage_value("k") == "v"  # the original is unchanged
    with pytest.raises(TypeError):
        ctx.replace(colour="red")
    with pytest.raises(TracepropError):
        ctx.replace(trace_id="0" * 32)


def test_extracted_members_are_injected_as_extracted() -> None:
    # Tracestate and baggage from two formats (W3C percent-encoding, Jaeger
    # query-encoding) come back out of the core's encoders, in order.
    headers = {"traceparent": TP, "tracestate": "a=1, b=2,a=3", "baggage": "k=a%20b;p=1",
               "uberctx-u": "x+y", "uber-trace-id": f"{T}:{S}:0:1"}
    ctx = traceprop.extract(headers, "tracecontext,baggage,jaeger", policy="first")
    assert ctx is not None and ctx.tracestate_members == (("a", "1"), ("b", "2"))
    assert traceprop.inject(ctx, "tracecontext,baggage,jaeger") == {
        "traceparent": TP, "tracestate": "a=1,b=2", "baggage": "k=a%20b;p=1,u=x%20y",
        "uber-trace-id": f"{T}:{S}:0:1", "uberctx-k": "a%20b", "uberctx-u": "x%20y"}


def test_replace_tracestate_or_baggage_keeps_the_other() -> None:
    ctx = Context(T, S, True, tracestate="a=1,b=2", baggage={"k": "v", "j": "w x"})
    r = ctx.replace(tracestate=[("c", "3")])
    assert (r.tracestate_members, [m.key for m in r.baggage]) == ((("c", "3"),), ["k", "j"])
    assert traceprop.inject(r) == {"traceparent": TP, "tracestate": "c=3", "baggage": "k=v,j=w%20x"}
    r = r.replace(tracestate=None)
    assert (r.tracestate, r.baggage_value("j")) == (None, "w x")
    r = ctx.replace(baggage={"n": "1"})
    assert traceprop.inject(r) == {"traceparent": TP, "tracestate": "a=1,b=2", "baggage": "n=1"}
