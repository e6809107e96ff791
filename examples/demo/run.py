#!/usr/bin/env python3
"""The libtraceprop demo: a polyglot chain of real HTTP services on loopback,
each using its own libtraceprop binding, and the trace they produce.

    client (Datadog headers) -> gateway (Rust) -> Python -> Go -> Node -> C [-> JVM]

Every hop answers GET /health and GET /hop; /hop extracts the incoming context
with its binding, records its own span (service, trace id, span id, parent id,
headers received and sent), calls the next hop with the headers its binding
injects, and answers {"spans": [its span, ...downstream spans]}.

    run.py            run the chain, print the trace tree and a verdict;
                      exit 1 if the trace is broken
    run.py --broken   run it twice, once with a naive gateway that ignores
                      x-datadog-*, and show both traces side by side

Standard library only. The services are built by `make demo` (see Makefile).
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo"
TRACING_HEADERS = (
    "traceparent", "tracestate", "baggage", "b3", "uber-trace-id", "x-amzn-trace-id",
    "x-cloud-trace-context", "sw8", "grpc-trace-bin",
)
FORMAT_OF = {  # header name (or prefix) -> format, for the "formats at each border" line
    "traceparent": "tracecontext", "tracestate": "tracecontext", "baggage": "baggage",
    "b3": "b3", "x-b3-": "b3multi", "uber-trace-id": "jaeger", "uberctx-": "jaeger",
    "ot-tracer-": "ottrace", "x-datadog-": "datadog", "x-amzn-trace-id": "xray",
    "x-cloud-trace-context": "cloudtrace", "sw8": "sw8", "grpc-trace-bin": "grpc-trace-bin",
}


def hops():
    """(service, language, command) of every hop, in call order. The last hop
    gets no next-hop URL."""
    venv_python = ROOT / "target" / "python-venv" / "bin" / "python"
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    chain = [
        ("gateway", "rust", [str(target / "debug" / "traceprop-demo-gateway")]),
        ("python", "python", [str(venv_python), str(DEMO / "hop.py")]),
        ("go", "go", [str(target / "demo" / "hop-go")]),
        ("node", "node", ["node", str(DEMO / "node" / "hop.js")]),
        ("c", "c", [str(target / "demo" / "hop-c")]),
    ]
    jvm = DEMO / "jvm" / "run.sh"
    if jvm.exists() and os.environ.get("DEMO_JVM", "1") == "1":
        chain.append(("jvm", "java", [str(jvm)]))
    return chain


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None, timeout=30):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


class Chain:
    """Starts every hop (last first), health-checks it, stops them all on exit."""

    def __init__(self, naive_gateway):
        self.naive = naive_gateway
        self.procs = []

    def __enter__(self):
        try:
            next_url = ""
            for service, _, cmd in reversed(hops()):
                port = free_port()
                env = dict(os.environ, DEMO_NAIVE="1" if self.naive and service == "gateway" else "0")
                args = cmd + [str(port)] + ([next_url] if next_url else [])
                self.procs.append((service, subprocess.Popen(
                    args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
                self.wait_healthy(service, port)
                next_url = f"http://127.0.0.1:{port}/hop"
            self.entry = next_url
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def wait_healthy(self, service, port, timeout=60):
        deadline = time.monotonic() + timeout
        proc = self.procs[-1][1]
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{service} exited early ({proc.returncode}): {proc.stderr.read()}")
            try:
                get(f"http://127.0.0.1:{port}/health", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{service} did not become healthy on port {port}")

    def __exit__(self, *exc):
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for service, proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.logs = {s: (p.stderr.read() if p.stderr else "") for s, p in self.procs}
        return False


def client_span():
    """What a DDTrace-instrumented client sends: 64-bit decimal ids plus the
    high half of the 128-bit trace id in _dd.p.tid."""
    trace_id = secrets.randbits(128) | (1 << 127)
    span_id = secrets.randbits(64) | 1
    high, low = trace_id >> 64, trace_id & (2**64 - 1)
    headers = {
        "x-datadog-trace-id": str(low),
        "x-datadog-parent-id": str(span_id),
        "x-datadog-sampling-priority": "1",
        "x-datadog-tags": f"_dd.p.tid={high:016x},_dd.p.dm=-1",
        "baggage": "tenant=acme,user.id=Am%C3%A9lie",
    }
    span = {
        "service": "client", "language": "dd-trace", "trace_id": f"{trace_id:032x}",
        "span_id": f"{span_id:016x}", "parent_id": None, "received": {}, "sent": headers,
    }
    return span, headers


def run_once(naive_gateway):
    span, headers = client_span()
    with Chain(naive_gateway) as chain:
        reply = get(chain.entry, headers)
    spans = [span] + reply.get("spans", [])
    return spans, chain.logs


def formats(headers):
    found = []
    for name in headers:
        for key, fmt in FORMAT_OF.items():
            if (name == key or (key.endswith("-") and name.startswith(key))) and fmt not in found:
                found.append(fmt)
    return found


def verdict(spans):
    """(whole, one-line verdict). Whole: one trace id, and each hop's parent is
    the previous hop's span."""
    errors = [s for s in spans if "error" in s]
    if errors:
        return False, f"a hop failed: {errors[0]['error']}"
    root = spans[0]["trace_id"]
    for prev, cur in zip(spans, spans[1:]):
        if cur["trace_id"] != root:
            return False, (f"BROKEN: {cur['service']} started a new trace {cur['trace_id']} "
                           f"(the caller {prev['service']} sent {', '.join(formats(cur['received'])) or 'nothing it read'})")
        if cur["parent_id"] != prev["span_id"]:
            return False, f"BROKEN: {cur['service']}'s parent {cur['parent_id']} is not {prev['service']}'s span {prev['span_id']}"
    return True, f"WHOLE: one trace {root} across {len(spans)} spans, every parent link correct"


