'use strict';
// The conformance vectors under `node --test`, through every input form the
// API accepts: arrays of pairs (as the vectors are written), Node's
// IncomingHttpHeaders objects, and maps.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const traceprop = require('..');
const { runVectors, vectorsDir } = require('./vectors.js');

test('every conformance vector passes', () => {
  const { passed, failed, failures } = runVectors();
  assert.ok(passed > 0, 'no vector case ran');
  assert.deepEqual(failures, [], `${failed} vector case(s) failed`);
});

/** The extract cases of every vector file, with their configuration. */
function extractCases() {
  const dir = vectorsDir();
  const out = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    for (const c of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).cases) {
      if ('extract' in c) out.push({ file, c, config: traceprop.configure(c.propagators, { policy: c.policy ?? 'last' }) });
    }
  }
  return out;
}

/** IncomingHttpHeaders-like: lowercase names, a repeated header as an array. */
function toObject(pairs) {
  const obj = Object.create(null);
  for (const [k, v] of pairs) {
    const name = k.toLowerCase();
    if (name in obj) obj[name] = [].concat(obj[name], v);
    else obj[name] = v;
  }
  return obj;
}

function summary(headers, config) {
  const ctx = traceprop.extract(headers, config);
  return {
    context: ctx && ctx.toJSON(),
    baggage: traceprop.extractBaggage(headers, config),
    report: traceprop.explain(headers, config),
  };
}

test('an IncomingHttpHeaders object or a Map gives what the pairs give', () => {
  let compared = 0;
  for (const { file, c, config } of extractCases()) {
    // Grouping repeated names changes the order of lines only across names;
    // that order matters for prefixed baggage headers alone.
    const names = c.extract.map(([k]) => k.toLowerCase());
    const interleaved = names.some((n, i) => names.indexOf(n) !== i && names[i - 1] !== n);
    if (interleaved) continue;
    const want = summary(c.extract, config);
    const obj = toObject(c.extract);
    assert.deepEqual(summary(obj, config), want, `${file} :: ${c.name} (object)`);
    assert.deepEqual(summary(new Map(Object.entries(obj)), config), want, `${file} :: ${c.name} (Map)`);
    compared++;
  }
  assert.ok(compared > 100, `only ${compared} cases compared`);
});
