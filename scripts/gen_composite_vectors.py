#!/usr/bin/env python3
"""Writes the composite conformance vectors (schema traceprop-vectors/1).

    python3 scripts/gen_composite_vectors.py      # rewrites both files

- tests/vectors/composite.json: the composite propagator by hand-picked cases
  (policy last/first, conflicting formats, baggage merged across formats,
  rejections, `none`, the default configuration, aliases, inject and translate
  of several formats at once).
- tests/vectors/composite-translate.json: a gateway translating between every
  ordered pair of trace formats (and each format to itself), sampled and not
  sampled, generated from the encodings of SEMANTICS.md sections 1-8: each
  source format's headers are what that format injects for the context, and the
  expected headers are what the target format injects for the context the
  source format carries (a 64-bit format pads the trace id, and so on).
  SEMANTICS.md has no sw8 section: sw8 follows the id mapping documented in
  core/src/sw8.rs (lossless for ids written from a W3C context).

The expected values are written out here from the spec text, independently of
the Rust code; edit this script, not the JSON, and re-run it.
"""

import base64
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "vectors"

T = "4bf92f3577b34da6a3ce929d0e0e4736"
S = "00f067aa0ba902b7"
T2 = "0af7651916cd43dd8448eb211c80319c"
S2 = "b7ad6b7169203331"

TRACE_FORMATS = [
    "tracecontext", "b3", "b3multi", "jaeger", "ottrace", "xray", "datadog",
    "cloudtrace", "sw8", "grpc-trace-bin",
]



class Ctx:
    """The context a format carries after extraction."""

    def __init__(self, trace, span, sampled, priority=None, dd_tags=None):
        self.trace = trace  # 32 lowercase hex
        self.span = span  # 16 lowercase hex
        self.sampled = sampled  # True, False or None (deferred)
        self.priority = priority  # Datadog sampling priority or None
        self.dd_tags = dd_tags  # carried x-datadog-tags value or None

    @property
    def high(self):
        return self.trace[:16]

    @property
    def low(self):
        return self.trace[16:]


def dec(hex_id):
    return str(int(hex_id, 16))


def dd_tags_out(ctx):
    """x-datadog-tags (SEMANTICS §6): _dd.p.tid when the high half is
    non-zero, plus the carried _dd.p.* tags (tid not repeated)."""
    tags = []
    if int(ctx.high, 16):
        tags.append("_dd.p.tid=" + ctx.high)
    for tag in (ctx.dd_tags or "").split(","):
        if tag.startswith("_dd.p.") and not tag.startswith("_dd.p.tid="):
            tags.append(tag)
    return ",".join(tags)


def dd_tracestate(ctx):
    """The `dd` tracestate member the tracecontext format writes in front
    when the context carries Datadog state (formats notes §1.6): `s` priority,
    `p` the span id as the last Datadog parent, then `t.*` of the carried tags
    but `_dd.p.tid` (the traceparent holds the whole id)."""
    if ctx.priority is None and not ctx.dd_tags:
        return None
    parts = []
    if ctx.priority is not None:
        parts.append("s:%d" % ctx.priority)
    parts.append("p:" + ctx.span)
    for tag in (ctx.dd_tags or "").split(","):
        if tag.startswith("_dd.p.") and not tag.startswith("_dd.p.tid="):
            key, _, value = tag[len("_dd.p."):].partition("=")
            parts.append("t.%s:%s" % (key, value.replace("=", "~")))
    return "dd=" + ";".join(parts)


