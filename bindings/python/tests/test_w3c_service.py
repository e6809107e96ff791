"""examples/python/w3c_service.py speaks the W3C trace-context suite's
service protocol: tested on loopback with our own callback server."""

from __future__ import annotations

import http.client
import importlib.util
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import traceprop

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "w3c_service.py"
T = "12345678901234567890123456789012"
P = "1234567890123456"


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("w3c_service", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["w3c_service"] = module
    spec.loader.exec_module(module)
    return module


class Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, list[tuple[str, str]], Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.received.append((self.path, [(k.lower(), v) for k, v in self.headers.items()], body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def serve(httpd: ThreadingHTTPServer) -> None:
    threading.Thread(target=httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def urls() -> Iterator[tuple[str, str]]:
    service = load_example().server(0)
    callback = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    serve(service)
    serve(callback)
    yield (f"http://127.0.0.1:{service.server_port}/test", f"http://127.0.0.1:{callback.server_port}")
    service.shutdown()
    callback.shutdown()


def run(urls: tuple[str, str], headers: list[tuple[str, str]], calls: int = 1) -> list[dict[str, list[str]]]:
    service, callback = urls
    Recorder.received.clear()
    actions = [{"url": f"{callback}/scope.{i}", "arguments": [i]} for i in range(calls)]
    # http.client sends repeated and oddly cased header lines as given.
    url = urllib.parse.urlsplit(service)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    body = json.dumps(actions).encode()
    conn.putrequest("POST", url.path)
    for k, v in [*headers, ("Content-Length", str(len(body)))]:
        conn.putheader(k, v)
    conn.endheaders(body)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert sorted(path for path, _, _ in Recorder.received) == [f"/scope.{i}" for i in range(calls)]
    assert sorted(body[0] for _, _, body in Recorder.received) == list(range(calls))
    out = []
    for _, lines, _ in Recorder.received:
        d: dict[str, list[str]] = {}
        for k, v in lines:
            d.setdefault(k, []).append(v)
        out.append(d)
    return out


def parent(headers: dict[str, list[str]]) -> traceprop.Context:
    assert len(headers["traceparent"]) == 1
    ctx = traceprop.extract(headers, "tracecontext")
    assert ctx is not None, headers["traceparent"]
    assert headers["traceparent"][0].startswith("00-")
    return ctx


def test_valid_context_is_continued_as_a_child(urls: tuple[str, str]) -> None:
    got = run(urls, [("traceparent", f"00-{T}-{P}-01"), ("tracestate", "foo=1,bar=2"), ("TraceState", "rojo=1")], calls=3)
    ctxs = [parent(h) for h in got]
    assert {c.trace_id for c in ctxs} == {T}
    assert len({c.span_id for c in ctxs}) == 3 and P not in {c.span_id for c in ctxs}
    assert all(c.sampled for c in ctxs)
    assert all(h["tracestate"] == ["foo=1,bar=2,rojo=1"] for h in got)


def test_flags_are_kept(urls: tuple[str, str]) -> None:
    (h,) = run(urls, [("traceparent", f"00-{T}-{P}-02")])
    assert h["traceparent"][0].endswith("-02")
    (h,) = run(urls, [("traceparent", f"00-{T}-{P}-00")])
    assert h["traceparent"][0].endswith("-00")


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("traceparent", f"00-{'0' * 32}-{P}-01")],
        [("traceparent", f"00-{T}-{P}-01"), ("traceparent", f"00-{T[:-1]}1-{P}-01")],
        [("trace-parent", f"00-{T}-{P}-01"), ("tracestate", "foo=1")],
        [("traceparent", f"ff-{T}-{P}-01")],
    ],
)
def test_invalid_or_missing_context_restarts_the_trace(urls: tuple[str, str], headers: list[tuple[str, str]]) -> None:
    got = run(urls, headers, calls=2)
    ctxs = [parent(h) for h in got]
    assert len({c.trace_id for c in ctxs}) == 1 and ctxs[0].trace_id != T
    assert ctxs[0].span_id != ctxs[1].span_id
    assert all("tracestate" not in h for h in got)


def test_invalid_tracestate_is_dropped(urls: tuple[str, str]) -> None:
    (h,) = run(urls, [("traceparent", f"00-{T}-{P}-01"), ("tracestate", "foo=1,FOO=2")])
    assert parent(h).trace_id == T and "tracestate" not in h


def test_bad_request_is_rejected(urls: tuple[str, str]) -> None:
    request = urllib.request.Request(urls[0], data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request, timeout=5)
    assert e.value.code == 400
