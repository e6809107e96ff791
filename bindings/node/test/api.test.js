'use strict';
// The public API: extraction from every header input form, the lazy fields
// and the report, injection into every target, translation, configuration
// from the environment, and id conversions.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const traceprop = require('..');

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const TP = `00-${T}-${S}-01`;

test('extract reads IncomingHttpHeaders, fetch Headers, Maps and pairs alike', () => {
  const want = { traceId: T, spanId: S, sampled: true, tracestate: 'a=1,b=2' };
  const forms = [
    { traceparent: TP, tracestate: ['a=1', 'b=2'] },
    new Headers([['traceparent', TP], ['tracestate', 'a=1'], ['tracestate', 'b=2']]),
    new Map([['traceparent', TP], ['tracestate', ['a=1', 'b=2']]]),
    [['TraceParent', TP], ['TRACESTATE', 'a=1'], ['tracestate', 'b=2']],
  ];
  for (const headers of forms) {
    const ctx = traceprop.extract(headers);
    assert.deepEqual(
      { traceId: ctx.traceId, spanId: ctx.spanId, sampled: ctx.sampled, tracestate: ctx.tracestate },
      want,
    );
    assert.equal(ctx.source, 'tracecontext');
  }
  assert.equal(traceprop.extract({}), null);
  assert.equal(traceprop.extract({ host: 'example.com' }), null);
});

test('extract from a real node:http request', async () => {
  const server = http.createServer((req, res) => {
    const ctx = traceprop.extract(req.headers, { propagators: 'tracecontext,baggage,b3' });
    res.end(JSON.stringify(ctx));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address();
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { b3: `${T}-${S}-d`, baggage: 'user=alice%20smith;p' },
    });
    const body = await res.json();
    assert.equal(body.traceId, T);
    assert.equal(body.sampled, true);
    assert.equal(body.debug, true);
    assert.equal(body.source, 'b3');
    assert.deepEqual(body.baggage, [{ key: 'user', value: 'alice smith', properties: 'p' }]);
  } finally {
    server.close();
  }
});

test('sampling is tri-state, with debug and random', () => {
  const b3 = { propagators: 'b3' };
  assert.equal(traceprop.extract({ b3: `${T}-${S}` }, b3).sampled, null);
  assert.equal(traceprop.extract({ b3: `${T}-${S}-0` }, b3).sampled, false);
  const debug = traceprop.extract({ b3: `${T}-${S}-d` }, b3);
  assert.deepEqual([debug.sampled, debug.debug], [true, true]);
  const random = traceprop.extract({ traceparent: `00-${T}-${S}-03` });
  assert.deepEqual([random.sampled, random.random], [true, true]);
});

test('policy last and first, the report and conflicts', () => {
  const headers = { traceparent: TP, b3: `${'a'.repeat(32)}-${'b'.repeat(16)}-1`, 'uber-trace-id': 'garbage' };
  const list = 'tracecontext,b3,jaeger';
  const last = traceprop.extract(headers, { propagators: list });
  assert.equal(last.source, 'b3');
  assert.equal(last.traceId, 'a'.repeat(32));
  const first = traceprop.extract(headers, { propagators: list, policy: 'first' });
  assert.equal(first.source, 'tracecontext');
  assert.deepEqual(first.report, {
    source: 'tracecontext',
    matched: [
      { format: 'tracecontext', traceId: T, spanId: S },
      { format: 'b3', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) },
    ],
    conflict: true,
    rejections: [{ format: 'jaeger', code: 'malformed' }],
    tracestateError: null,
  });
  const bad = traceprop.explain({ traceparent: TP, tracestate: 'Bad=1' });
  assert.equal(bad.tracestateError, 'invalid_key');
  const nothing = traceprop.explain({ traceparent: 'x' });
  assert.deepEqual(nothing, { source: null, matched: [], conflict: false, rejections: [{ format: 'tracecontext', code: 'invalid_length' }], tracestateError: null });
  // The report of a plain extraction needs no second native call, and says the same.
  const plain = traceprop.extract({ traceparent: TP });
  assert.deepEqual(plain.report, traceprop.explain({ traceparent: TP }));
});

