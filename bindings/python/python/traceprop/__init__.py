"""Every distributed-tracing propagation header, one Rust core.

Extract a remote span context from request headers, inject one into outgoing
headers, translate between formats, and convert ids between encodings::

    import traceprop

    ctx = traceprop.extract(request.headers, "tracecontext,baggage")
    if ctx is not None:
        outgoing = traceprop.inject(ctx.with_span_id(traceprop.new_span_id()))

Formats (``propagators``, in ``OTEL_PROPAGATORS`` syntax): see ``PROPAGATORS``.
Errors: ``TracepropError`` (a ``ValueError``) with a stable ``kind``.
"""

from __future__ import annotations

import os

from ._traceprop import (
    BAGGAGE_PREFIXES,
    ENV_VARS,
    ERROR_KINDS,
    HEADERS,
    PROPAGATORS,
    BaggageMember,
    Config,
    Context,
    Extraction,
    TracepropError,
    __version__,
    config_from_env,
    extract,
    extract_all,
    inject,
    inject_into,
    span_id_from_decimal,
    span_id_to_decimal,
    span_id_to_hex,
    trace_id_from_datadog,
    trace_id_from_short_hex,
    trace_id_from_xray,
    trace_id_low_hex,
    trace_id_to_datadog,
    trace_id_to_hex,
    trace_id_to_u64,
    trace_id_to_xray,
    translate,
)

__all__ = [
    "BAGGAGE_PREFIXES",
    "ENV_VARS",
    "ERROR_KINDS",
    "HEADERS",
    "PROPAGATORS",
    "BaggageMember",
    "Config",
    "Context",
    "Extraction",
    "TracepropError",
    "__version__",
    "config_from_env",
    "extract",
    "extract_all",
    "inject",
    "inject_into",
    "new_span_id",
    "new_trace_id",
    "span_id_from_decimal",
    "span_id_to_decimal",
    "span_id_to_hex",
    "trace_id_from_datadog",
    "trace_id_from_short_hex",
    "trace_id_from_xray",
    "trace_id_low_hex",
    "trace_id_to_datadog",
    "trace_id_to_hex",
    "trace_id_to_u64",
    "trace_id_to_xray",
    "translate",
]


def new_trace_id() -> str:
    """A random, non-zero trace id (32 hex digits) from ``os.urandom``.

    All 128 bits are random, so a context that starts a trace with it may set
    ``random=True`` (W3C Trace Context Level 2).
    """
    while True:
        try:
            return trace_id_to_hex(os.urandom(16))
        except TracepropError:  # all zero: draw again
            continue


def new_span_id() -> str:
    """A random, non-zero span id (16 hex digits) from ``os.urandom``."""
    while True:
        try:
            return span_id_to_hex(os.urandom(8))
        except TracepropError:  # all zero: draw again
            continue
