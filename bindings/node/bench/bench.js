#!/usr/bin/env node
// Benchmarks traceprop against the OpenTelemetry JS propagators and dd-trace,
// on realistic 15-header IncomingHttpHeaders objects, in one run.
//
//   node bench/bench.js             prints a Markdown table (ns/op, median of rounds)
//   node bench/bench.js --quick     fewer iterations (a smoke run)
//   node bench/bench.js --filter=x  only cases whose name contains x
//
// Each case is warmed up, then its implementations are timed in turn, in
// ROUNDS rounds of ITERATIONS calls each; the median round is reported. Run
// it on an idle machine.
'use strict';

const api = require('@opentelemetry/api');
const core = require('@opentelemetry/core');
const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3');
const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger');
const { OTTracePropagator } = require('@opentelemetry/propagator-ot-trace');
const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');
const traceprop = require('..');
const otel = require('../opentelemetry.js');
const ddTracer = require('../test/support/dd-tracer.js');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = (args.find((a) => a.startsWith('--filter=')) || '').slice('--filter='.length);
const ROUNDS = quick ? 3 : 11;
const ITERATIONS = quick ? 20_000 : 100_000;

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

// Shared by every request: 12 headers no propagator reads.
const common = () => ({
  host: 'api.shop.example.com',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  accept: 'application/json, text/plain, */*',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-US,en;q=0.9',
  connection: 'keep-alive',
  'content-type': 'application/json',
  'content-length': '348',
  'x-forwarded-for': '203.0.113.7, 10.0.3.12',
  'x-forwarded-proto': 'https',
  'x-request-id': 'f9b3c1e0-5a8e-4c4e-9d8e-1f2a3b4c5d6e',
  cookie: 'session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ; theme=dark',
});

// W3C: traceparent, tracestate, baggage.
const w3cHeaders = {
  ...common(),
  traceparent: `00-${T}-${S}-01`,
  tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
  baggage: 'userId=alice,serverNode=DF%2028,isProduction=false',
};
// A mixed fleet: W3C, B3 single and Jaeger at once (two common headers less).
const mixed = common();
delete mixed['x-forwarded-proto'];
delete mixed.cookie;
const mixedHeaders = {
  ...mixed,
  traceparent: `00-${T}-${S}-01`,
  tracestate: 'rojo=00f067aa0ba902b7',
  baggage: 'userId=alice',
  b3: `${T}-${S}-1`,
  'uber-trace-id': `${T}:${S}:0:1`,
};
const datadogHeaders = {
  ...mixed,
  'x-datadog-trace-id': '11803532876627986230',
  'x-datadog-parent-id': '67667974448284343',
  'x-datadog-sampling-priority': '1',
  'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-1',
  traceparent: `00-${T}-${S}-01`,
};
const xrayHeaders = { ...common(), 'x-amzn-trace-id': 'Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1', baggage: 'userId=alice', 'x-extra': '1' };
const otHeaders = { ...mixed, 'ot-tracer-traceid': 'a3ce929d0e0e4736', 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'true', 'ot-baggage-user': 'alice', 'ot-baggage-tenant': 'acme' };
for (const [name, h] of Object.entries({ w3cHeaders, mixedHeaders, datadogHeaders, xrayHeaders, otHeaders })) {
  if (Object.keys(h).length !== 15) throw new Error(`${name} has ${Object.keys(h).length} headers, not 15`);
}

const ROOT = api.ROOT_CONTEXT;
const getter = api.defaultTextMapGetter;
const setter = api.defaultTextMapSetter;

const otelW3C = new core.W3CTraceContextPropagator();
const otelComposite = new core.CompositePropagator({
  propagators: [
    new core.W3CTraceContextPropagator(),
    new core.W3CBaggagePropagator(),
    new B3Propagator(),
    new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
    new JaegerPropagator(),
  ],
});
const otelXray = new core.CompositePropagator({ propagators: [new AWSXRayPropagator(), new core.W3CBaggagePropagator()] });
const otelOt = new OTTracePropagator();

const COMPOSITE = 'tracecontext,baggage,b3,b3multi,jaeger';
const tc = traceprop.configure('tracecontext');
const composite = traceprop.configure(COMPOSITE);
const ddConfig = traceprop.configure('datadog,tracecontext', { policy: 'first' });
const xrayConfig = traceprop.configure('xray,baggage');
const otConfig = traceprop.configure('ottrace');
const ourTc = new otel.TraceContextPropagator();
const ourComposite = new otel.TracepropPropagator(composite);

