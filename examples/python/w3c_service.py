"""A service for the W3C Trace Context test suite, built on traceprop.

The suite (github.com/w3c/trace-context, folder ``test/``) POSTs to ``/test``
a JSON list of ``{"url": ..., "arguments": ...}`` with the trace headers under
test. For each item this service POSTs ``arguments`` as JSON to ``url``,
propagating the incoming context as a child: same trace id, a new parent id
per call, the flags kept (sampled and random), the tracestate forwarded when
it is valid; a fresh trace when the incoming traceparent is missing or
invalid. Standard library only (plus traceprop).

    python examples/python/w3c_service.py --port 5000

See bindings/python/README.md ("W3C test suite") for running the suite.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import traceprop

#: The suite tests traceparent and tracestate only.
CONFIG = traceprop.Config("tracecontext")


def incoming_context(headers: Any) -> traceprop.Context:
    """The request's context, or the start of a new trace (all 128 bits of
    a new trace id are random, so its random flag is set)."""
    ctx = CONFIG.extract(headers)
    if ctx is None:
        ctx = traceprop.Context(traceprop.new_trace_id(), traceprop.new_span_id(), False, random=True)
    return ctx


def call(url: str, arguments: Any, ctx: traceprop.Context, timeout: float = 5.0) -> None:
    """POSTs ``arguments`` as JSON to ``url`` as a new child span of ``ctx``."""
    child = ctx.with_span_id(traceprop.new_span_id())
    headers = {"Content-Type": "application/json", **CONFIG.inject(child)}
    body = json.dumps(arguments).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


class Handler(BaseHTTPRequestHandler):
    """``POST /test``: the suite's service protocol."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.path != "/test":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            actions = json.loads(self.rfile.read(length) or b"[]")
            if not isinstance(actions, list):
                raise ValueError("body must be a JSON list")
            ctx = incoming_context(self.headers)
            for action in actions:
                call(action["url"], action.get("arguments", []), ctx)
        except (ValueError, KeyError, TypeError, OSError) as e:
            self.send_error(400, str(e))
            return
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: the suite sends hundreds of requests


def server(port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:``port`` (0 picks a free port); call ``serve_forever``."""
    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5000, help="port on 127.0.0.1 (default 5000)")
    args = parser.parse_args()
    with server(args.port) as httpd:
        print(f"W3C trace-context service on http://127.0.0.1:{httpd.server_port}/test", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
