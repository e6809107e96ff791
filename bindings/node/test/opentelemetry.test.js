'use strict';
// The OpenTelemetry JS TextMapPropagators: through the global propagation
// API, with custom getters and setters, and with the fields an
// OpenTelemetry SpanContext cannot hold (no decision, debug, Datadog, X-Ray
// and SkyWalking fields) carried from extract to inject.
const test = require('node:test');
const assert = require('node:assert/strict');
const api = require('@opentelemetry/api');
const otel = require('../opentelemetry.js');
const traceprop = require('..');

const { trace, propagation, ROOT_CONTEXT } = api;
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const CHILD = '1111111111111111';

function injected(propagator, ctx) {
  const carrier = {};
  propagator.inject(ctx, carrier, api.defaultTextMapSetter);
  return carrier;
}

test('the global propagation API extracts and injects through TracepropPropagator', () => {
  propagation.setGlobalPropagator(new otel.TracepropPropagator({ propagators: 'tracecontext,baggage,b3' }));
  try {
    const incoming = { traceparent: `00-${T}-${S}-01`, tracestate: 'rojo=1', baggage: 'user=alice%20smith;p=1' };
    const ctx = propagation.extract(ROOT_CONTEXT, incoming);
    const sc = trace.getSpanContext(ctx);
    assert.deepEqual(
      { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags, isRemote: sc.isRemote, ts: sc.traceState.serialize() },
      { traceId: T, spanId: S, traceFlags: 1, isRemote: true, ts: 'rojo=1' },
    );
    const entry = propagation.getBaggage(ctx).getEntry('user');
    assert.equal(entry.value, 'alice smith');
    assert.equal(entry.metadata.toString(), 'p=1');
    // A child span of the remote parent, as a tracer would start it.
    const child = trace.setSpanContext(ctx, { ...sc, spanId: CHILD, isRemote: false });
    const out = {};
    propagation.inject(child, out);
    assert.deepEqual(out, {
      traceparent: `00-${T}-${CHILD}-01`,
      tracestate: 'rojo=1',
      baggage: 'user=alice%20smith;p=1',
      b3: `${T}-${CHILD}-1`,
    });
    assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']);
  } finally {
    propagation.disable();
  }
});

test('custom getters and setters', () => {
  const p = new otel.JaegerPropagator();
  const carrier = new Map([['Uber-Trace-Id', `${T}:${S}:0:1`], ['UberCtx-User', 'alice']]);
  const getter = {
    get: (c, k) => c.get(k) ?? [...c].find(([name]) => name.toLowerCase() === k)?.[1],
    keys: (c) => [...c.keys()],
  };
  const ctx = p.extract(ROOT_CONTEXT, carrier, getter);
  assert.equal(trace.getSpanContext(ctx).traceId, T);
  assert.equal(propagation.getBaggage(ctx).getEntry('User').value, 'alice');
  const set = [];
  p.inject(ctx, null, { set: (c, k, v) => set.push([k, v]) });
  assert.deepEqual(set, [['uber-trace-id', `${T}:${S}:0:1`], ['uberctx-user', 'alice']]); // header names are written lowercase
});

