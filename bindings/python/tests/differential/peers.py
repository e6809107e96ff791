"""The reference implementations, behind one shape: ``extract(headers)`` ->
``(trace_id hex, span_id hex, sampled)`` or ``None``; ``inject(ctx)`` -> dict.

Versions are pinned in bindings/python/requirements-test.txt.
"""

from __future__ import annotations

import os
from typing import Any, Optional

# ddtrace reads its configuration at import: set it first.
os.environ["DD_TRACE_PROPAGATION_STYLE"] = "datadog"
os.environ["DD_INSTRUMENTATION_TELEMETRY_ENABLED"] = "false"
os.environ["DD_REMOTE_CONFIGURATION_ENABLED"] = "false"
os.environ["DD_TRACE_AGENT_URL"] = "http://127.0.0.1:8126"

from ddtrace.propagation.http import HTTPPropagator  # noqa: E402
from ddtrace.trace import Context as DDContext  # noqa: E402
from opentelemetry import baggage as otel_baggage  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry.baggage.propagation import W3CBaggagePropagator  # noqa: E402
from opentelemetry.context import Context as OtelContext  # noqa: E402
from opentelemetry.propagators.aws import AwsXRayPropagator  # noqa: E402
from opentelemetry.propagators.b3 import B3MultiFormat, B3SingleFormat  # noqa: E402
from opentelemetry.propagators.jaeger import JaegerPropagator  # noqa: E402
from opentelemetry.propagators.ot_trace import OTTracePropagator  # noqa: E402
from opentelemetry.propagators.textmap import Getter, TextMapPropagator  # noqa: E402
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator  # noqa: E402

import traceprop  # noqa: E402

Result = Optional[tuple[str, str, bool]]

OTEL: dict[str, TextMapPropagator] = {
    "tracecontext": TraceContextTextMapPropagator(),
    "b3": B3SingleFormat(),
    "b3multi": B3MultiFormat(),
    "jaeger": JaegerPropagator(),
    "ottrace": OTTracePropagator(),
    "xray": AwsXRayPropagator(),
}


class CaseInsensitiveGetter(Getter[dict[str, Any]]):
    """OpenTelemetry's default getter is case-sensitive; HTTP is not."""

    def get(self, carrier: dict[str, Any], key: str) -> Optional[list[str]]:
        values: list[str] = []
        for k, v in carrier.items():
            if k.lower() == key.lower():
                values.extend(v if isinstance(v, list) else [v])
        return values or None

    def keys(self, carrier: dict[str, Any]) -> list[str]:
        return list(carrier)


GETTER = CaseInsensitiveGetter()


def otel_extract(fmt: str, headers: dict[str, str]) -> Result:
    sc = trace.get_current_span(OTEL[fmt].extract(headers, getter=GETTER)).get_span_context()
    if not sc.is_valid:
        return None
    return (f"{sc.trace_id:032x}", f"{sc.span_id:016x}", bool(sc.trace_flags & 1))


def otel_inject(fmt: str, trace_id: str, span_id: str, sampled: bool) -> dict[str, str]:
    sc = trace.SpanContext(int(trace_id, 16), int(span_id, 16), is_remote=True, trace_flags=trace.TraceFlags(int(sampled)))
    ctx = trace.set_span_in_context(trace.NonRecordingSpan(sc))
    out: dict[str, str] = {}
    OTEL[fmt].inject(out, context=ctx)
    return {k.lower(): v for k, v in out.items()}


def otel_baggage_extract(header: str) -> dict[str, str]:
    ctx = W3CBaggagePropagator().extract({"baggage": header})
    return {k: str(v) for k, v in otel_baggage.get_all(ctx).items()}


def otel_baggage_inject(entries: dict[str, str]) -> dict[str, str]:
    ctx: OtelContext = OtelContext()
    for k, v in entries.items():
        ctx = otel_baggage.set_baggage(k, v, ctx)
    out: dict[str, str] = {}
    W3CBaggagePropagator().inject(out, context=ctx)
    return out


def dd_extract(headers: dict[str, str]) -> Optional[tuple[str, str, Optional[int], Optional[str]]]:
    c = HTTPPropagator.extract(headers)
    if not c.trace_id or not c.span_id:
        return None
    return (f"{c.trace_id:032x}", f"{c.span_id:016x}", c.sampling_priority, c.dd_origin)


def dd_inject(trace_id: str, span_id: str, priority: Optional[int], origin: Optional[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    HTTPPropagator.inject(DDContext(trace_id=int(trace_id, 16), span_id=int(span_id, 16), sampling_priority=priority, dd_origin=origin), out)
    return out


def ours_extract(fmt: str, headers: dict[str, str]) -> Result:
    ctx = traceprop.extract(headers, fmt)
    if ctx is None:
        return None
    return (ctx.trace_id, ctx.span_id, bool(ctx.sampled))