def inject(fmt, ctx):
    """The headers `fmt` writes for `ctx` (SEMANTICS §1-8), lowercase names."""
    sampled = ctx.sampled is True
    if fmt == "tracecontext":  # §1: version 00, flags 01/00
        h = [["traceparent", "00-%s-%s-%s" % (ctx.trace, ctx.span, "01" if sampled else "00")]]
        ts = dd_tracestate(ctx)
        if ts:
            h.append(["tracestate", ts])
        return h
    if fmt == "b3":  # §3: nothing when deferred
        flag = {True: "-1", False: "-0", None: ""}[ctx.sampled]
        return [["b3", "%s-%s%s" % (ctx.trace, ctx.span, flag)]]
    if fmt == "b3multi":
        h = [["x-b3-traceid", ctx.trace], ["x-b3-spanid", ctx.span]]
        if ctx.sampled is not None:
            h.append(["x-b3-sampled", "1" if sampled else "0"])
        return h
    if fmt == "jaeger":  # §4
        return [["uber-trace-id", "%s:%s:0:%s" % (ctx.trace, ctx.span, "1" if sampled else "0")]]
    if fmt == "ottrace":  # §5: low 64 bits
        return [
            ["ot-tracer-traceid", ctx.low],
            ["ot-tracer-spanid", ctx.span],
            ["ot-tracer-sampled", "true" if sampled else "false"],
        ]
    if fmt == "xray":  # §7
        flag = {True: "1", False: "0", None: "?"}[ctx.sampled]
        root = "1-%s-%s" % (ctx.trace[:8], ctx.trace[8:])
        return [["x-amzn-trace-id", "Root=%s;Parent=%s;Sampled=%s" % (root, ctx.span, flag)]]
    if fmt == "datadog":  # §6
        h = [["x-datadog-trace-id", dec(ctx.low)], ["x-datadog-parent-id", dec(ctx.span)]]
        if ctx.priority is not None:
            h.append(["x-datadog-sampling-priority", str(ctx.priority)])
        elif ctx.sampled is not None:
            h.append(["x-datadog-sampling-priority", "1" if sampled else "0"])
        tags = dd_tags_out(ctx)
        if tags:
            h.append(["x-datadog-tags", tags])
        return h
    if fmt == "cloudtrace":  # §8
        return [["x-cloud-trace-context", "%s/%s;o=%s" % (ctx.trace, dec(ctx.span), "1" if sampled else "0")]]
    if fmt == "sw8":  # SEMANTICS is silent; the mapping of core/src/sw8.rs's docs
        def b64(text):
            return base64.b64encode(text.encode()).decode()
        fields = ["1" if sampled else "0", b64(ctx.trace), b64(ctx.span), "0"]
        fields += [b64("unknown")] * 4
        return [["sw8", "-".join(fields)]]
    if fmt == "grpc-trace-bin":  # OpenCensus binary, base64 unpadded in text
        raw = bytes([0, 0]) + bytes.fromhex(ctx.trace) + bytes([1]) + bytes.fromhex(ctx.span)
        raw += bytes([2, 1 if sampled else 0])
        return [["grpc-trace-bin", base64.b64encode(raw).decode().rstrip("=")]]
    raise ValueError(fmt)


def carried(fmt, ctx):
    """The context `fmt` extracts from its own injection of `ctx`."""
    if fmt == "ottrace":
        return Ctx("0" * 16 + ctx.low, ctx.span, ctx.sampled is True)
    if fmt == "datadog":
        priority = None if ctx.sampled is None else int(ctx.sampled)
        tags = "_dd.p.tid=" + ctx.high if int(ctx.high, 16) else None
        return Ctx(ctx.trace, ctx.span, ctx.sampled, priority, tags)
    if fmt in ("jaeger", "tracecontext", "cloudtrace", "grpc-trace-bin", "sw8"):
        return Ctx(ctx.trace, ctx.span, ctx.sampled is True)
    return Ctx(ctx.trace, ctx.span, ctx.sampled)


SPEC = {
    "tracecontext": "SEMANTICS §1",
    "b3": "SEMANTICS §3",
    "b3multi": "SEMANTICS §3",
    "jaeger": "SEMANTICS §4",
    "ottrace": "SEMANTICS §5 (64-bit: low half, padded on extract)",
    "xray": "SEMANTICS §7",
    "datadog": "SEMANTICS §6 (decimal low 64 + _dd.p.tid)",
    "cloudtrace": "SEMANTICS §8 (decimal span id)",
    "sw8": "SkyWalking v3 with the id mapping of core/src/sw8.rs (32-hex trace id and 16-hex segment id, span index 0, padded base64; no deferred state)",
    "grpc-trace-bin": "OpenCensus BinaryEncoding (unpadded base64)",
}


