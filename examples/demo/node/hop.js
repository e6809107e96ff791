// The demo's Node hop: node:http with OpenTelemetry JS (API + SDK tracer),
// using the traceprop propagator (the Node binding) as its TextMapPropagator.
//
//   node hop.js <port> [next-hop-url]
//
// GET /hop extracts `xray,baggage` (what the Go hop sends), starts a child
// span with the SDK's tracer, and calls the next hop with B3 single and
// Jaeger headers (plus baggage, as uberctx-*). It answers
// {"spans": [its span, ...the next hop's spans]}.
'use strict';
const http = require('node:http');
const { context, propagation, trace, ROOT_CONTEXT } = require('@opentelemetry/api');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { TracepropPropagator } = require('../../../bindings/node/opentelemetry');

const extractWith = new TracepropPropagator({ propagators: 'xray,baggage' });
const injectWith = new TracepropPropagator({ propagators: 'b3,jaeger' });
const tracer = new BasicTracerProvider().getTracer('demo-node');
const READ = /^(traceparent|tracestate|baggage|b3|x-amzn-trace-id|uber-trace-id|uberctx-.*|x-b3-.*)$/;

function tracingHeaders(headers) {
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (READ.test(k)) out[k] = String(v);
  return out;
}

function get(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

async function hop(req, next) {
  const parentCtx = extractWith.extract(ROOT_CONTEXT, req.headers, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
  const parent = trace.getSpanContext(parentCtx);
  const span = tracer.startSpan('hop', { kind: 1 }, parentCtx);
  const sc = span.spanContext();
  const record = {
    service: 'node', language: 'node', trace_id: sc.traceId, span_id: sc.spanId,
    parent_id: parent ? parent.spanId : null, received: tracingHeaders(req.headers),
  };
  const spans = [record];
  if (next) {
    const out = {};
    injectWith.inject(trace.setSpan(parentCtx, span), out, { set: (c, k, v) => { c[k] = v; } });
    record.sent = tracingHeaders(out);
    try {
      const downstream = await get(next, out);
      spans.push(...(downstream.spans || []));
    } catch (e) {
      spans.push({ error: `node -> ${next}: ${e.message}` });
    }
  }
  span.end();
  return { spans };
}

const [port, next] = process.argv.slice(2);
propagation.setGlobalPropagator(extractWith);
http.createServer((req, res) => {
  const done = (body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/health') return done({ ok: true });
  context.with(ROOT_CONTEXT, () => hop(req, next).then(done, (e) => done({ spans: [{ error: `node: ${e.message}` }] })));
}).listen(Number(port), '127.0.0.1');
