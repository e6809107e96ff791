'use strict';
// Differential tests: the same inputs through traceprop and through the real
// peers, installed from npm (pinned in package.json / package-lock.json):
// @opentelemetry/core (W3C trace context, baggage), @opentelemetry/propagator-
// b3, -jaeger, -ot-trace, -aws-xray, and dd-trace.
//
// Where a peer agrees with SEMANTICS.md we must give the same result: every
// case not listed in DIFFERENCES must match. Where we differ, DIFFERENCES
// names the case and the reason, and the test checks that we still differ
// (a stale entry fails too).
//
// OpenTelemetry peers are compared through the OpenTelemetry API: the same
// carrier is extracted by their propagator and by ours (traceprop's
// `opentelemetry` entry), and the same Context is injected by both. An
// OpenTelemetry SpanContext has no "no decision" state, so sampling is
// compared as the sampled bit. dd-trace is compared with `extract()` and
// `translate()` of the configuration `datadog,tracecontext,baggage`, policy
// `first` (dd-trace's default styles), field by field.
const test = require('node:test');
const assert = require('node:assert/strict');
const api = require('@opentelemetry/api');
const core = require('@opentelemetry/core');
const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3');
const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger');
const { OTTracePropagator } = require('@opentelemetry/propagator-ot-trace');
const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');
const traceprop = require('..');
const ours = require('../opentelemetry.js');
const { watchNetwork } = require('./support/network.js');

const network = watchNetwork();
const ddTracer = require('./support/dd-tracer.js');
const ddBaggage = require('dd-trace/packages/dd-trace/src/baggage');

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const T64 = '0000000000000000a3ce929d0e0e4736';
const { trace, propagation, ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } = api;

// ---------------------------------------------------------------- the peers

const PEERS = {
  tracecontext: { theirs: new core.W3CTraceContextPropagator(), ours: new ours.TraceContextPropagator() },
  baggage: { theirs: new core.W3CBaggagePropagator(), ours: new ours.BaggagePropagator() },
  b3: { theirs: new B3Propagator(), ours: new ours.B3Propagator() },
  b3multi: {
    theirs: new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
    ours: new ours.B3MultiPropagator(),
  },
  jaeger: { theirs: new JaegerPropagator(), ours: new ours.JaegerPropagator() },
  ottrace: { theirs: new OTTracePropagator(), ours: new ours.OtTracePropagator() },
  xray: { theirs: new AWSXRayPropagator(), ours: new ours.XRayPropagator() },
};

// ---------------------------------------------------------------- the cases

const long = (n, c = 'x') => c.repeat(n);
const members = (n) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');

