#!/usr/bin/env node
// A node:http service that continues incoming traces with traceprop's
// OpenTelemetry propagator, configured from the environment like any
// OpenTelemetry service (OTEL_PROPAGATORS, or Datadog's
// DD_TRACE_PROPAGATION_STYLE*).
//
//   cd examples/node && npm install ../../bindings/node @opentelemetry/api
//   OTEL_PROPAGATORS=tracecontext,baggage,b3multi node service.js 8080
//   curl -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
//        -H 'baggage: user=alice' localhost:8080/hello
//
// GET /hello extracts the caller's context, starts a child span (a new span
// id in the same trace, as a tracer would), and calls GET /downstream on this
// same service with the child injected. The answer shows both sides.
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const api = require('@opentelemetry/api');
const { propagatorFromEnv } = require('traceprop/opentelemetry');

api.propagation.setGlobalPropagator(propagatorFromEnv(process.env));

/** A child of the context's span, or the root of a new trace. */
function childContext(parent) {
  const remote = api.trace.getSpanContext(parent);
  const spanId = crypto.randomBytes(8).toString('hex');
  const child = remote
    ? { ...remote, spanId, isRemote: false }
    : { traceId: crypto.randomBytes(16).toString('hex'), spanId, traceFlags: api.TraceFlags.SAMPLED };
  return api.trace.setSpanContext(parent, child);
}

function describe(ctx) {
  const sc = api.trace.getSpanContext(ctx);
  const baggage = api.propagation.getBaggage(ctx);
  return {
    traceId: sc ? sc.traceId : null,
    spanId: sc ? sc.spanId : null,
    sampled: sc ? (sc.traceFlags & api.TraceFlags.SAMPLED) === 1 : null,
    baggage: baggage ? Object.fromEntries(baggage.getAllEntries().map(([k, e]) => [k, e.value])) : {},
  };
}

function get(port, path, headers) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

function createService() {
  const server = http.createServer(async (req, res) => {
    const incoming = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    let answer;
    if (req.url === '/downstream') {
      answer = { received: describe(incoming) };
    } else if (req.url === '/hello') {
      const child = childContext(incoming);
      const outgoing = {};
      api.propagation.inject(child, outgoing);
      const downstream = await get(server.address().port, '/downstream', outgoing);
      answer = { incoming: describe(incoming), sent: outgoing, downstream: downstream.received };
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer, null, 2));
  });
  return server;
}

module.exports = { createService };

if (require.main === module) {
  const server = createService();
  server.listen(Number(process.argv[2] || process.env.PORT || 8080), '127.0.0.1', () => {
    const { port } = server.address();
    console.log(`listening on http://127.0.0.1:${port}/hello`);
  });
}