test('a proxy re-injects what OpenTelemetry cannot hold: no decision and debug', () => {
  const b3 = new otel.TracepropPropagator({ propagators: 'b3multi' });
  const deferred = b3.extract(ROOT_CONTEXT, { 'x-b3-traceid': T, 'x-b3-spanid': S });
  assert.equal(trace.getSpanContext(deferred).traceFlags, 0);
  assert.equal(deferred.getValue(otel.TRACEPROP_CONTEXT_KEY).sampled, null);
  assert.deepEqual(injected(b3, deferred), { 'x-b3-traceid': T, 'x-b3-spanid': S });
  const debug = b3.extract(ROOT_CONTEXT, { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' });
  assert.deepEqual(injected(b3, debug), { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' });
  // A child span makes its own decision: sampled or not, never deferred or debug.
  const child = trace.setSpanContext(debug, { traceId: T, spanId: CHILD, traceFlags: 1, isRemote: false });
  assert.deepEqual(injected(b3, child), { 'x-b3-traceid': T, 'x-b3-spanid': CHILD, 'x-b3-sampled': '1' });
});

test('Datadog and X-Ray fields travel to child spans of the same trace', () => {
  const dd = new otel.TracepropPropagator({ propagators: 'datadog', policy: 'first' });
  const ctx = dd.extract(ROOT_CONTEXT, {
    'x-datadog-trace-id': '11803532876627986230',
    'x-datadog-parent-id': '67667974448284343',
    'x-datadog-sampling-priority': '2',
    'x-datadog-origin': 'synthetics',
    'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4',
  });
  const child = trace.setSpanContext(ctx, { traceId: T, spanId: CHILD, traceFlags: 1, isRemote: false });
  assert.deepEqual(injected(dd, child), {
    'x-datadog-trace-id': '11803532876627986230',
    'x-datadog-parent-id': traceprop.spanIdToDecimal(CHILD),
    'x-datadog-sampling-priority': '2',
    'x-datadog-origin': 'synthetics',
    'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4',
  });
  // A child the sampler dropped does not claim the upstream keep priority.
  const dropped = trace.setSpanContext(ctx, { traceId: T, spanId: CHILD, traceFlags: 0, isRemote: false });
  assert.equal(injected(dd, dropped)['x-datadog-sampling-priority'], '0');
  // Another trace carries nothing of it.
  const other = trace.setSpanContext(ctx, { traceId: 'f'.repeat(32), spanId: CHILD, traceFlags: 1, isRemote: false });
  assert.equal(injected(dd, other)['x-datadog-origin'], undefined);

  const xray = new otel.XRayPropagator();
  const x = xray.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1' });
  const xchild = trace.setSpanContext(x, { traceId: '5759e988bd862e3fe1be46a994272793', spanId: CHILD, traceFlags: 1, isRemote: false });
  assert.deepEqual(injected(xray, xchild), {
    'x-amzn-trace-id': `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${CHILD};Sampled=1;Lineage=a87bd80c:1`,
  });
});

test('a SkyWalking sw8 travels to the same span and to child spans of its trace', () => {
  // A real SkyWalking agent's sw8: its trace and segment ids are not W3C ids.
  const SW8 =
    '1-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDk=-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDg=-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwaQ==-MTI3LjAuMC4xOjgwODA=';
  const sw = new otel.SkyWalkingPropagator();
  const ctx = sw.extract(ROOT_CONTEXT, { sw8: SW8 });
  assert.equal(ctx.getValue(otel.TRACEPROP_CONTEXT_KEY).sw8, SW8);
  // A proxy re-injects the received value, as translate does.
  assert.deepEqual(injected(sw, ctx), { sw8: SW8 });
  assert.deepEqual(traceprop.translate({ sw8: SW8 }, { propagators: 'sw8' }, { propagators: 'sw8' }), { sw8: SW8 });
  // A child span keeps SkyWalking's trace id; another trace does not.
  const sc = trace.getSpanContext(ctx);
  const child = trace.setSpanContext(ctx, { ...sc, spanId: CHILD, isRemote: false });
  assert.equal(injected(sw, child).sw8.split('-')[1], SW8.split('-')[1]);
  const other = trace.setSpanContext(ctx, { ...sc, traceId: 'f'.repeat(32), spanId: CHILD, isRemote: false });
  assert.notEqual(injected(sw, other).sw8.split('-')[1], SW8.split('-')[1]);
  // Without an sw8 header nothing is kept beyond the SpanContext.
  const w3c = new otel.TracepropPropagator({ propagators: 'tracecontext,sw8' });
  assert.equal(w3c.extract(ROOT_CONTEXT, { traceparent: `00-${T}-${S}-01` }).getValue(otel.TRACEPROP_CONTEXT_KEY), undefined);
});

test('extract never throws on a bad carrier; inject skips an invalid context', () => {
  const p = new otel.TracepropPropagator({ propagators: 'tracecontext,baggage,jaeger' });
  for (const carrier of [null, undefined, 42, 'x', { traceparent: 42 }, { traceparent: 'garbage' }, { 'uberctx-k': {} }]) {
    assert.equal(p.extract(ROOT_CONTEXT, carrier, api.defaultTextMapGetter), ROOT_CONTEXT);
  }
  assert.deepEqual(injected(p, ROOT_CONTEXT), {});
  const invalid = trace.setSpanContext(ROOT_CONTEXT, api.INVALID_SPANCONTEXT);
  assert.deepEqual(injected(p, invalid), {});
  // Baggage alone still travels in W3C baggage.
  const bag = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ k: { value: 'v' } }));
  assert.deepEqual(injected(p, bag), { baggage: 'k=v' });
});

test('a tracestate longer than OpenTelemetry JS holds is truncated as W3C says, not dropped', () => {
  const members = Array.from({ length: 20 }, (_, i) => `key${String(i).padStart(2, '0')}=${'v'.repeat(60)}`);
  const p = new otel.TraceContextPropagator();
  const ctx = p.extract(ROOT_CONTEXT, { traceparent: `00-${T}-${S}-01`, tracestate: members.join(',') });
  assert.equal(trace.getSpanContext(ctx).traceState.serialize(), members.slice(0, 7).join(','));
  // The full value stays available on the traceprop context.
  assert.equal(ctx.getValue(otel.TRACEPROP_CONTEXT_KEY).tracestate, members.join(','));
});

test('one propagator class per format, and propagatorFromEnv', () => {
  const classes = {
    TraceContextPropagator: 'tracecontext',
    BaggagePropagator: 'baggage',
    B3Propagator: 'b3',
    B3MultiPropagator: 'b3multi',
    JaegerPropagator: 'jaeger',
    OtTracePropagator: 'ottrace',
    XRayPropagator: 'xray',
    DatadogPropagator: 'datadog',
    CloudTracePropagator: 'cloudtrace',
    SkyWalkingPropagator: 'sw8',
    GrpcTraceBinPropagator: 'grpc-trace-bin',
  };
  for (const [name, format] of Object.entries(classes)) {
    const p = new otel[name]();
    assert.ok(p instanceof otel.TracepropPropagator);
    assert.equal(otel[name].name, name);
    assert.deepEqual(p.fields(), [...traceprop.configure(format).headers]);
  }
  const p = otel.propagatorFromEnv({ DD_TRACE_PROPAGATION_STYLE_EXTRACT: 'b3multi', DD_TRACE_PROPAGATION_STYLE_INJECT: 'tracecontext' });
  const ctx = p.extract(ROOT_CONTEXT, { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' });
  assert.deepEqual(injected(p, ctx), { traceparent: `00-${T}-${S}-01` });
});
