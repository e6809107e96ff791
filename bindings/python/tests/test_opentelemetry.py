"""The OpenTelemetry Python adapter: TextMapPropagator behaviour, the
entry points, and OTEL_PROPAGATORS=traceprop end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points

from opentelemetry import baggage, trace
from opentelemetry.context import Context as OtelContext
from opentelemetry.propagators.textmap import Getter, Setter

import traceprop
from traceprop.opentelemetry import TracepropPropagator

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
TP = f"00-{T}-{S}-01"
NAMES = ["traceprop"] + [f"traceprop_{p.replace('-', '_')}" for p in traceprop.PROPAGATORS]


def span_of(ctx: OtelContext) -> trace.SpanContext:
    return trace.get_current_span(ctx).get_span_context()


def test_extract_inject_w3c_and_baggage() -> None:
    p = TracepropPropagator("tracecontext,baggage")
    ctx = p.extract({"TraceParent": TP, "tracestate": "rojo=1,congo=2", "baggage": "k=a%20b"})
    sc = span_of(ctx)
    assert (sc.trace_id, sc.span_id, sc.is_remote, int(sc.trace_flags)) == (int(T, 16), int(S, 16), True, 1)
    assert list(sc.trace_state.items()) == [("rojo", "1"), ("congo", "2")]
    assert baggage.get_all(ctx) == {"k": "a b"}
    out: dict[str, str] = {}
    p.inject(out, context=ctx)
    assert out == {"traceparent": TP, "tracestate": "rojo=1,congo=2", "baggage": "k=a%20b"}
    assert p.fields == {"traceparent", "tracestate", "baggage"}


def test_nothing_found_returns_the_given_context() -> None:
    p = TracepropPropagator("tracecontext")
    base = baggage.set_baggage("x", "1")
    assert p.extract({"traceparent": "junk"}, context=base) == base
    out: dict[str, str] = {}
    p.inject(out, context=OtelContext())
    assert out == {}


def test_datadog_fields_survive_an_otel_hop() -> None:
    p = TracepropPropagator("datadog,tracecontext")
    ctx = p.extract({"x-datadog-trace-id": "11803532876627986230", "x-datadog-parent-id": "67667974448284343",
                     "x-datadog-sampling-priority": "2", "x-datadog-origin": "synthetics",
                     "x-datadog-tags": f"_dd.p.tid={T[:16]},_dd.p.dm=-4"})
    out: dict[str, str] = {}
    p.inject(out, context=ctx)
    assert out["x-datadog-sampling-priority"] == "2" and out["x-datadog-origin"] == "synthetics"
    assert "_dd.p.dm=-4" in out["x-datadog-tags"] and out["traceparent"] == TP


def test_custom_getter_and_setter() -> None:
    class EnvironGetter(Getter[dict[str, str]]):
        def get(self, carrier: dict[str, str], key: str) -> list[str] | None:
            v = carrier.get("HTTP_" + key.upper().replace("-", "_"))
            return [v] if v is not None else None

        def keys(self, carrier: dict[str, str]) -> list[str]:
            return [k[5:].lower().replace("_", "-") for k in carrier if k.startswith("HTTP_")]

    class ListSetter(Setter[list[tuple[str, str]]]):
        def set(self, carrier: list[tuple[str, str]], key: str, value: str) -> None:
            carrier.append((key, value))

    p = TracepropPropagator("b3multi,jaeger")
    environ = {"HTTP_X_B3_TRACEID": T, "HTTP_X_B3_SPANID": S, "HTTP_X_B3_SAMPLED": "1", "HTTP_UBERCTX_USER": "ann"}
    ctx = p.extract(environ, getter=EnvironGetter())
    assert span_of(ctx).trace_id == int(T, 16)
    assert baggage.get_all(ctx) == {"user": "ann"}
    lines: list[tuple[str, str]] = []
    p.inject(lines, context=ctx, setter=ListSetter())
    assert ("x-b3-traceid", T) in lines and ("uberctx-user", "ann") in lines


def test_entry_points_are_registered() -> None:
    group = {ep.name: ep for ep in entry_points(group="opentelemetry_propagator")}
    for name in NAMES:
        assert name in group, name
        propagator = group[name].load()()
        assert isinstance(propagator, TracepropPropagator)
    assert group["traceprop_b3"].load()().config.propagators == ("b3",)


def test_otel_propagators_env_selects_traceprop() -> None:
    code = (
        "from opentelemetry import propagate, trace\n"
        f"ctx = propagate.extract({{'b3': '{T}-{S}-1', 'traceparent': 'junk'}})\n"
        "print(type(propagate.get_global_textmap()._propagators[0]).__name__, "
        "format(trace.get_current_span(ctx).get_span_context().trace_id, '032x'))\n"
    )
    env = dict(os.environ, OTEL_PROPAGATORS="traceprop", TRACEPROP_PROPAGATORS="tracecontext,b3")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["TracepropPropagator", T]
    env = dict(os.environ, OTEL_PROPAGATORS="traceprop", DD_TRACE_PROPAGATION_STYLE="b3")
    env.pop("TRACEPROP_PROPAGATORS", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["TracepropPropagator", T]


def test_policy_override_keeps_the_formats() -> None:
    p = TracepropPropagator(traceprop.Config("tracecontext,b3", inject="b3"), policy="first")
    assert (p.config.propagators, p.config.inject_propagators, p.config.policy) == (("tracecontext", "b3"), ("b3",), "first")
    assert TracepropPropagator("none", policy="first").config.propagators == ()