const spanContext = { traceId: T, spanId: S, traceFlags: 1, isRemote: false };
const tsContext = { ...spanContext, traceState: api.createTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE') };
const otelCtx = api.trace.setSpanContext(ROOT, spanContext);
const otelCtxFull = api.propagation.setBaggage(
  api.trace.setSpanContext(ROOT, tsContext),
  api.propagation.createBaggage({ userId: { value: 'alice' } }),
);
const plainCtx = { traceId: T, spanId: S, sampled: true };
const fullCtx = { ...plainCtx, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', baggage: [{ key: 'userId', value: 'alice' }] };

let sink;
const cases = [
  // [group, implementation, fn]
  ['extract traceparent (w3c headers)', 'OTel W3CTraceContextPropagator', () => (sink = otelW3C.extract(ROOT, w3cHeaders, getter))],
  ['extract traceparent (w3c headers)', 'traceprop extract()', () => (sink = traceprop.extract(w3cHeaders, tc))],
  ['extract traceparent (w3c headers)', 'traceprop OTel TraceContextPropagator', () => (sink = ourTc.extract(ROOT, w3cHeaders, getter))],
  [`extract composite ${COMPOSITE} (mixed headers)`, 'OTel CompositePropagator', () => (sink = otelComposite.extract(ROOT, mixedHeaders, getter))],
  [`extract composite ${COMPOSITE} (mixed headers)`, 'traceprop extract()', () => (sink = traceprop.extract(mixedHeaders, composite))],
  [`extract composite ${COMPOSITE} (mixed headers)`, 'traceprop OTel TracepropPropagator', () => (sink = ourComposite.extract(ROOT, mixedHeaders, getter))],
  [`extract composite ${COMPOSITE} (w3c headers)`, 'OTel CompositePropagator', () => (sink = otelComposite.extract(ROOT, w3cHeaders, getter))],
  [`extract composite ${COMPOSITE} (w3c headers)`, 'traceprop extract()', () => (sink = traceprop.extract(w3cHeaders, composite))],
  [`extract composite ${COMPOSITE} (w3c headers)`, 'traceprop OTel TracepropPropagator', () => (sink = ourComposite.extract(ROOT, w3cHeaders, getter))],
  ['inject traceparent', 'OTel W3CTraceContextPropagator', () => otelW3C.inject(otelCtx, (sink = {}), setter)],
  ['inject traceparent', 'traceprop inject()', () => (sink = traceprop.inject(plainCtx, tc))],
  ['inject traceparent', 'traceprop OTel TraceContextPropagator', () => ourTc.inject(otelCtx, (sink = {}), setter)],
  [`inject composite ${COMPOSITE}`, 'OTel CompositePropagator', () => otelComposite.inject(otelCtx, (sink = {}), setter)],
  [`inject composite ${COMPOSITE}`, 'traceprop inject()', () => (sink = traceprop.inject(plainCtx, composite))],
  [`inject composite ${COMPOSITE}`, 'traceprop OTel TracepropPropagator', () => ourComposite.inject(otelCtx, (sink = {}), setter)],
  [`inject composite ${COMPOSITE} + tracestate + baggage`, 'OTel CompositePropagator', () => otelComposite.inject(otelCtxFull, (sink = {}), setter)],
  [`inject composite ${COMPOSITE} + tracestate + baggage`, 'traceprop inject()', () => (sink = traceprop.inject(fullCtx, composite))],
  [`inject composite ${COMPOSITE} + tracestate + baggage`, 'traceprop OTel TracepropPropagator', () => ourComposite.inject(otelCtxFull, (sink = {}), setter)],
  ['extract xray,baggage (x-ray headers)', 'OTel AWSXRayPropagator + W3CBaggagePropagator', () => (sink = otelXray.extract(ROOT, xrayHeaders, getter))],
  ['extract xray,baggage (x-ray headers)', 'traceprop extract()', () => (sink = traceprop.extract(xrayHeaders, xrayConfig))],
  ['extract ottrace (ot headers)', 'OTel OTTracePropagator', () => (sink = otelOt.extract(ROOT, otHeaders, getter))],
  ['extract ottrace (ot headers)', 'traceprop extract()', () => (sink = traceprop.extract(otHeaders, otConfig))],
  ['extract datadog,tracecontext (datadog headers)', 'dd-trace tracer.extract(http_headers)', () => (sink = ddTracer.extract('http_headers', datadogHeaders))],
  ['extract datadog,tracecontext (datadog headers)', 'traceprop extract()', () => (sink = traceprop.extract(datadogHeaders, ddConfig))],
  ['inject datadog,tracecontext', 'dd-trace tracer.inject(http_headers)', () => ddTracer.inject(ddSpanContext, 'http_headers', (sink = {}))],
  ['inject datadog,tracecontext', 'traceprop inject()', () => (sink = traceprop.inject(ddContext, ddConfig))],
];
const ddSpanContext = ddTracer.extract('http_headers', datadogHeaders);
const ddContext = traceprop.extract(datadogHeaders, ddConfig);

function time(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn();
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

/**
 * Times every case. The implementations of one case take turns round by
 * round, so a change in machine load hits them alike; each gets the median
 * of its rounds.
 */
function run() {
  const groups = new Map();
  for (const [group, impl, fn] of cases) {
    if (filter && !`${group} ${impl}`.includes(filter)) continue;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push({ impl, fn, rounds: [] });
  }
  const rows = [];
  for (const [group, impls] of groups) {
    for (const i of impls) for (let w = 0; w < 3; w++) time(i.fn); // warm up
    for (let r = 0; r < ROUNDS; r++) for (const i of impls) i.rounds.push(time(i.fn));
    for (const i of impls) {
      i.rounds.sort((a, b) => a - b);
      rows.push({ group, impl: i.impl, ns: i.rounds[Math.floor(ROUNDS / 2)] });
    }
  }
  return rows;
}

function table(rows) {
  const lines = ['| case | implementation | ns/op | vs. reference |', '|---|---|---:|---:|'];
  let reference;
  let group;
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      reference = r.ns;
    }
    const ratio = r.ns === reference ? 'reference' : `${(reference / r.ns).toFixed(2)}x`;
    lines.push(`| ${r.group} | ${r.impl} | ${r.ns.toFixed(0)} | ${ratio} |`);
  }
  return lines.join('\n');
}

console.log(`node ${process.version}, ${require('node:os').cpus()[0].model}, ${ROUNDS} rounds x ${ITERATIONS} calls, median ns/op`);
console.log('("vs. reference": how many times faster than the first row of the case; > 1 is faster)\n');
console.log(table(run()));
void sink;
