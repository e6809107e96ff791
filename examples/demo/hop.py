"""The demo's Python hop: a standard-library HTTP service on the Python binding.

    hop.py <port> [next-hop-url]

GET /hop extracts `tracecontext,b3multi,baggage` (what the gateway sends),
continues the trace with its own child span, and calls the next hop with
`tracecontext,baggage` headers. It answers {"spans": [its span, ...the next
hop's spans]}.
"""

import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import traceprop

EXTRACT = "tracecontext,b3multi,baggage"
INJECT = "tracecontext,baggage"


def tracing_headers(headers):
    read = set(traceprop.HEADERS)
    return {k.lower(): v for k, v in headers.items() if k.lower() in read}


class Hop(BaseHTTPRequestHandler):
    next_url = ""

    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.reply({"ok": True})
        incoming = traceprop.extract(self.headers, EXTRACT)
        span_id = os.urandom(8).hex()
        if incoming is None:  # no usable context: a new trace
            ctx = traceprop.Context(os.urandom(16).hex(), span_id, sampled=True)
        else:
            ctx = incoming.with_span_id(span_id)
        record = {
            "service": "python", "language": "python",
            "trace_id": ctx.trace_id, "span_id": ctx.span_id,
            "parent_id": incoming.span_id if incoming else None,
            "extracted_from": incoming.source if incoming else None,
            "received": tracing_headers(self.headers),
        }
        spans = [record]
        if self.next_url:
            out = traceprop.inject(ctx, INJECT)
            record["sent"] = out
            try:
                req = urllib.request.Request(self.next_url, headers=out)
                with urllib.request.urlopen(req, timeout=30) as resp:
                    spans += json.loads(resp.read()).get("spans", [])
            except OSError as e:
                spans.append({"error": f"python -> {self.next_url}: {e}"})
        self.reply({"spans": spans})


def main():
    Hop.next_url = sys.argv[2] if len(sys.argv) > 2 else ""
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hop).serve_forever()


if __name__ == "__main__":
    main()