def translate_cases():
    cases = []
    for label, sampled in (("sampled", True), ("not-sampled", False)):
        for src in TRACE_FORMATS:
            for dst in TRACE_FORMATS:
                start = Ctx(T, S, sampled)
                cases.append({
                    "name": "translate/%s-to-%s-%s" % (src, dst, label),
                    "reason": "SEMANTICS §9 translate: %s headers -> %s; %s -> %s" % (
                        src, dst, SPEC[src], SPEC[dst]),
                    "propagators": src,
                    "extract": inject(src, start),
                    "inject_propagators": dst,
                    "expect": {"headers": inject(dst, carried(src, start))},
                })
    return cases


def tp(trace, span, flags="01"):
    return ["traceparent", "00-%s-%s-%s" % (trace, span, flags)]


def ctx_json(trace, span, sampled):
    return {"trace_id": trace, "span_id": span, "sampled": sampled}


def composite_cases():
    b3_t2 = ["b3", "%s-%s-1" % (T2, S2)]
    return [
        {
            "name": "composite/policy-last-wins",
            "reason": "SEMANTICS §9: policy last (OpenTelemetry): the last listed valid format wins; tracestate dropped since tracecontext did not produce the winning trace id",
            "propagators": "tracecontext,b3",
            "extract": [tp(T, S), ["tracestate", "a=1"], b3_t2],
            "expect": {"context": ctx_json(T2, S2, True), "tracestate": None, "source": "b3"},
        },
        {
            "name": "composite/policy-first-wins",
            "reason": "SEMANTICS §9: policy first (Datadog): the first listed valid format wins; its tracestate is kept",
            "propagators": "tracecontext,b3",
            "policy": "first",
            "extract": [tp(T, S), ["tracestate", "a=1"], b3_t2],
            "expect": {"context": ctx_json(T, S, True), "tracestate": "a=1", "source": "tracecontext"},
        },
        {
            "name": "composite/policy-last-order-is-config-order",
            "reason": "SEMANTICS §9: 'last' is the last in the configured list, not in the request",
            "propagators": "b3,tracecontext",
            "extract": [tp(T, S), b3_t2],
            "expect": {"context": ctx_json(T, S, True), "source": "tracecontext"},
        },
        {
            "name": "composite/agreeing-formats-keep-tracestate",
            "reason": "SEMANTICS §9 + §1: b3 wins (last) with the trace id tracecontext produced, so the tracestate of that trace is kept",
            "propagators": "tracecontext,b3multi",
            "extract": [tp(T, S), ["tracestate", "a=1,b=2"], ["x-b3-traceid", T], ["x-b3-spanid", S2], ["x-b3-sampled", "1"]],
            "expect": {"context": ctx_json(T, S2, True), "tracestate": "a=1,b=2", "source": "b3multi"},
        },
        {
            "name": "composite/datadog-first-keeps-w3c-tracestate",
            "reason": "SEMANTICS §9 policy first (Datadog default datadog,tracecontext): Datadog wins; tracecontext produced the same trace id, so its tracestate is kept (formats notes §1.9 step 2)",
            "propagators": "datadog,tracecontext",
            "policy": "first",
            "extract": [
                ["x-datadog-trace-id", str(int(T[16:], 16))],
                ["x-datadog-parent-id", str(int(S2, 16))],
                ["x-datadog-sampling-priority", "2"],
                ["x-datadog-tags", "_dd.p.tid=" + T[:16]],
                tp(T, S),
                ["tracestate", "congo=t61rcWkgMzE"],
            ],
            "expect": {
                "context": {"trace_id": T, "span_id": S2, "sampled": True, "sampling_priority": 2},
                "tracestate": "congo=t61rcWkgMzE",
                "source": "datadog",
            },
        },
        {
            "name": "composite/datadog-first-conflict-drops-w3c-tracestate",
            "reason": "SEMANTICS §9: Datadog wins (first) with a trace id traceparent disagrees with (no _dd.p.tid: 64-bit id, full ids compared as dd-trace-go/py/js do), so the W3C tracestate is not the winner's and is dropped",
            "propagators": "datadog,tracecontext",
            "policy": "first",
            "extract": [
                ["x-datadog-trace-id", str(int(T[16:], 16))],
                ["x-datadog-parent-id", str(int(S2, 16))],
                tp(T, S),
                ["tracestate", "congo=t61rcWkgMzE"],
            ],
            "expect": {
                "context": {"trace_id": "0" * 16 + T[16:], "span_id": S2, "sampled": None},
                "tracestate": None,
                "source": "datadog",
            },
        },
        {
            "name": "composite/xray-deferred-to-b3-and-datadog",
            "reason": "SEMANTICS §7 Sampled=? is no decision; B3 single writes no flag and Datadog no priority (§3, §6)",
            "propagators": "xray",
            "extract": [["x-amzn-trace-id", "Root=1-%s-%s;Parent=%s;Sampled=?" % (T[:8], T[8:], S)]],
            "inject_propagators": "b3,datadog",
            "expect": {"headers": [
                ["b3", "%s-%s" % (T, S)],
                ["x-datadog-trace-id", str(int(T[16:], 16))],
                ["x-datadog-parent-id", str(int(S, 16))],
                ["x-datadog-tags", "_dd.p.tid=" + T[:16]],
            ]},
        },
        {
            "name": "composite/first-skips-missing",
            "reason": "SEMANTICS §9: policy first takes the first format that yields a valid context; absent formats are skipped",
            "propagators": "jaeger,ottrace,b3",
            "policy": "first",
            "extract": [["ot-tracer-traceid", T2[16:]], ["ot-tracer-spanid", S2], ["ot-tracer-sampled", "true"], b3_t2],
            "expect": {"context": ctx_json("0" * 16 + T2[16:], S2, True), "source": "ottrace"},
        },
        {
            "name": "composite/rejection-does-not-block-others",
            "reason": "SEMANTICS §0/§9: a malformed format yields no context from that format only; the next valid one is used",
            "propagators": "b3,tracecontext",
            "extract": [["traceparent", "00-%s-%s-0g" % (T, S)], ["tracestate", "a=1"], b3_t2],
            "expect": {"context": ctx_json(T2, S2, True), "tracestate": None, "source": "b3"},
        },
        {
            "name": "composite/all-rejected",
            "reason": "SEMANTICS §0: malformed headers in every format yield no context and no panic; baggage is still read",
            "propagators": "tracecontext,b3,jaeger,baggage",
            "extract": [["traceparent", "garbage"], ["b3", "xyz"], ["uber-trace-id", "1:2:3"], ["baggage", "k=v"]],
            "expect": {"context": None, "tracestate": None, "baggage": [["k", "v"]], "source": None},
        },
        {
            "name": "composite/baggage-merged-later-wins",
            "reason": "SEMANTICS §9: baggage of W3C baggage, uberctx-* and ot-baggage-* merged in list order, later wins per key (the key keeps its first position)",
            "propagators": "tracecontext,baggage,jaeger,ottrace",
            "extract": [
                tp(T, S),
                ["baggage", "user=w3c,a=1"],
                ["uberctx-user", "jaeger"],
                ["uberctx-b", "x%20y"],
                ["ot-baggage-user", "ot"],
                ["ot-baggage-c", "3"],
            ],
            "expect": {
                "context": ctx_json(T, S, True),
                "baggage": [["user", "ot"], ["a", "1"], ["b", "x y"], ["c", "3"]],
                "source": "tracecontext",
            },
        },
        {
            "name": "composite/baggage-merge-follows-config-order",
            "reason": "SEMANTICS §9: merge order is the configured list order: with ottrace before baggage, W3C baggage wins",
            "propagators": "ottrace,baggage",
            "extract": [["ot-baggage-user", "ot"], ["baggage", "user=w3c"]],
            "expect": {"context": None, "baggage": [["user", "w3c"]]},
        },
        {
            "name": "composite/jaeger-baggage-header-merged",
            "reason": "SEMANTICS §4/§9: jaeger-baggage is read as baggage and merged with W3C baggage in list order",
            "propagators": "baggage,jaeger",
            "extract": [["baggage", "k1=w3c,k3=3"], ["jaeger-baggage", "k1=v1, k2=v2"]],
            "expect": {"baggage": [["k1", "v1"], ["k3", "3"], ["k2", "v2"]]},
        },
        {
            "name": "composite/unconfigured-baggage-ignored",
            "reason": "SEMANTICS §9: only configured formats are read; uberctx-* without jaeger in the list is not baggage",
            "propagators": "tracecontext,baggage",
            "extract": [tp(T, S), ["uberctx-k", "v"], ["baggage", "a=1"]],
            "expect": {"baggage": [["a", "1"]]},
        },
        {
            "name": "composite/none-anywhere",
            "reason": "SEMANTICS §9: none anywhere in the list means no propagation",
            "propagators": "tracecontext,none,baggage",
            "extract": [tp(T, S), ["baggage", "k=v"]],
            "expect": {"context": None, "tracestate": None, "baggage": [], "source": None},
        },
        {
            "name": "composite/none-injects-nothing",
            "reason": "SEMANTICS §9: none means no propagation",
            "propagators": "None",
            "inject": {"trace_id": T, "span_id": S, "sampled": True, "baggage": [["k", "v"]]},
            "expect": {"headers": []},
        },
        {
            "name": "composite/empty-config-is-default",
            "reason": "SEMANTICS §9: an empty list means tracecontext,baggage",
            "propagators": " , ",
            "extract": [tp(T, S), ["baggage", "k=v"], b3_t2],
            "expect": {"context": ctx_json(T, S, True), "baggage": [["k", "v"]], "source": "tracecontext"},
        },
        {
            "name": "composite/empty-config-injects-default",
            "reason": "SEMANTICS §9: an empty list means tracecontext,baggage",
            "propagators": "",
            "inject": {"trace_id": T, "span_id": S, "sampled": True, "baggage": [["k", "v"]]},
            "expect": {"headers": [tp(T, S), ["baggage", "k=v"]]},
        },
        {
            "name": "composite/names-trimmed-case-insensitive-deduplicated",
            "reason": "SEMANTICS §9: split on ',', trimmed, case-insensitive, de-duplicated (b3single is an alias of b3)",
            "propagators": " B3 , b3single,TraceContext,b3 ",
            "inject": {"trace_id": T, "span_id": S, "sampled": False},
            "expect": {"headers": [["b3", "%s-%s-0" % (T, S)], tp(T, S, "00")]},
        },
        {
            "name": "composite/baggage-format-has-no-context",
            "reason": "SEMANTICS §9: baggage carries no span context, so a traceparent is not read without tracecontext",
            "propagators": "baggage",
            "extract": [tp(T, S), ["baggage", "k=v"]],
            "expect": {"context": None, "baggage": [["k", "v"]], "source": None},
        },
        {
            "name": "composite/inject-every-format-tracestate-once",
            "reason": "SEMANTICS §9: every listed format writes its headers; tracestate only by tracecontext",
            "propagators": "b3,tracecontext,b3multi,jaeger,ottrace,baggage",
            "inject": {"trace_id": T, "span_id": S, "sampled": True, "tracestate": "a=1", "baggage": [["k", "a b"]]},
            "expect": {"headers": [
                ["b3", "%s-%s-1" % (T, S)],
                tp(T, S),
                ["tracestate", "a=1"],
                ["x-b3-traceid", T], ["x-b3-spanid", S], ["x-b3-sampled", "1"],
                ["uber-trace-id", "%s:%s:0:1" % (T, S)],
                ["uberctx-k", "a%20b"],
                ["ot-tracer-traceid", T[16:]], ["ot-tracer-spanid", S], ["ot-tracer-sampled", "true"],
                ["ot-baggage-k", "a b"],
                ["baggage", "k=a%20b"],
            ]},
        },
        {
            "name": "composite/translate-baggage-across-formats",
            "reason": "SEMANTICS §9 translate: W3C baggage extracted, re-injected as uberctx-* (§4, percent-encoded) and ot-baggage-* (§5, raw)",
            "propagators": "tracecontext,baggage",
            "extract": [tp(T, S), ["baggage", "user=a%20b"]],
            "inject_propagators": "jaeger,ottrace",
            "expect": {"headers": [
                ["uber-trace-id", "%s:%s:0:1" % (T, S)],
                ["uberctx-user", "a%20b"],
                ["ot-tracer-traceid", T[16:]], ["ot-tracer-spanid", S], ["ot-tracer-sampled", "true"],
                ["ot-baggage-user", "a b"],
            ]},
        },
        {
            "name": "composite/translate-keeps-winner-only",
            "reason": "SEMANTICS §9 translate: only the winning context is re-injected (policy last: b3)",
            "propagators": "tracecontext,b3",
            "extract": [tp(T, S), b3_t2],
            "inject_propagators": "tracecontext",
            "expect": {"headers": [tp(T2, S2)]},
        },
        {
            "name": "composite/translate-baggage-without-context-writes-nothing",
            "reason": "SCHEMA kind 3: an extract that yields no context injects nothing, baggage included",
            "propagators": "tracecontext,baggage",
            "extract": [["baggage", "k=v"]],
            "inject_propagators": "baggage",
            "expect": {"headers": []},
        },
        {
            "name": "composite/translate-deferred-b3-to-formats-without-deferred",
            "reason": "SEMANTICS §0: a format without a 'no decision' state writes not sampled for null (W3C 00, Jaeger 0, OT false); b3multi omits X-B3-Sampled (§3)",
            "propagators": "b3",
            "extract": [["b3", "%s-%s" % (T, S)]],
            "inject_propagators": "tracecontext,jaeger,ottrace,b3multi",
            "expect": {"headers": [
                tp(T, S, "00"),
                ["uber-trace-id", "%s:%s:0:0" % (T, S)],
                ["ot-tracer-traceid", T[16:]], ["ot-tracer-spanid", S], ["ot-tracer-sampled", "false"],
                ["x-b3-traceid", T], ["x-b3-spanid", S],
            ]},
        },
        {
            "name": "composite/translate-b3-debug-to-jaeger",
            "reason": "SEMANTICS §3/§4: B3 d is sampled + debug; Jaeger writes flags 3 (sampled + debug)",
            "propagators": "b3",
            "extract": [["b3", "%s-%s-d" % (T, S)]],
            "inject_propagators": "jaeger,b3multi",
            "expect": {"headers": [
                ["uber-trace-id", "%s:%s:0:3" % (T, S)],
                ["x-b3-traceid", T], ["x-b3-spanid", S], ["x-b3-flags", "1"],
            ]},
        },
    ]


def write(name, description, cases):
    doc = {"schema": "traceprop-vectors/1", "description": description, "cases": cases}
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    (OUT / name).write_text(dump(doc) + "\n")


def dump(value, indent=""):
    """JSON with objects and lists of lists broken over lines, and every
    list of scalars (a header pair, a baggage member) kept on one line."""
    inner = indent + "  "
    if isinstance(value, dict):
        items = ["%s%s: %s" % (inner, json.dumps(k), dump(v, inner)) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}" if items else "{}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [inner + dump(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def main():
    write(
        "composite.json",
        "Composite propagator: policy, conflicts, baggage merge, rejections, none, defaults, "
        "multi-format inject and translate. Generated by scripts/gen_composite_vectors.py.",
        composite_cases(),
    )
    write(
        "composite-translate.json",
        "Translate between every ordered pair of trace formats, sampled and not sampled, "
        "from the encodings of SEMANTICS.md. Generated by scripts/gen_composite_vectors.py.",
        translate_cases(),
    )


if __name__ == "__main__":
    main()
