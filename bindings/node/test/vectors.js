#!/usr/bin/env node
// The conformance-vector runner of the Node binding: runs every
// `$TRACEPROP_VECTORS/*.json` (default: the repository's tests/vectors)
// through the public API (extract, inject, translate) and prints
// `FAIL file :: case: why` lines and `node: N passed, M failed`. Exits 1 on
// any failure. An unknown field, propagator or policy fails the case: nothing
// is skipped. `test/vectors.test.js` runs it under `node --test`.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const traceprop = require('..');

const SCHEMA = 'traceprop-vectors/1';
const CASE_KEYS = ['name', 'reason', 'propagators', 'policy', 'extract', 'inject', 'inject_propagators', 'expect'];
const CONTEXT_KEYS = ['trace_id', 'span_id', 'sampled', 'debug', 'random', 'sampling_priority', 'origin'];
const INJECT_KEYS = [
  'trace_id', 'span_id', 'sampled', 'random', 'debug', 'tracestate', 'baggage',
  'sampling_priority', 'origin', 'dd_tags', 'xray_extra',
];

function vectorsDir() {
  const env = process.env.TRACEPROP_VECTORS;
  return env ? path.resolve(env) : path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors');
}

function knownKeys(obj, allowed, where) {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new Error(`unknown field ${JSON.stringify(k)}${where ? ` in ${where}` : ''}`);
  }
}

function options(list, policy) {
  if (typeof list !== 'string') throw new Error('propagators is not a string');
  if (policy !== undefined && policy !== 'last' && policy !== 'first') throw new Error(`unknown policy ${JSON.stringify(policy)}`);
  // configure() throws unknown_propagator for a name the core does not know.
  return traceprop.configure(list, { policy: policy ?? 'last' });
}

function pairs(list, what) {
  if (!Array.isArray(list)) throw new Error(`${what} is not a list`);
  for (const p of list) {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') {
      throw new Error(`bad header pair ${JSON.stringify(p)}`);
    }
  }
  return list;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compareHeaders(got, want) {
  const gotList = Object.entries(got);
  for (const [k] of gotList) {
    if (k !== k.toLowerCase()) throw new Error(`injected header name ${JSON.stringify(k)} is not lowercase`);
  }
  const sort = (l) => l.map(([k, v]) => `${k}\u0000${v}`).sort();
  if (!same(sort(gotList), sort(pairs(want, 'expect.headers')))) {
    throw new Error(`headers: got ${JSON.stringify(gotList)}, want ${JSON.stringify(want)}`);
  }
}

function checkContext(got, want) {
  if (want === null) {
    if (got !== null) throw new Error(`context: got ${JSON.stringify(got)}, want null`);
    return;
  }
  if (got === null) throw new Error(`context: got null, want ${JSON.stringify(want)}`);
  for (const [key, w] of Object.entries(want)) {
    const g = {
      trace_id: () => got.traceId,
      span_id: () => got.spanId,
      sampled: () => got.sampled,
      debug: () => got.debug,
      random: () => got.random,
      sampling_priority: () => got.samplingPriority,
      origin: () => got.origin,
    }[key];
    if (g === undefined) throw new Error(`unknown context field ${JSON.stringify(key)}`);
    if (!same(g(), w)) throw new Error(`context.${key}: got ${JSON.stringify(g())}, want ${JSON.stringify(w)}`);
  }
}

function baggageJson(entries) {
  return entries.map((e) => (e.properties ? [e.key, e.value, e.properties] : [e.key, e.value]));
}