test('Datadog and X-Ray fields, read lazily', () => {
  const dd = traceprop.extract(
    {
      'x-datadog-trace-id': '11803532876627986230',
      'x-datadog-parent-id': '67667974448284343',
      'x-datadog-sampling-priority': '2',
      'x-datadog-origin': 'synthetics',
      'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4',
    },
    { propagators: 'datadog' },
  );
  assert.deepEqual(
    [dd.traceId, dd.spanId, dd.sampled, dd.samplingPriority, dd.origin, dd.datadogTags, dd.datadogTagsSyntax],
    [T, S, true, 2, 'synthetics', '_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4', 'header'],
  );
  const fromTracestate = traceprop.extract({ traceparent: TP, tracestate: 'dd=s:2;o:rum;t.dm:-4,rojo=1' });
  assert.deepEqual(
    [fromTracestate.samplingPriority, fromTracestate.origin, fromTracestate.datadogTags, fromTracestate.datadogTagsSyntax],
    [2, 'rum', 's:2;o:rum;t.dm:-4', 'tracestate'],
  );
  const xray = traceprop.extract(
    { 'x-amzn-trace-id': 'Self=1-67891233-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1' },
    { propagators: 'xray' },
  );
  assert.equal(xray.xrayExtra, 'Self=1-67891233-12456789abcdef012345678;Lineage=a87bd80c:1');
  assert.equal(xray.samplingPriority, null);
  const json = JSON.parse(JSON.stringify(xray));
  assert.equal(json.xrayExtra, xray.xrayExtra);
  assert.equal(json.report.source, 'xray');
});

// A real SkyWalking agent's sw8: its trace and segment ids are not W3C ids.
const SW8 =
  '1-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDk=-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDg=-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwaQ==-MTI3LjAuMC4xOjgwODA=';

test('SkyWalking: the received sw8 is carried from extract to inject', () => {
  const sw8 = traceprop.configure('sw8');
  const ctx = traceprop.extract({ sw8: SW8 }, sw8);
  assert.equal(ctx.sw8, SW8);
  assert.equal(JSON.parse(JSON.stringify(ctx)).sw8, SW8);
  // A SkyWalking -> SkyWalking hop re-emits SkyWalking's own ids, as translate does.
  assert.deepEqual(traceprop.inject(ctx, sw8), { sw8: SW8 });
  assert.deepEqual(traceprop.translate({ sw8: SW8 }, sw8, sw8), { sw8: SW8 });
  // As a plain field too: a child span keeps the SkyWalking trace id.
  const child = traceprop.inject({ traceId: ctx.traceId, spanId: S, sampled: true, sw8: SW8 }, sw8).sw8;
  assert.equal(child.split('-')[1], SW8.split('-')[1]);
  assert.notEqual(child, SW8);
  // Without it the hashed W3C mapping is written; other formats carry none.
  const { sw8: _received, ...plain } = ctx.toJSON();
  assert.notEqual(traceprop.inject(plain, sw8).sw8.split('-')[1], SW8.split('-')[1]);
  assert.equal(traceprop.extract({ traceparent: TP }).sw8, null);
  assert.equal(traceprop.extract({ traceparent: TP, sw8: SW8 }, { propagators: 'sw8,tracecontext' }).sw8, null);
});

test('baggage from every baggage format is merged in list order', () => {
  const headers = { baggage: 'a=1,b=2', 'uberctx-b': 'jaeger', 'ot-baggage-c': 'ot', 'uber-trace-id': `${T}:${S}:0:1` };
  const ctx = traceprop.extract(headers, { propagators: 'baggage,jaeger,ottrace' });
  assert.deepEqual(ctx.baggage.map((e) => [e.key, e.value]), [['a', '1'], ['b', 'jaeger'], ['c', 'ot']]);
  // Baggage without a context: extract() says null, extractBaggage() has it.
  assert.equal(traceprop.extract({ baggage: 'k=v' }), null);
  assert.deepEqual(traceprop.extractBaggage({ baggage: 'k=v' }), [{ key: 'k', value: 'v', properties: '' }]);
  assert.deepEqual(traceprop.extractBaggage({ traceparent: TP }), []);
});