/** Extract cases per peer: [name, carrier]. */
const EXTRACT = {
  tracecontext: [
    ['sampled', { traceparent: `00-${T}-${S}-01` }],
    ['unsampled', { traceparent: `00-${T}-${S}-00` }],
    ['random-flag', { traceparent: `00-${T}-${S}-03` }],
    ['unknown-flags', { traceparent: `00-${T}-${S}-09` }],
    ['future-version', { traceparent: `cc-${T}-${S}-01-what-the-future-holds` }],
    ['future-version-no-extra', { traceparent: `cc-${T}-${S}-01` }],
    ['version-ff', { traceparent: `ff-${T}-${S}-01` }],
    ['version-00-extra-field', { traceparent: `00-${T}-${S}-01-extra` }],
    ['uppercase-hex', { traceparent: `00-${T.toUpperCase()}-${S.toUpperCase()}-01` }],
    ['uppercase-version', { traceparent: `0A-${T}-${S}-01` }],
    ['short-trace-id', { traceparent: `00-${T.slice(1)}-${S}-01` }],
    ['trailing-dash', { traceparent: `00-${T}-${S}-01-` }],
    ['too-long-flags', { traceparent: `00-${T}-${S}-010` }],
    ['zero-trace-id', { traceparent: `00-${'0'.repeat(32)}-${S}-01` }],
    ['zero-span-id', { traceparent: `00-${T}-${'0'.repeat(16)}-01` }],
    ['ows-around', { traceparent: `  00-${T}-${S}-01\t`, tracestate: 'a=1' }],
    ['garbage', { traceparent: 'garbage' }],
    ['empty', { traceparent: '' }],
    ['two-lines', { traceparent: [`00-${T}-${S}-01`, `00-${T}-${S}-00`] }],
    ['tracestate', { traceparent: `00-${T}-${S}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }],
    ['tracestate-two-lines', { traceparent: `00-${T}-${S}-01`, tracestate: ['a=1', 'b=2'] }],
    ['tracestate-ows', { traceparent: `00-${T}-${S}-01`, tracestate: 'a=1 ,\t b=2  , c=3' }],
    ['tracestate-empty-members', { traceparent: `00-${T}-${S}-01`, tracestate: 'a=1,,  ,b=2' }],
    ['tracestate-multi-tenant', { traceparent: `00-${T}-${S}-01`, tracestate: 'fw529a3039@dt=1,0xbeef=2' }],
    ['tracestate-33-members', { traceparent: `00-${T}-${S}-01`, tracestate: members(33) }],
    ['tracestate-32-members', { traceparent: `00-${T}-${S}-01`, tracestate: members(32) }],
    ['tracestate-invalid-key', { traceparent: `00-${T}-${S}-01`, tracestate: 'Rojo=1,congo=2' }],
    ['tracestate-duplicate-key', { traceparent: `00-${T}-${S}-01`, tracestate: 'a=1,b=2,a=3' }],
    ['tracestate-no-equals', { traceparent: `00-${T}-${S}-01`, tracestate: 'a=1,bogus,b=2' }],
    ['tracestate-value-257', { traceparent: `00-${T}-${S}-01`, tracestate: `a=${long(257)},b=2` }],
    ['tracestate-value-trailing-space', { traceparent: `00-${T}-${S}-01`, tracestate: 'a=v ,b=2' }],
    ['tracestate-long-header', { traceparent: `00-${T}-${S}-01`, tracestate: Array.from({ length: 20 }, (_, i) => `key${String(i).padStart(2, '0')}=${long(60, 'v')}`).join(',') }],
    ['tracestate-without-traceparent', { tracestate: 'a=1' }],
  ],
  baggage: [
    ['simple', { baggage: 'userId=alice,serverNode=DF%2028,isProduction=false' }],
    ['properties', { baggage: 'key1=value1;property1;property2=p2,key2=value2' }],
    ['ows', { baggage: ' k1 = v1 , k2=v2\t,k3 =v3 ;p=1 ' }],
    ['member-without-equals', { baggage: 'k1=v1,garbage,k2=v2' }],
    ['key-with-space', { baggage: 'bad key=v,good=1' }],
    ['empty-value', { baggage: 'k=,j=1' }],
    ['plus-sign', { baggage: 'k=a+b,j=a%2Bb' }],
    ['invalid-percent', { baggage: 'k=%zz%,j=1' }],
    ['value-with-equals', { baggage: 'k=a=b,j=1' }],
    ['utf8', { baggage: 'user=Am%C3%A9lie' }],
    ['value-with-space-raw', { baggage: 'k=hello world,j=1' }],
    ['duplicate-key', { baggage: 'k=1,k=2' }],
    ['two-lines', { baggage: ['a=1', 'b=2'] }],
    ['65-members', { baggage: members(65) }],
    ['180-members', { baggage: members(180) }],
    ['200-members', { baggage: members(200) }],
    ['4097-byte-member', { baggage: `small=1,big=${long(4097, 'y')}` }],
    ['9k-header', { baggage: `small=1,big=${long(9000)}` }],
  ],
  b3: [
    ['sampled', { b3: `${T}-${S}-1` }],
    ['unsampled', { b3: `${T}-${S}-0` }],
    ['deferred', { b3: `${T}-${S}` }],
    ['debug', { b3: `${T}-${S}-d` }],
    ['with-parent', { b3: `${T}-${S}-1-05e3ac9a4f6e3b90` }],
    ['64-bit-trace', { b3: `${T.slice(16)}-${S}-1` }],
    ['uppercase-hex', { b3: `${T.toUpperCase()}-${S.toUpperCase()}-1` }],
    ['short-span-id', { b3: `${T}-${S.slice(1)}-1` }],
    ['bad-sampled', { b3: `${T}-${S}-x` }],
    ['sampled-true', { b3: `${T}-${S}-true` }],
    ['bad-parent', { b3: `${T}-${S}-1-zzzz` }],
    ['five-fields', { b3: `${T}-${S}-1-05e3ac9a4f6e3b90-extra` }],
    ['24-hex-trace', { b3: `${T.slice(0, 24)}-${S}-1` }],
    ['zero-trace-id', { b3: `${'0'.repeat(32)}-${S}-1` }],
    ['deny-only', { b3: '0' }],
    ['multi-sampled', { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }],
    ['multi-deferred', { 'x-b3-traceid': T, 'x-b3-spanid': S }],
    ['multi-sampled-true', { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': 'true' }],
    ['multi-flags-debug', { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' }],
    ['multi-uppercase-hex', { 'x-b3-traceid': T.toUpperCase(), 'x-b3-spanid': S.toUpperCase(), 'x-b3-sampled': '1' }],
    ['multi-bad-sampled', { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '2' }],
    ['multi-short-trace-id', { 'x-b3-traceid': 'abc123', 'x-b3-spanid': S, 'x-b3-sampled': '1' }],
    ['multi-missing-span-id', { 'x-b3-traceid': T, 'x-b3-sampled': '1' }],
    ['multi-zero-span-id', { 'x-b3-traceid': T, 'x-b3-spanid': '0'.repeat(16), 'x-b3-sampled': '1' }],
    ['single-and-multi', { b3: `${'a'.repeat(32)}-${'b'.repeat(16)}-0`, 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }],
    ['invalid-single-valid-multi', { b3: 'garbage', 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' }],
  ],
  jaeger: [
    ['sampled', { 'uber-trace-id': `${T}:${S}:0:1` }],
    ['unsampled', { 'uber-trace-id': `${T}:${S}:0:0` }],
    ['debug', { 'uber-trace-id': `${T}:${S}:0:3` }],
    ['short-ids', { 'uber-trace-id': 'a3ce929d0e0e4736:f067aa0ba902b7:0:1' }],
    ['with-parent', { 'uber-trace-id': `${T}:${S}:05e3ac9a4f6e3b90:1` }],
    ['url-encoded', { 'uber-trace-id': `${T}%3A${S}%3A0%3A1` }],
    ['url-encoded-lowercase', { 'uber-trace-id': `${T}%3a${S}%3a0%3a1` }],
    ['flags-hex-ff', { 'uber-trace-id': `${T}:${S}:0:ff` }],
    ['flags-hex-a', { 'uber-trace-id': `${T}:${S}:0:a` }],
    ['uppercase-hex', { 'uber-trace-id': `${T.toUpperCase()}:${S.toUpperCase()}:0:1` }],
    ['zero-trace-id', { 'uber-trace-id': `${'0'.repeat(32)}:${S}:0:1` }],
    ['zero-span-id', { 'uber-trace-id': `${T}:${'0'.repeat(16)}:0:1` }],
    ['trace-id-33-hex', { 'uber-trace-id': `1${T}:${S}:0:1` }],
    ['three-parts', { 'uber-trace-id': `${T}:${S}:1` }],
    ['baggage', { 'uber-trace-id': `${T}:${S}:0:1`, 'uberctx-key1': 'value1', 'uberctx-key-2': 'value%20two' }],
    ['baggage-comma', { 'uber-trace-id': `${T}:${S}:0:1`, 'uberctx-list': 'a,b', 'uberctx-ok': '1' }],
    ['baggage-plus', { 'uber-trace-id': `${T}:${S}:0:1`, 'uberctx-user': 'alice+smith' }],
    ['baggage-without-trace', { 'uberctx-orphan': '1' }],
  ],
  ottrace: [
    ['sampled', { 'ot-tracer-traceid': T.slice(16), 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'true' }],
    ['unsampled', { 'ot-tracer-traceid': T.slice(16), 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'false' }],
    ['128-bit', { 'ot-tracer-traceid': T, 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'true' }],
    ['sampled-missing', { 'ot-tracer-traceid': T.slice(16), 'ot-tracer-spanid': S }],
    ['sampled-1', { 'ot-tracer-traceid': T.slice(16), 'ot-tracer-spanid': S, 'ot-tracer-sampled': '1' }],
    ['uppercase-hex', { 'ot-tracer-traceid': T.slice(16).toUpperCase(), 'ot-tracer-spanid': S.toUpperCase(), 'ot-tracer-sampled': 'true' }],
    ['short-trace-id', { 'ot-tracer-traceid': 'abc', 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'true' }],
    ['baggage', { 'ot-tracer-traceid': T.slice(16), 'ot-tracer-spanid': S, 'ot-tracer-sampled': 'true', 'ot-baggage-user': 'alice', 'ot-baggage-k': 'v w' }],
  ],
  xray: [
    ['sampled', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' }],
    ['unsampled', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0' }],
    ['no-sampled', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8' }],
    ['sampled-question', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?' }],
    ['spaces', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793; Parent=53995c3f42cd8ad8; Sampled=1' }],
    ['any-order', { 'x-amzn-trace-id': 'Sampled=1;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793' }],
    ['self-alb', { 'x-amzn-trace-id': 'Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' }],
    ['bad-version', { 'x-amzn-trace-id': 'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' }],
    ['short-root', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8;Sampled=1' }],
    ['uppercase-hex', { 'x-amzn-trace-id': 'Root=1-5759E988-BD862E3FE1BE46A994272793;Parent=53995C3F42CD8AD8;Sampled=1' }],
    ['trailing-semicolon', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;' }],
    ['unknown-key', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Foo=bar' }],
    ['root-only', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' }],
    ['zero-parent', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000;Sampled=1' }],
  ],
};

/** Inject cases (OpenTelemetry peers): [name, spanContext, baggage entries]. */
const INJECT = [
  ['sampled', { traceId: T, spanId: S, traceFlags: 1 }],
  ['unsampled', { traceId: T, spanId: S, traceFlags: 0 }],
  ['random-flag', { traceId: T, spanId: S, traceFlags: 3 }],
  ['64-bit-trace', { traceId: T64, spanId: S, traceFlags: 1 }],
  ['tracestate', { traceId: T, spanId: S, traceFlags: 1, traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }],
  ['zero-trace-id', { traceId: '0'.repeat(32), spanId: S, traceFlags: 1 }],
  ['baggage', { traceId: T, spanId: S, traceFlags: 1 }, { user: 'alice smith', pct: '100%', plus: 'a+b', list: 'a,b;c', eq: 'x=y' }],
  ['baggage-metadata', { traceId: T, spanId: S, traceFlags: 1 }, { k: { value: 'v', metadata: 'p1;p2=x' } }],
  ['baggage-only', null, { user: 'alice' }],
];

// -------------------------------------------------------- known differences

/**
 * Every case where traceprop and a peer differ, and why (SEMANTICS.md is
 * the authority; the peers' behaviour is recorded in
 * shared/formats/peer-disagreements.md).
 */
const DIFFERENCES = {
  // W3C Trace Context
  'tracecontext/extract/ows-around': 'SEMANTICS §0: values are trimmed of SP/HTAB; OTel JS rejects a padded traceparent',
  'tracecontext/extract/two-lines': 'SEMANTICS §0: two traceparent lines make traceparent invalid; OTel JS reads the first line',
  'tracecontext/extract/tracestate-33-members': 'SEMANTICS §1: more than 32 members discards the whole tracestate; OTel JS keeps the first 32',
  'tracecontext/extract/tracestate-invalid-key': 'SEMANTICS §1: an invalid member discards the whole tracestate; OTel JS drops that member alone',
  'tracecontext/extract/tracestate-duplicate-key': 'SEMANTICS §1: a repeated key keeps its first occurrence (a=1,b=2); OTel JS keeps the last (a=3,b=2)',
  'tracecontext/extract/tracestate-no-equals': 'SEMANTICS §1: an invalid member discards the whole tracestate; OTel JS drops that member alone',
  'tracecontext/extract/tracestate-value-257': 'SEMANTICS §1: an invalid member (value over 256) discards the whole tracestate; OTel JS drops that member alone',
  // W3C Baggage
  'baggage/extract/ows': 'SEMANTICS §2: properties are canonical (trimmed): "p=1"; OTel JS keeps the trailing space in the metadata',
  'baggage/extract/key-with-space': 'SEMANTICS §2: a key that is not a token drops the member; OTel JS keeps "bad key"',
  'baggage/extract/empty-value': 'SEMANTICS §2: an empty value k= is kept as ""; OTel JS drops the member',
  'baggage/extract/value-with-space-raw': 'SEMANTICS §2 (W3C baggage-octet): a raw space is not allowed in a value, the member is dropped; OTel JS keeps "hello world"',
  'baggage/extract/4097-byte-member': 'SEMANTICS §2: a member within the 8192-byte limit is kept; OTel JS drops a member over 4096 bytes',
  'baggage/inject/baggage': 'SEMANTICS §2: only bytes outside baggage-octet, plus % and +, are escaped, so = stays; OTel JS also escapes = (both decode to the same value)',
  // B3
  'b3/extract/bad-sampled': 'SEMANTICS §3: an invalid sampling field makes the single header invalid; OTel JS keeps the ids as unsampled',
  'b3/extract/sampled-true': 'SEMANTICS §3: the single header accepts only 1, 0 and d; OTel JS reads "true" as unsampled',
  'b3/extract/bad-parent': 'SEMANTICS §3: an invalid parent id makes the single header invalid; OTel JS ignores it',
  'b3/extract/five-fields': 'SEMANTICS §3 (B3 single-header grammar): at most 4 fields; OTel JS accepts a fifth',
  'b3/extract/24-hex-trace': 'SEMANTICS §3: a trace id is 16 or 32 hex; OTel JS keeps the last 16 of 24 digits',
  'b3/extract/invalid-single-valid-multi': 'SEMANTICS §3: an invalid single header falls back to X-B3-*; OTel JS gives up',
  'b3/extract/multi-uppercase-hex': 'SEMANTICS §3: ids are lowercase only; OTel JS accepts uppercase X-B3-* ids and keeps them uppercase',
  'b3/extract/multi-short-trace-id': 'SEMANTICS §3: a trace id is 16 or 32 hex; OTel JS left-pads "abc123"',
  // Jaeger
  'jaeger/extract/uppercase-hex': 'SEMANTICS §0: ids are emitted lowercase; OTel JS keeps the uppercase ids it received',
  'jaeger/extract/baggage-plus': 'SEMANTICS §4: uberctx-* values are query-unescaped, + is a space; OTel JS keeps the +',
  'jaeger/inject/sampled': 'SEMANTICS §4: flags are written 1, 0 or 3, the one spelling every peer parses alike; OTel JS writes 01',
  'jaeger/inject/unsampled': 'SEMANTICS §4: flags are written 1, 0 or 3; OTel JS writes 00',
  'jaeger/inject/random-flag': 'SEMANTICS §4: flags are sampled + debug only (1); OTel JS writes the W3C flags byte 03, which Jaeger reads as debug',
  'jaeger/inject/64-bit-trace': 'SEMANTICS §4: flags are written 1, 0 or 3; OTel JS writes 01',
  'jaeger/inject/tracestate': 'SEMANTICS §4: flags are written 1, 0 or 3; OTel JS writes 01',
  'jaeger/inject/zero-trace-id': 'SEMANTICS §0: an all-zero id is invalid, nothing is injected; OTel JS writes the zero id',
  'jaeger/inject/baggage': 'SEMANTICS §4: flags are written 1, 0 or 3; OTel JS writes 01 (the uberctx-* headers agree)',
  'jaeger/inject/baggage-metadata': 'SEMANTICS §4: flags are written 1, 0 or 3; OTel JS writes 01 (the uberctx-* headers agree)',
  'jaeger/inject/baggage-only': 'core propagator: a trace format writes nothing without a valid context, uberctx-* included (W3C baggage carries baggage alone); OTel JS writes uberctx-* without a trace',
  // OT
  'ottrace/extract/sampled-1': 'SEMANTICS §5: ot-tracer-sampled accepts true/false and 1/0; OTel JS reads "1" as unsampled',
  'ottrace/extract/uppercase-hex': 'SEMANTICS §5: ids are lowercase hex; OTel JS accepts and keeps uppercase ids',
  // X-Ray
  'xray/extract/no-sampled': 'SEMANTICS §7: no Sampled field is no decision and the context is kept; OTel JS rejects the header',
  'xray/extract/sampled-question': 'SEMANTICS §7: Sampled=? is no decision and the context is kept; OTel JS rejects the header',
  'xray/extract/uppercase-hex': 'SEMANTICS §0/§7: ids are lowercase hex; OTel JS accepts and keeps uppercase ids',
};

// ------------------------------------------------------------ comparisons

function otelExtract(propagator, carrier) {
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const sc = trace.getSpanContext(ctx);
  const bag = propagation.getBaggage(ctx);
  return {
    context:
      sc && api.isSpanContextValid(sc)
        ? { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1 }
        : null,
    tracestate: (sc && sc.traceState && sc.traceState.serialize()) || null,
    baggage: bag
      ? bag
          .getAllEntries()
          .map(([k, e]) => [k, e.value, e.metadata ? e.metadata.toString() : ''])
          .sort()
      : [],
  };
}

function otelContext(spanContext, baggage) {
  let ctx = ROOT_CONTEXT;
  if (spanContext) {
    const sc = { ...spanContext, isRemote: false };
    if (typeof sc.traceState === 'string') sc.traceState = api.createTraceState(sc.traceState);
    ctx = trace.setSpanContext(ctx, sc);
  }
  if (baggage) {
    const entries = {};
    for (const [k, v] of Object.entries(baggage)) {
      entries[k] =
        typeof v === 'string' ? { value: v } : { value: v.value, metadata: api.baggageEntryMetadataFromString(v.metadata) };
    }
    ctx = propagation.setBaggage(ctx, propagation.createBaggage(entries));
  }
  return ctx;
}

function otelInject(propagator, ctx) {
  const carrier = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return Object.entries(carrier).sort();
}

/** Asserts agreement, or a listed difference; returns whether they agreed. */
function compare(id, got, want) {
  const reason = DIFFERENCES[id];
  const same = JSON.stringify(got) === JSON.stringify(want);
  return { id, same, reason, got, want };
}

const results = [];

for (const [peer, cases] of Object.entries(EXTRACT)) {
  const { theirs, ours: mine } = PEERS[peer];
  for (const [name, carrier] of cases) {
    results.push(compare(`${peer}/extract/${name}`, otelExtract(mine, carrier), otelExtract(theirs, carrier)));
  }
}
for (const [peer, { theirs, ours: mine }] of Object.entries(PEERS)) {
  for (const [name, spanContext, baggage] of INJECT) {
    const ctx = otelContext(spanContext, baggage);
    results.push(compare(`${peer}/inject/${name}`, otelInject(mine, ctx), otelInject(theirs, ctx)));
  }
}

// ---------------------------------------------------------------- dd-trace

const DD = traceprop.configure('datadog,tracecontext,baggage', { policy: 'first' });

const DD_EXTRACT = [
  ['sampled', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '1' }],
  ['unsampled', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '0' }],
  ['user-keep', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '2' }],
  ['user-reject', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '-1' }],
  ['no-priority', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343' }],
  ['128-bit-tid', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '1', 'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-1' }],
  ['origin', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '1', 'x-datadog-origin': 'synthetics' }],
  ['max-u64', { 'x-datadog-trace-id': '18446744073709551615', 'x-datadog-parent-id': '1' }],
  ['overflow-2pow64', { 'x-datadog-trace-id': '18446744073709551616', 'x-datadog-parent-id': '1', 'x-datadog-sampling-priority': '1' }],
  ['hex-id', { 'x-datadog-trace-id': '0x1f', 'x-datadog-parent-id': '1' }],
  ['negative-id', { 'x-datadog-trace-id': '-1', 'x-datadog-parent-id': '1' }],
  ['missing-parent', { 'x-datadog-trace-id': '123', 'x-datadog-sampling-priority': '1' }],
  ['zero-trace-id', { 'x-datadog-trace-id': '0', 'x-datadog-parent-id': '456' }],
  ['invalid-priority', { 'x-datadog-trace-id': '123', 'x-datadog-parent-id': '456', 'x-datadog-sampling-priority': 'high' }],
  ['uppercase-tid', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-tags': '_dd.p.tid=4BF92F3577B34DA6' }],
  ['traceparent-only', { traceparent: `00-${T}-${S}-01` }],
  ['datadog-and-w3c-same-trace', { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343', 'x-datadog-sampling-priority': '1', 'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6', traceparent: `00-${T}-${S}-01` }],
  ['datadog-and-w3c-conflict', { 'x-datadog-trace-id': '123', 'x-datadog-parent-id': '456', 'x-datadog-sampling-priority': '1', traceparent: `00-${T}-${S}-01` }],
  ['tracestate-dd-member', { traceparent: `00-${T}-${S}-01`, tracestate: 'dd=s:2;o:rum;t.dm:-4,rojo=1' }],
  ['baggage', { 'x-datadog-trace-id': '123', 'x-datadog-parent-id': '456', baggage: 'user=alice,k=v%20w' }],
];

const DD_DIFFERENCES = {
  'datadog/extract/negative-id': 'SEMANTICS §6: ids are 1-20 digits without a sign; dd-trace wraps -1 to 2^64-1',
  'datadog/extract/hex-id': 'SEMANTICS §6: ids are decimal digits only; dd-trace reads 0x1f (as a zero trace id)',
  'datadog/extract/overflow-2pow64': 'SEMANTICS §6: an id above 2^64-1 is invalid; dd-trace wraps it to a zero trace id',
  'datadog/extract/uppercase-tid': 'SEMANTICS §6: _dd.p.tid must be 16 lowercase hex, else it is ignored (the 64-bit id is kept); dd-trace builds an uppercase trace id',
  'datadog/extract/traceparent-only': 'SEMANTICS §6: sampling_priority is the carried one, and a traceparent carries none (null); dd-trace derives 1 from the sampled flag',
  'datadog/inject/negative-id': 'SEMANTICS §6: -1 is not a valid id, so nothing is extracted or injected; dd-trace injects 2^64-1',
  'datadog/inject/hex-id': 'SEMANTICS §6: 0x1f is not a valid id, nothing is injected; dd-trace injects a zero trace id',
  'datadog/inject/overflow-2pow64': 'SEMANTICS §6: 2^64 is not a valid id, nothing is injected; dd-trace injects a zero trace id',
  'datadog/inject/uppercase-tid': 'SEMANTICS §0/§6: the malformed tid is dropped and ids are written lowercase; dd-trace re-sends the uppercase tid and an uppercase traceparent',
  'datadog/inject/no-priority': 'SEMANTICS §6: no priority is written when deferred; dd-trace writes tracestate dd=s:undefined',
  'datadog/inject/max-u64': 'SEMANTICS §6: no priority is written when deferred; dd-trace writes tracestate dd=s:undefined',
  'datadog/inject/invalid-priority': 'SEMANTICS §6: a malformed priority is no decision, none is written; dd-trace writes tracestate dd=s:undefined',
  'datadog/inject/baggage': 'SEMANTICS §6: no priority is written when deferred; dd-trace writes tracestate dd=s:undefined (the baggage headers agree)',
  'datadog/inject/traceparent-only': 'core datadog::inject_tracestate: the dd tracestate member is written only for a context with Datadog fields, and one from a traceparent has none; dd-trace always writes dd=s:{priority}',
};

/**
 * The `dd` tracestate member compared field by field, in sorted order, without
 * two fields only one side writes: `p:` (the last Datadog parent id, written
 * by traceprop, Datadog's newer `tracestate` revision) and `t.tid:` (written by
 * dd-trace; the same high 64 bits travel in `_dd.p.tid` and the trace id).
 */
function ddTracestate(value) {
  return value
    .split(',')
    .map((m) =>
      m.startsWith('dd=')
        ? `dd=${m.slice(3).split(';').filter((f) => !f.startsWith('p:') && !f.startsWith('t.tid:')).sort().join(';')}`
        : m,
    )
    .filter((m) => m !== 'dd=')
    .join(',');
}

function ddExtract(headers) {
  ddBaggage.removeAllBaggageItems();
  const c = ddTracer.extract('http_headers', headers);
  if (c === null) return null;
  // dd-trace keeps extracted W3C baggage in its async-local baggage store.
  const baggage = Object.entries(ddBaggage.getAllBaggageItems()).sort();
  const id = c.toTraceId(true);
  return {
    traceId: /^[0-9a-fA-F]{32}$/.test(id) ? id : null,
    spanId: c.toSpanId(true),
    samplingPriority: c._sampling && c._sampling.priority !== undefined ? c._sampling.priority : null,
    origin: (c._trace && c._trace.origin) || null,
    baggage,
  };
}

function ourDdExtract(headers) {
  const c = traceprop.extract(headers, DD);
  if (c === null) return null;
  return {
    traceId: c.traceId,
    spanId: c.spanId,
    samplingPriority: c.samplingPriority,
    origin: c.origin,
    baggage: c.baggage.map((e) => [e.key, e.value]).sort(),
  };
}

for (const [name, headers] of DD_EXTRACT) {
  const id = `datadog/extract/${name}`;
  const r = compare(id, ourDdExtract(headers), ddExtract(headers));
  r.reason = DD_DIFFERENCES[id];
  results.push(r);
}

// Inject: a context both sides extracted from the same Datadog headers,
// re-injected (dd-trace: extract then inject; traceprop: translate).
const DD_HEADERS = ['x-datadog-trace-id', 'x-datadog-parent-id', 'x-datadog-sampling-priority', 'x-datadog-origin', 'x-datadog-tags', 'traceparent', 'tracestate', 'baggage'];
// Tag order in x-datadog-tags carries no meaning: compare the tags as a set.
const ddTags = (v) => v.split(',').sort().join(',');
for (const [name, headers] of DD_EXTRACT) {
  const id = `datadog/inject/${name}`;
  ddBaggage.removeAllBaggageItems();
  const c = ddTracer.extract('http_headers', headers);
  if (c === null) continue;
  const theirs = {};
  ddTracer.inject(c, 'http_headers', theirs);
  const mine = traceprop.translate(headers, DD, DD);
  const norm = { 'x-datadog-tags': ddTags, tracestate: ddTracestate };
  const pick = (h) =>
    DD_HEADERS.filter((k) => k in h)
      .map((k) => [k, norm[k] ? norm[k](h[k]) : h[k]])
      .filter(([k, v]) => !(k === 'tracestate' && v === ''));
  const r = compare(id, pick(mine), pick(theirs));
  r.reason = DD_DIFFERENCES[id];
  results.push(r);
}

// ------------------------------------------------------------------ tests

test('traceprop matches each peer wherever the peer follows SEMANTICS.md', () => {
  const unexpected = results.filter((r) => !r.same && !r.reason);
  assert.deepEqual(
    unexpected.map(({ id, got, want }) => ({ id, traceprop: got, peer: want })),
    [],
    'differences not listed in DIFFERENCES',
  );
});

test('every listed difference is still a difference', () => {
  const stale = results.filter((r) => r.same && r.reason);
  assert.deepEqual(stale.map((r) => r.id), [], 'listed as different, but traceprop and the peer agree');
});

test('dd-trace opened no connection', () => {
  assert.deepEqual(network.attempts(), []);
});

test('differential summary', (t) => {
  const agreed = results.filter((r) => r.same).length;
  const differ = results.filter((r) => !r.same && r.reason);
  t.diagnostic(`${results.length} cases: ${agreed} agree, ${differ.length} differ as listed`);
  for (const r of differ) t.diagnostic(`differs: ${r.id}: ${r.reason}`);
  assert.ok(results.length > 150);
});