function checkExtraction(headers, config, expect) {
  knownKeys(expect, ['context', 'tracestate', 'baggage', 'source'], 'expect');
  const ctx = traceprop.extract(headers, config);
  if ('context' in expect) checkContext(ctx, expect.context);
  if ('tracestate' in expect) {
    const got = ctx === null ? null : ctx.tracestate;
    if (!same(got, expect.tracestate)) throw new Error(`tracestate: got ${JSON.stringify(got)}, want ${JSON.stringify(expect.tracestate)}`);
  }
  if ('baggage' in expect) {
    const got = baggageJson(ctx === null ? traceprop.extractBaggage(headers, config) : ctx.baggage);
    if (!same(got, expect.baggage)) throw new Error(`baggage: got ${JSON.stringify(got)}, want ${JSON.stringify(expect.baggage)}`);
  }
  if ('source' in expect) {
    const got = traceprop.explain(headers, config).source;
    if (!same(got, expect.source)) throw new Error(`source: got ${JSON.stringify(got)}, want ${JSON.stringify(expect.source)}`);
    if (ctx !== null && ctx.source !== got) throw new Error(`source: context says ${ctx.source}, report ${got}`);
  }
}

function injectInput(input) {
  knownKeys(input, INJECT_KEYS, 'inject');
  for (const k of ['trace_id', 'span_id']) if (typeof input[k] !== 'string') throw new Error(`missing ${k}`);
  if (!('sampled' in input)) throw new Error('missing sampled');
  let baggage;
  if (input.baggage !== undefined) {
    baggage = input.baggage.map((m) => {
      if (!Array.isArray(m) || (m.length !== 2 && m.length !== 3)) throw new Error('baggage member needs 2 or 3 parts');
      return { key: m[0], value: m[1], properties: m[2] ?? '' };
    });
  }
  return {
    traceId: input.trace_id,
    spanId: input.span_id,
    sampled: input.sampled,
    random: input.random ?? false,
    debug: input.debug ?? false,
    tracestate: input.tracestate ?? null,
    baggage,
    samplingPriority: input.sampling_priority ?? null,
    origin: input.origin ?? null,
    datadogTags: input.dd_tags ?? null,
    xrayExtra: input.xray_extra ?? null,
  };
}

function runCase(c) {
  if (c === null || typeof c !== 'object') throw new Error('case is not an object');
  knownKeys(c, CASE_KEYS);
  if (typeof c.reason !== 'string' || c.reason === '') throw new Error('missing reason');
  if (c.expect === null || typeof c.expect !== 'object') throw new Error('missing expect');
  const config = options(c.propagators, c.policy);
  const kinds = ['extract', 'inject'].filter((k) => k in c).length;
  if (kinds !== 1) throw new Error('a case needs exactly one of extract, inject, translate');
  if ('extract' in c && 'inject_propagators' in c) {
    knownKeys(c.expect, ['headers'], 'expect');
    const out = traceprop.translate(pairs(c.extract, 'extract'), config, options(c.inject_propagators));
    compareHeaders(out, c.expect.headers);
  } else if ('extract' in c) {
    checkExtraction(pairs(c.extract, 'extract'), config, c.expect);
  } else {
    if (c.inject === null || typeof c.inject !== 'object') throw new Error('inject is not an object');
    knownKeys(c.expect, ['headers'], 'expect');
    compareHeaders(traceprop.inject(injectInput(c.inject), config), c.expect.headers);
  }
}

/** Runs every vector file in `dir`; returns `{passed, failed, failures}`. */
function runVectors(dir = vectorsDir()) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no vector files in ${dir}`);
  let passed = 0;
  const failures = [];
  for (const file of files) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (doc.schema !== SCHEMA) throw new Error(`unknown schema ${JSON.stringify(doc.schema)}`);
      if (!Array.isArray(doc.cases)) throw new Error('no cases array');
    } catch (e) {
      failures.push(`FAIL ${file}: ${e.message}`);
      continue;
    }
    for (const c of doc.cases) {
      try {
        runCase(c);
        passed++;
      } catch (e) {
        failures.push(`FAIL ${file} :: ${c && c.name ? c.name : '<unnamed>'}: ${e.code ? `${e.code}: ` : ''}${e.message}`);
      }
    }
  }
  return { passed, failed: failures.length, failures };
}

module.exports = { runVectors, vectorsDir };

if (require.main === module) {
  const { passed, failed, failures } = runVectors();
  for (const f of failures) console.log(f);
  console.log(`node: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