test('inject every format, and extract what was injected', () => {
  const ctx = { traceId: T, spanId: S, sampled: true, tracestate: 'rojo=1', baggage: [{ key: 'user', value: 'alice smith', properties: 'p' }] };
  const all = traceprop.configure('tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray,datadog,cloudtrace');
  const headers = traceprop.inject(ctx, all);
  assert.equal(headers.traceparent, TP);
  assert.equal(headers.baggage, 'user=alice%20smith;p');
  assert.equal(headers.b3, `${T}-${S}-1`);
  assert.equal(headers['x-b3-sampled'], '1');
  assert.equal(headers['uber-trace-id'], `${T}:${S}:0:1`);
  assert.equal(headers['x-amzn-trace-id'], `Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=${S};Sampled=1`);
  assert.equal(headers['x-datadog-trace-id'], '11803532876627986230');
  for (const format of ['tracecontext', 'b3', 'b3multi', 'jaeger', 'xray', 'datadog', 'cloudtrace']) {
    const back = traceprop.extract(headers, { propagators: format });
    assert.deepEqual([back.traceId, back.spanId, back.sampled], [T, S, true], format);
  }
  assert.deepEqual(traceprop.extract(headers, { propagators: 'tracecontext,baggage' }).baggage, [
    { key: 'user', value: 'alice smith', properties: 'p' },
  ]);
  // An extracted context re-injects with everything it carried.
  const proxy = traceprop.inject(traceprop.extract({ b3: `${T}-${S}` }, { propagators: 'b3' }), { propagators: 'b3,jaeger' });
  assert.deepEqual(proxy, { b3: `${T}-${S}`, 'uber-trace-id': `${T}:${S}:0:0` });
  // A baggage map is accepted too.
  assert.deepEqual(traceprop.inject({ traceId: T, spanId: S, baggage: { k: 'v' } }, { propagators: 'baggage' }), { baggage: 'k=v' });
});

test('injectInto sets headers on every kind of target', () => {
  const ctx = { traceId: T, spanId: S, sampled: false };
  const opts = { propagators: 'tracecontext,b3multi' };
  const want = { traceparent: `00-${T}-${S}-00`, 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0' };
  assert.deepEqual(traceprop.injectInto({ accept: '*/*' }, ctx, opts), { accept: '*/*', ...want });
  assert.deepEqual(Object.fromEntries(traceprop.injectInto(new Headers(), ctx, opts)), want);
  assert.deepEqual(Object.fromEntries(traceprop.injectInto(new Map(), ctx, opts)), want);
  const req = new http.OutgoingMessage();
  assert.equal(traceprop.injectInto(req, ctx, opts), req);
  assert.deepEqual({ ...req.getHeaders() }, want);
});

test('translate: a gateway step in one call', () => {
  const dd = {
    'x-datadog-trace-id': '11803532876627986230',
    'x-datadog-parent-id': '67667974448284343',
    'x-datadog-sampling-priority': '1',
    'x-datadog-tags': '_dd.p.tid=4bf92f3577b34da6',
  };
  assert.deepEqual(traceprop.translate(dd, { propagators: 'datadog' }, { propagators: 'tracecontext,b3' }), {
    traceparent: TP,
    b3: `${T}-${S}-1`,
    tracestate: 'dd=s:1;p:00f067aa0ba902b7',
  });
  assert.deepEqual(traceprop.translate({ traceparent: 'x' }, undefined, { propagators: 'b3' }), {});
  assert.deepEqual(traceprop.translate({}, undefined, undefined), {});
});

test('configure parses OTEL_PROPAGATORS syntax once', () => {
  const c = traceprop.configure(' TraceContext , b3,b3 ');
  assert.deepEqual([...c.formats], ['tracecontext', 'b3']);
  assert.equal(c.policy, 'last');
  assert.equal(String(c), 'tracecontext,b3');
  assert.ok(c.headers.includes('x-b3-traceid'));
  assert.equal(traceprop.configure(' TraceContext , b3,b3 '), c, 'cached');
  assert.deepEqual([...traceprop.configure('b3,none').formats], []);
  assert.deepEqual([...traceprop.configure('').formats], ['tracecontext', 'baggage']);
  assert.deepEqual([...traceprop.configure(['jaeger', 'ottrace']).prefixes], ['uberctx-', 'ot-baggage-']);
  assert.equal(traceprop.configure([]).toString(), 'none');
  assert.deepEqual([...traceprop.FORMATS], ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'ottrace', 'xray', 'datadog', 'cloudtrace', 'sw8', 'grpc-trace-bin']);
});

