"""Smoke test of uniffi's Python generator over this crate (Kotlin and Swift
are the shipped bindings; this only proves the generated FFI loads and works).
Usage: python3 smoke.py <dir holding traceprop_uniffi.py and the .so>"""

import sys

sys.path.insert(0, sys.argv[1])
import traceprop_uniffi as t  # noqa: E402

TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
x = t.extract([t.Header(name="traceparent", value=TP)], "tracecontext", "last")
assert x.context.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736", x
out = t.inject(t.Propagation(context=x.context, tracestate=None, baggage=[]), "tracecontext")
assert [(h.name, h.value) for h in out] == [("traceparent", TP)], out
try:
    t.span_id_from_decimal("0")
    raise AssertionError("zero id accepted")
except t.TracepropError.Invalid as e:
    assert e.kind == "zero_id", e.kind
print("uniffi python smoke: ok")
