"""Extract and inject on a realistic 15-header request, in one run:
traceprop against opentelemetry-python's propagators and ddtrace's
HTTPPropagator. Prints a Markdown table (docs/benchmarks/python.md).

    make python-bench      # or: python bindings/python/benchmarks/bench.py
    python bindings/python/benchmarks/bench.py --instructions   # needs valgrind

Each figure is the best of 9 rounds of 10 000 calls, peer and traceprop
interleaved within each round (microseconds per call). With
``--instructions`` it counts instructions per call under valgrind's callgrind
instead: slower, but the same on a busy machine as on an idle one.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import timeit
from typing import Callable

os.environ["DD_TRACE_PROPAGATION_STYLE"] = "datadog,tracecontext,baggage"
os.environ["DD_INSTRUMENTATION_TELEMETRY_ENABLED"] = "false"
os.environ["DD_REMOTE_CONFIGURATION_ENABLED"] = "false"
os.environ["DD_TRACE_AGENT_URL"] = "http://127.0.0.1:8126"

from ddtrace.propagation.http import HTTPPropagator  # noqa: E402
from opentelemetry import version as otel_version  # noqa: E402
from opentelemetry.baggage.propagation import W3CBaggagePropagator  # noqa: E402
from opentelemetry.propagators.aws import AwsXRayPropagator  # noqa: E402
from opentelemetry.propagators.b3 import B3MultiFormat  # noqa: E402
from opentelemetry.propagators.composite import CompositePropagator  # noqa: E402
from opentelemetry.propagators.jaeger import JaegerPropagator  # noqa: E402
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator  # noqa: E402

import ddtrace  # noqa: E402
import traceprop  # noqa: E402
from traceprop.opentelemetry import TracepropPropagator  # noqa: E402

#: A browser-ish request through a proxy: 12 ordinary headers and 3 trace headers.
REQUEST = {
    "host": "api.example.com",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "accept": "application/json, text/plain, */*",
    "accept-encoding": "gzip, deflate, br",
    "accept-language": "en-US,en;q=0.9",
    "content-type": "application/json",
    "content-length": "348",
    "x-request-id": "d4f5a1c2-1b2c-4d5e-8f90-123456789abc",
    "x-forwarded-for": "203.0.113.7, 198.51.100.2",
    "x-forwarded-proto": "https",
    "authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    "cookie": "session=7f3a9c; theme=dark; consent=1",
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    "baggage": "userId=alice,serverNode=DF%2028,isProduction=false",
}
#: The same request as a Datadog tracer sends it (for ddtrace's default styles).
DD_REQUEST = {k: v for k, v in REQUEST.items() if k not in ("tracestate",)}
DD_REQUEST.update({"x-datadog-trace-id": "11803532876627986230", "x-datadog-parent-id": "67667974448284343",
                   "x-datadog-sampling-priority": "1", "x-datadog-tags": "_dd.p.dm=-4,_dd.p.tid=4bf92f3577b34da6"})
DD_REQUEST.pop("x-request-id")
DD_REQUEST.pop("accept-language")
DD_REQUEST.pop("cookie")
assert len(REQUEST) == 15 and len(DD_REQUEST) == 15


def timed(*fns: Callable[[], object], number: int = 10_000, rounds: int = 9) -> list[float]:
    """Microseconds per call of each of ``fns``: the best of ``rounds`` rounds,
    the functions interleaved within each round so that a busy moment of the
    machine affects them alike."""
    bests = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            bests[i] = min(bests[i], timeit.timeit(fn, number=number) / number * 1e6)
    return bests


def row(name: str, theirs: tuple[float, float], ours: tuple[float, float], adapter: tuple[float, float] | None) -> str:
    cells = [name]
    for i in (0, 1):
        cells.append(f"{theirs[i]:.2f}")
        cells.append(f"{ours[i]:.2f} (**{theirs[i] / ours[i]:.1f}x**)")
        cells.append("" if adapter is None else f"{adapter[i]:.2f} ({theirs[i] / adapter[i]:.1f}x)")
    return "| " + " | ".join(cells) + " |"


def otel_calls(prop: CompositePropagator, headers: dict[str, str]) -> tuple[Callable[[], object], Callable[[], object]]:
    ctx = prop.extract(headers)
    return (lambda: prop.extract(headers)), (lambda: prop.inject({}, context=ctx))


def ours_calls(config: traceprop.Config, headers: dict[str, str]) -> tuple[Callable[[], object], Callable[[], object]]:
    ctx = config.extract(headers)
    assert ctx is not None
    return (lambda: config.extract(headers)), (lambda: config.inject(ctx))


def adapter_calls(prop: TracepropPropagator, headers: dict[str, str]) -> tuple[Callable[[], object], Callable[[], object]]:
    ctx = prop.extract(headers)
    return (lambda: prop.extract(headers)), (lambda: prop.inject({}, context=ctx))


def workloads() -> dict[str, tuple[Callable[[], object], ...]]:
    """Every timed call by name: (peer, traceprop, traceprop via OTel API)."""
    w3c = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
    many = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator(), B3MultiFormat(), JaegerPropagator(), AwsXRayPropagator()])
    formats = "tracecontext,baggage,b3multi,jaeger,xray"
    default = (otel_calls(w3c, REQUEST), ours_calls(traceprop.Config("tracecontext,baggage"), REQUEST),
               adapter_calls(TracepropPropagator("tracecontext,baggage"), REQUEST))
    five = (otel_calls(many, REQUEST), ours_calls(traceprop.Config(formats), REQUEST),
            adapter_calls(TracepropPropagator(formats), REQUEST))
    dd_ctx = HTTPPropagator.extract(DD_REQUEST)

    def dd_inject() -> None:
        HTTPPropagator.inject(dd_ctx, {})

    dd = (((lambda: HTTPPropagator.extract(DD_REQUEST)), dd_inject),
          ours_calls(traceprop.Config("datadog,tracecontext,baggage", "first"), DD_REQUEST))
    return {
        "OTel composite `tracecontext,baggage` (the default)": default,
        f"OTel composite `{formats}`": five,
        "ddtrace `HTTPPropagator` (`datadog,tracecontext,baggage`)": dd,
    }


def instructions(name: str, column: int, op: int, n: int) -> float:
    """Instructions per call of one workload's call, under callgrind:
    (count with ``n`` calls - count with none) / ``n``."""
    def run(calls: int) -> int:
        r = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
             "--run", name, str(column), str(op), str(calls)],
            capture_output=True, text=True, check=True,
        )
        m = re.search(r"Collected : (\d+)", r.stderr)
        assert m, r.stderr[-2000:]
        return int(m.group(1))

    return (run(n) - run(0)) / n


def main() -> None:
    print(f"Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}; "
          f"opentelemetry-api {otel_version.__version__}, ddtrace {ddtrace.__version__}, traceprop {traceprop.__version__}")
    print()
    counting = "--instructions" in sys.argv
    unit = "k instructions" if counting else "µs"
    print(f"| workload (15-header request) | extract: peer {unit} | extract: traceprop {unit} "
          f"| extract: traceprop via OTel API {unit} | inject: peer {unit} | inject: traceprop {unit} "
          f"| inject: traceprop via OTel API {unit} |")
    print("|---|---|---|---|---|---|---|")
    for name, calls in workloads().items():
        if counting:
            per = [[instructions(name, col, op, 2000) / 1000 for col in range(len(calls))] for op in (0, 1)]
        else:
            per = [timed(*(c[op] for c in calls)) for op in (0, 1)]
        adapter = (per[0][2], per[1][2]) if len(calls) > 2 else None
        print(row(name, (per[0][0], per[1][0]), (per[0][1], per[1][1]), adapter))


def run_one(name: str, column: int, op: int, calls: int) -> None:
    fn = workloads()[name][column][op]
    for _ in range(calls):
        fn()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        run_one(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