test('configFromEnv: OTEL_PROPAGATORS and DD_TRACE_PROPAGATION_STYLE*', () => {
  const otel = traceprop.configFromEnv({ OTEL_PROPAGATORS: 'b3multi,zipkin', HOME: '/root' });
  assert.deepEqual([[...otel.extract.formats], otel.extract.policy, [...otel.inject.formats]], [['b3multi'], 'last', ['b3multi']]);
  assert.deepEqual(otel.unknown, [{ variable: 'OTEL_PROPAGATORS', name: 'zipkin' }]);
  const unset = traceprop.configFromEnv({});
  assert.deepEqual([...unset.extract.formats], ['tracecontext', 'baggage']);
  const dd = traceprop.configFromEnv({
    OTEL_PROPAGATORS: 'b3',
    DD_TRACE_PROPAGATION_STYLE: 'datadog,tracecontext',
    DD_TRACE_PROPAGATION_STYLE_INJECT: 'tracecontext',
  });
  assert.deepEqual([[...dd.extract.formats], dd.extract.policy], [['datadog', 'tracecontext'], 'first']);
  assert.deepEqual([...dd.inject.formats], ['tracecontext']);
  assert.deepEqual(traceprop.configFromEnv({ OTEL_PROPAGATORS: 'none' }).inject.formats, []);
  const fromProcess = traceprop.configFromEnv();
  assert.ok(fromProcess.extract instanceof traceprop.Config);
});

test('id conversions', () => {
  assert.equal(traceprop.traceIdFromHex(T), T);
  assert.equal(traceprop.traceIdFromShortHex('a3ce929d0e0e4736'), '0000000000000000a3ce929d0e0e4736');
  assert.equal(traceprop.traceIdLowHex(T), 'a3ce929d0e0e4736');
  assert.deepEqual(traceprop.traceIdToDatadog(T), { decimal: '11803532876627986230', tid: '4bf92f3577b34da6' });
  assert.deepEqual(traceprop.traceIdToDatadog('0000000000000000a3ce929d0e0e4736'), { decimal: '11803532876627986230', tid: null });
  assert.equal(traceprop.traceIdFromDatadog('11803532876627986230', '4bf92f3577b34da6'), T);
  assert.equal(traceprop.traceIdFromDatadog('11803532876627986230'), '0000000000000000a3ce929d0e0e4736');
  assert.equal(traceprop.traceIdToXRayRoot('5759e988bd862e3fe1be46a994272793'), '1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(traceprop.traceIdFromXRayRoot('1-5759e988-bd862e3fe1be46a994272793'), '5759e988bd862e3fe1be46a994272793');
  assert.equal(traceprop.spanIdFromHex(S), S);
  assert.equal(traceprop.spanIdToDecimal(S), '67667974448284343');
  assert.equal(traceprop.spanIdFromDecimal('255'), '00000000000000ff');
});

test('errors carry the core error names', () => {
  assert.equal(traceprop.ERROR_CODES.length, 22);
  assert.equal(traceprop.ERROR_CODES[2], 'invalid_hex');
  const err = (() => {
    try {
      traceprop.traceIdFromHex('ABC');
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof traceprop.TracepropError);
  assert.equal(err.name, 'TracepropError');
  assert.equal(err.code, 'invalid_length');
  assert.match(err.message, /trace id: invalid length/);
});