def tree(spans, compact=False):
    """The trace as indented lines, grouped by trace id (compact: ids and
    services only, for the side-by-side view)."""
    lines = []
    traces = []
    for s in spans:
        if "error" in s:
            lines.append(f"!! {s['error']}")
            continue
        if s["trace_id"] not in traces:
            traces.append(s["trace_id"])
            lines.append(f"trace {s['trace_id']}")
        depth = sum(1 for t in spans if "error" not in t and t["trace_id"] == s["trace_id"]
                    and spans.index(t) < spans.index(s))
        fin = ",".join(formats(s.get("received", {}))) or "-"
        fout = ",".join(formats(s.get("sent", {}))) or "-"
        if compact:
            lines.append(f"{'  ' * depth}└─ {s['service']:<7} span {s['span_id']}")
        else:
            lines.append(f"{'   ' * depth}└─ {s['service']:<8} ({s['language']:<8}) span {s['span_id']}"
                         f" parent {s['parent_id'] or '-':<16}  in: {fin:<22} out: {fout}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--broken", action="store_true", help="also run with a naive gateway and compare")
    ap.add_argument("--json", action="store_true", help="print the spans as JSON")
    args = ap.parse_args()

    spans, logs = run_once(naive_gateway=False)
    whole, line = verdict(spans)
    if args.json:
        print(json.dumps({"whole": whole, "verdict": line, "spans": spans}, indent=2))
        return 0 if whole else 1
    if not args.broken:
        print("\n".join(tree(spans)))
        print()
        for s in spans[1:]:
            if "error" not in s:
                print(f"  border -> {s['service']:<8} {', '.join(formats(s['received']))}")
        last = spans[-1]
        if "error" not in last and last.get("received", {}).get("baggage"):
            print(f"\n  baggage at the last hop ({last['service']}): {last['received']['baggage']}")
        if logs.get("gateway", "").strip():
            print("\n" + logs["gateway"].strip())
        print("\n" + ("✓ " if whole else "✗ ") + line)
        return 0 if whole else 1

    bad_spans, _ = run_once(naive_gateway=True)
    bad_whole, bad_line = verdict(bad_spans)
    left = ["naive gateway (reads traceparent only)", ""] + tree(bad_spans, compact=True)
    right = ["libtraceprop gateway (datadog,tracecontext in)", ""] + tree(spans, compact=True)
    width = max(len(l) for l in left) + 4
    for i in range(max(len(left), len(right))):
        l = left[i] if i < len(left) else ""
        r = right[i] if i < len(right) else ""
        print(f"{l:<{width}}{r}")
    print()
    print(("✓ " if bad_whole else "✗ ") + "naive:  " + bad_line)
    print(("✓ " if whole else "✗ ") + "traceprop: " + line)
    return 0 if whole and not bad_whole else 1


if __name__ == "__main__":
    sys.exit(main())
