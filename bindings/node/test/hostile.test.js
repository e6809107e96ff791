'use strict';
// Hostile input: wrong types, missing arguments, huge inputs, lone
// surrogates, line feeds. Every misuse throws a TracepropError with a stable
// code; bad header *values* never throw (SEMANTICS §0); nothing crashes.
const test = require('node:test');
const assert = require('node:assert/strict');
const traceprop = require('..');
const native = require('../lib/native.js');

const { TracepropError, ERROR_CODES } = traceprop;
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const TP = `00-${T}-${S}-01`;
const ALL = traceprop.configure(traceprop.FORMATS.join(','));

function throwsCode(fn, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof TracepropError, `not a TracepropError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code, e.message);
    assert.ok(ERROR_CODES.includes(e.code));
    return true;
  });
}

test('extract: missing or non-object headers', () => {
  throwsCode(() => traceprop.extract(), 'missing');
  throwsCode(() => traceprop.extract(null), 'missing');
  throwsCode(() => traceprop.extract(42), 'invalid_value');
  throwsCode(() => traceprop.extract('traceparent: x'), 'invalid_value');
  throwsCode(() => traceprop.explain(true), 'invalid_value');
  throwsCode(() => traceprop.extractBaggage(Symbol('x')), 'invalid_value');
});

test('extract: non-string header values', () => {
  throwsCode(() => traceprop.extract({ traceparent: 42 }), 'invalid_value');
  throwsCode(() => traceprop.extract({ traceparent: { toString: () => TP } }), 'invalid_value');
  throwsCode(() => traceprop.extract({ tracestate: ['a=1', 7] }), 'invalid_value');
  throwsCode(() => traceprop.extract(new Map([['traceparent', 1n]])), 'invalid_value');
  throwsCode(() => traceprop.extract([['traceparent', 5]]), 'invalid_value');
  throwsCode(() => traceprop.extract([['traceparent']]), 'invalid_value');
  throwsCode(() => traceprop.extract([[1, TP]]), 'invalid_value');
  throwsCode(() => traceprop.extract([null]), 'invalid_value');
  throwsCode(() => traceprop.extract({ 'uberctx-k': 1 }, { propagators: 'jaeger' }), 'invalid_value');
  // Headers no configured format reads are never looked at, whatever they hold.
  assert.equal(traceprop.extract({ 'content-length': 42, traceparent: TP }).traceId, T);
  // null and undefined mean absent.
  assert.equal(traceprop.extract({ traceparent: null, tracestate: undefined }), null);
});

test('extract: bad options', () => {
  throwsCode(() => traceprop.extract({}, { propagators: 'tracecontext,zipkin' }), 'unknown_propagator');
  throwsCode(() => traceprop.extract({}, { propagators: 42 }), 'invalid_value');
  throwsCode(() => traceprop.extract({}, { propagators: ['b3', 7] }), 'invalid_value');
  throwsCode(() => traceprop.extract({}, { policy: 'middle' }), 'invalid_value');
  throwsCode(() => traceprop.extract({}, { policy: 1 }), 'invalid_value');
  throwsCode(() => traceprop.extract({}, 'b3'), 'invalid_value');
  throwsCode(() => traceprop.configure(null, { policy: 'sideways' }), 'invalid_value');
});

test('bad header values never throw and yield no context', () => {
  const values = ['', ' ', '-', '\u0000', '\uD800', '\uDFFF\uD800', '💥'.repeat(100), 'x'.repeat(70000), `${TP}\uD800`, '%', '\t\t'];
  for (const v of values) {
    const headers = Object.fromEntries(ALL.headers.map((h) => [h, v]));
    headers['uberctx-k'] = v;
    headers['ot-baggage-k'] = v;
    assert.equal(traceprop.extract(headers, ALL), null, JSON.stringify(v.slice(0, 20)));
    const report = traceprop.explain(headers, ALL);
    assert.equal(report.matched.length, 0);
    for (const r of report.rejections) assert.ok(ERROR_CODES.includes(r.code));
  }
});

test('lone surrogates become U+FFFD, never a crash', () => {
  const b = traceprop.extractBaggage({ 'ot-baggage-k': 'a\uD800b', baggage: 'j=\uDC00' }, { propagators: 'ottrace,baggage' });
  assert.deepEqual(b, [{ key: 'k', value: 'a\uFFFDb', properties: '' }]);
  assert.equal(traceprop.extract({ traceparent: `00-${T}-${S}-0\uD800` }), null);
});

test('a line feed in a value cannot smuggle a header in', () => {
  // The joined crossing uses \n between names and values: a value holding
  // one is detected and sent in the exact array form instead.
  const smuggled = { baggage: `k=v\ntraceparent\n${TP}` };
  assert.equal(traceprop.extract(smuggled), null);
  assert.deepEqual(traceprop.extractBaggage(smuggled), []);
  const pairs = [['x-b3-sampled', '1\nx-b3-traceid'], ['x-b3-traceid', T], ['x-b3-spanid', S]];
  const ctx = traceprop.extract(pairs, { propagators: 'b3multi' });
  assert.equal(ctx, null, 'an invalid X-B3-Sampled fails the multi extraction (SEMANTICS §3)');
  assert.deepEqual(traceprop.explain(pairs, { propagators: 'b3multi' }).rejections, [{ format: 'b3multi', code: 'invalid_sampling' }]);
});

test('a NUL decoded from baggage cannot blur the answer', () => {
  // Baggage crosses back NUL-separated after the tracestate; a value that
  // decodes to NUL (%00) makes the native side answer with an array instead.
  const ctx = traceprop.extract({ traceparent: TP, tracestate: 'a=1', baggage: 'k=%00x,j=2;p' });
  assert.equal(ctx.tracestate, 'a=1');
  assert.deepEqual(ctx.baggage, [
    { key: 'k', value: '\u0000x', properties: '' },
    { key: 'j', value: '2', properties: 'p' },
  ]);
});

test('huge inputs are handled and capped', () => {
  const mib = 'a'.repeat(1 << 20);
  assert.equal(traceprop.extract({ traceparent: mib }), null);
  const members = Array.from({ length: 10000 }, (_, i) => `k${i}=v`).join(',');
  const ctx = traceprop.extract({ traceparent: TP, baggage: members });
  assert.equal(ctx.baggage.length, 180, 'SEMANTICS §2: at most 180 members');
  const lines = Array.from({ length: 100000 }, () => ['tracestate', 'a=1']);
  const many = traceprop.extract([['traceparent', TP], ...lines]);
  assert.equal(many.traceId, T);
  assert.equal(many.tracestate, null, 'more lines than tracestate members: the tracestate is invalid');
  assert.equal(traceprop.extract({ traceparent: TP, tracestate: `a=${mib}` }).tracestate, null);
});

test('inject: missing or malformed context', () => {
  throwsCode(() => traceprop.inject(), 'missing');
  throwsCode(() => traceprop.inject(null), 'missing');
  throwsCode(() => traceprop.inject('ctx'), 'invalid_value');
  throwsCode(() => traceprop.inject({ spanId: S }), 'missing');
  throwsCode(() => traceprop.inject({ traceId: T }), 'missing');
  throwsCode(() => traceprop.inject({ traceId: 1, spanId: S }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T.slice(1), spanId: S }), 'invalid_length');
  throwsCode(() => traceprop.inject({ traceId: T.toUpperCase(), spanId: S }), 'invalid_hex');
  throwsCode(() => traceprop.inject({ traceId: '0'.repeat(32), spanId: S }), 'zero_id');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, sampled: 'yes' }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, samplingPriority: 2 ** 40 }), 'out_of_range');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, samplingPriority: 1.5 }), 'out_of_range');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, tracestate: 'a=\uD800' }), 'invalid_utf8');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, tracestate: 'Bad Key=1' }), 'invalid_key');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, baggage: [{ key: 'k', value: 5 }] }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, baggage: [null] }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, baggage: 'k=v' }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, origin: 7 }), 'invalid_value');
  throwsCode(() => traceprop.inject({ traceId: T, spanId: S, sw8: 7 }), 'invalid_value');
});

test('inject: no header carries CR, LF or NUL', () => {
  // Every pass-through field with a line break in it: the core drops or
  // sanitises what it cannot send, and the native layer refuses any header
  // that would still hold one (unit-tested in src/inject.rs).
  const nasty = 'x\r\nset-cookie: y\u0000';
  const inputs = [
    { origin: nasty, samplingPriority: 1 },
    { datadogTags: `_dd.p.dm=-4${nasty}` },
    { datadogTags: `t.dm:-4${nasty}`, datadogTagsSyntax: 'tracestate' },
    { xrayExtra: `Lineage=1${nasty}` },
    { sw8: `1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==${nasty}` },
    { baggage: [{ key: `a${nasty}`, value: nasty, properties: nasty }] },
  ];
  for (const extra of inputs) {
    let out;
    try {
      out = traceprop.inject({ traceId: T, spanId: S, sampled: true, ...extra }, ALL);
    } catch (e) {
      assert.equal(e.code, 'invalid_value');
      continue;
    }
    for (const [k, v] of Object.entries(out)) {
      assert.doesNotMatch(`${k}: ${v}`, /[\r\n\u0000]/, JSON.stringify(extra));
    }
  }
});

test('injectInto, translate and configFromEnv reject bad arguments', () => {
  const ctx = { traceId: T, spanId: S, sampled: true };
  throwsCode(() => traceprop.injectInto(null, ctx), 'missing');
  throwsCode(() => traceprop.injectInto('headers', ctx), 'invalid_value');
  throwsCode(() => traceprop.injectInto({}, undefined), 'missing');
  throwsCode(() => traceprop.translate(null, undefined, undefined), 'missing');
  throwsCode(() => traceprop.translate({}, { propagators: 'nope' }, undefined), 'unknown_propagator');
  throwsCode(() => traceprop.configFromEnv(7), 'invalid_value');
  throwsCode(() => traceprop.configFromEnv({ OTEL_PROPAGATORS: ['b3'] }), 'invalid_value');
});

test('id conversions reject bad input with a code', () => {
  throwsCode(() => traceprop.traceIdFromHex(), 'missing');
  throwsCode(() => traceprop.traceIdFromHex(5), 'invalid_value');
  throwsCode(() => traceprop.traceIdFromHex('g'.repeat(32)), 'invalid_hex');
  throwsCode(() => traceprop.traceIdFromHex('\uD800'.repeat(32)), 'invalid_length');
  throwsCode(() => traceprop.traceIdFromShortHex('abc'), 'invalid_length');
  throwsCode(() => traceprop.spanIdFromDecimal('18446744073709551616'), 'out_of_range');
  throwsCode(() => traceprop.spanIdFromDecimal('-1'), 'invalid_decimal');
  throwsCode(() => traceprop.spanIdFromHex('0'.repeat(16)), 'zero_id');
  throwsCode(() => traceprop.traceIdFromDatadog('1', 'ABC'), 'invalid_length');
  throwsCode(() => traceprop.traceIdFromDatadog('1', 5), 'invalid_value');
  throwsCode(() => traceprop.traceIdFromXRayRoot('2-5759e988-bd862e3fe1be46a994272793'), 'unsupported_version');
  throwsCode(() => traceprop.traceIdToXRayRoot('x'.repeat(1 << 20)), 'invalid_length');
});

test('the native layer answers foreign arguments with a code or an Error, never a crash', () => {
  const unknown = ERROR_CODES.indexOf('unknown_propagator') + 1;
  for (const key of [NaN, -1, 1.5, Infinity, 2 ** 53]) {
    assert.equal(native.extract(key, '', 0), unknown);
  }
  assert.equal(native.extract(0, '\nx', 7), ERROR_CODES.indexOf('malformed') + 1);
  assert.equal(native.extract(0, ['x'], 1), ERROR_CODES.indexOf('malformed') + 1);
  assert.throws(() => native.extract(0, 42, 1), { code: 'InvalidArg' });
  assert.throws(() => native.inject(0), Error);
  assert.throws(() => native.details(), Error);
});
