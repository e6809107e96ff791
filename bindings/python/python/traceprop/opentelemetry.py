"""OpenTelemetry Python ``TextMapPropagator`` backed by traceprop.

Install with ``pip install traceprop[opentelemetry]``. Select it with
``OTEL_PROPAGATORS``:

- ``traceprop``: one propagator for every configured format, configured from
  the environment (``TRACEPROP_PROPAGATORS``, else the Datadog variables or
  ``OTEL_PROPAGATORS`` as ``config_from_env`` reads them, else
  ``tracecontext,baggage``);
- ``traceprop_<format>`` (``traceprop_tracecontext``, ``traceprop_baggage``,
  ``traceprop_b3``, ``traceprop_b3multi``, ``traceprop_jaeger``,
  ``traceprop_ottrace``, ``traceprop_xray``, ``traceprop_datadog``,
  ``traceprop_cloudtrace``, ``traceprop_sw8``, ``traceprop_grpc_trace_bin``):
  one format, to swap a single propagator of OpenTelemetry's composite.

What OpenTelemetry's ``SpanContext`` cannot hold (Datadog priority, origin and
``_dd.p.*`` tags, X-Ray extra fields, the B3/Jaeger debug flag) is kept in the
``Context`` next to the span and injected again while the trace id is the same.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Optional, Union

from opentelemetry import baggage as otel_baggage
from opentelemetry import trace
from opentelemetry.context import Context as OtelContext
from opentelemetry.context import create_key, get_value, set_value
from opentelemetry.propagators.textmap import (
    CarrierT,
    DefaultGetter,
    DefaultSetter,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)

from . import BAGGAGE_PREFIXES, HEADERS, Config, Context, config_from_env

__all__ = [
    "TracepropPropagator",
    "b3",
    "b3multi",
    "baggage",
    "cloudtrace",
    "datadog",
    "grpc_trace_bin",
    "jaeger",
    "ottrace",
    "sw8",
    "tracecontext",
    "xray",
]

_logger = logging.getLogger(__name__)
_CARRIED = create_key("traceprop-context")


def _env_config() -> Config:
    """The configuration of the ``traceprop`` entry point.

    ``TRACEPROP_PROPAGATORS`` wins; otherwise ``config_from_env`` reads the
    environment, with this package's own entry-point names removed from
    ``OTEL_PROPAGATORS`` (they name propagators, not formats).
    """
    explicit = os.environ.get("TRACEPROP_PROPAGATORS")
    if explicit is not None:
        return Config(explicit, strict=False)
    environ = dict(os.environ)
    otel = environ.pop("OTEL_PROPAGATORS", None)
    if otel is not None:
        kept = [n for n in otel.split(",") if not n.strip().lower().startswith("traceprop")]
        if any(n.strip() for n in kept):
            environ["OTEL_PROPAGATORS"] = ",".join(kept)
    return config_from_env(environ)


class TracepropPropagator(TextMapPropagator):
    """Extracts and injects every format of ``propagators`` in one pass.

    ``propagators`` is a list in ``OTEL_PROPAGATORS`` syntax or a ``Config``;
    ``None`` reads the environment (see the module documentation).
    """

    def __init__(
        self, propagators: Union[str, Config, None] = None, policy: Optional[str] = None
    ) -> None:
        if propagators is None:
            config = _env_config()
        elif isinstance(propagators, Config):
            config = propagators
        else:
            config = Config(propagators)
        if policy is not None:
            config = Config(
                ",".join(config.propagators) or "none",
                policy,
                inject=",".join(config.inject_propagators) or "none",
            )
        for variable, name in config.ignored:
            _logger.warning("traceprop: unknown propagator %r in %s ignored", name, variable)
        self._config = config
        self._fields = set(config.fields)

    @property
    def config(self) -> Config:
        """The configuration in use."""
        return self._config

    def extract(
        self,
        carrier: CarrierT,
        context: Optional[OtelContext] = None,
        getter: Getter[CarrierT] = default_getter,
    ) -> OtelContext:
        if context is None:
            context = OtelContext()
        headers: Any = carrier if type(getter) is DefaultGetter else _read(carrier, getter)
        found = self._config.extract_all(headers)
        for member in found.baggage:
            context = otel_baggage.set_baggage(member.key, member.value, context)
        ctx = found.context
        if ctx is None:
            return context
        span_context = trace.SpanContext(
            trace_id=ctx.trace_id_int,
            span_id=ctx.span_id_int,
            is_remote=True,
            trace_flags=trace.TraceFlags(ctx.trace_flags),
            trace_state=trace.TraceState(list(ctx.tracestate_members)),
        )
        context = trace.set_span_in_context(trace.NonRecordingSpan(span_context), context)
        return set_value(_CARRIED, ctx, context)

    def inject(
        self,
        carrier: CarrierT,
        context: Optional[OtelContext] = None,
        setter: Setter[CarrierT] = default_setter,
    ) -> None:
        ctx = _to_traceprop(context)
        if ctx is None:
            return
        if type(setter) is DefaultSetter:
            self._config.inject_into(carrier, ctx)
            return
        for name, value in self._config.inject(ctx).items():
            setter.set(carrier, name, value)

    @property
    def fields(self) -> set[str]:
        return set(self._fields)


def _read(carrier: Any, getter: Getter[Any]) -> list[tuple[str, str]]:
    """The header lines a custom getter exposes: every header name any format
    reads, plus the per-key baggage headers among ``getter.keys``."""
    lines: list[tuple[str, str]] = []
    for name in HEADERS:
        for value in getter.get(carrier, name) or ():
            lines.append((name, value))
    for key in getter.keys(carrier):
        if isinstance(key, str) and key.lower().startswith(BAGGAGE_PREFIXES):
            for value in getter.get(carrier, key) or ():
                lines.append((key, value))
    return lines


def _to_traceprop(context: Optional[OtelContext]) -> Optional[Context]:
    """The traceprop ``Context`` for the current span and baggage of ``context``."""
    span_context = trace.get_current_span(context).get_span_context()
    entries: Mapping[str, object] = otel_baggage.get_all(context)
    bag = [(k, str(v)) for k, v in entries.items()]
    if not span_context.is_valid:
        return Context(None, None, baggage=bag) if bag else None
    flags = span_context.trace_flags
    sampled = bool(flags & 0x01)
    fields: dict[str, Any] = {
        "trace_id": span_context.trace_id,
        "span_id": span_context.span_id,
        "sampled": sampled,
        "random": bool(flags & 0x02),
        "tracestate": list(span_context.trace_state.items()),
        "baggage": bag,
    }
    carried = get_value(_CARRIED, context)
    if not isinstance(carried, Context) or carried.trace_id_int != span_context.trace_id:
        return Context(**fields)
    # The same trace: keep what OpenTelemetry could not hold (origin, tags,
    # X-Ray fields), the debug flag while sampled, and the Datadog priority
    # while it agrees with the sampling decision.
    priority = carried.sampling_priority
    if priority is not None and (priority > 0) != sampled:
        priority = None
    return carried.replace(debug=carried.debug and sampled, sampling_priority=priority, **fields)


def _one(name: str) -> TracepropPropagator:
    return TracepropPropagator(name)


def tracecontext() -> TracepropPropagator:
    """W3C ``traceparent`` + ``tracestate`` (entry point ``traceprop_tracecontext``)."""
    return _one("tracecontext")


def baggage() -> TracepropPropagator:
    """W3C ``baggage`` (entry point ``traceprop_baggage``)."""
    return _one("baggage")


def b3() -> TracepropPropagator:
    """B3 single header ``b3`` (entry point ``traceprop_b3``)."""
    return _one("b3")


def b3multi() -> TracepropPropagator:
    """B3 ``X-B3-*`` headers (entry point ``traceprop_b3multi``)."""
    return _one("b3multi")


def jaeger() -> TracepropPropagator:
    """Jaeger ``uber-trace-id`` + ``uberctx-*`` (entry point ``traceprop_jaeger``)."""
    return _one("jaeger")


def ottrace() -> TracepropPropagator:
    """OT ``ot-tracer-*`` + ``ot-baggage-*`` (entry point ``traceprop_ottrace``)."""
    return _one("ottrace")


def xray() -> TracepropPropagator:
    """AWS X-Ray ``X-Amzn-Trace-Id`` (entry point ``traceprop_xray``)."""
    return _one("xray")


def datadog() -> TracepropPropagator:
    """Datadog ``x-datadog-*`` (entry point ``traceprop_datadog``)."""
    return _one("datadog")


def cloudtrace() -> TracepropPropagator:
    """Google ``X-Cloud-Trace-Context`` (entry point ``traceprop_cloudtrace``)."""
    return _one("cloudtrace")


def sw8() -> TracepropPropagator:
    """Apache SkyWalking ``sw8`` (entry point ``traceprop_sw8``)."""
    return _one("sw8")


def grpc_trace_bin() -> TracepropPropagator:
    """OpenCensus ``grpc-trace-bin`` (entry point ``traceprop_grpc_trace_bin``)."""
    return _one("grpc-trace-bin")
