'use strict';
// Runs examples/node/service.js as a user would: `require('traceprop')` and
// `require('@opentelemetry/api')` resolve through NODE_PATH to this package
// and its dev dependencies, and the service talks to itself on loopback.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const service = path.resolve(pkg, '..', '..', 'examples', 'node', 'service.js');
const T = '4bf92f3577b34da6a3ce929d0e0e4736';

test('examples/node/service.js continues a trace through its downstream call', async () => {
  const modules = fs.mkdtempSync(path.join(os.tmpdir(), 'traceprop-example-'));
  fs.symlinkSync(pkg, path.join(modules, 'traceprop'));
  fs.symlinkSync(path.join(pkg, 'node_modules', '@opentelemetry'), path.join(modules, '@opentelemetry'));
  const child = spawn(process.execPath, [service, '0'], {
    env: { ...process.env, NODE_PATH: modules, OTEL_PROPAGATORS: 'tracecontext,baggage,b3multi', PORT: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (line) => {
        const m = /127\.0\.0\.1:(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/hello`, {
      headers: { 'x-b3-traceid': T, 'x-b3-spanid': '00f067aa0ba902b7', 'x-b3-sampled': '1', baggage: 'user=alice' },
    });
    const body = await res.json();
    assert.deepEqual(body.incoming, { traceId: T, spanId: '00f067aa0ba902b7', sampled: true, baggage: { user: 'alice' } });
    const childSpan = body.sent['x-b3-spanid'];
    assert.match(childSpan, /^[0-9a-f]{16}$/);
    assert.notEqual(childSpan, '00f067aa0ba902b7');
    assert.equal(body.sent.traceparent, `00-${T}-${childSpan}-01`);
    assert.equal(body.sent.baggage, 'user=alice');
    assert.deepEqual(body.downstream, { traceId: T, spanId: childSpan, sampled: true, baggage: { user: 'alice' } });
  } finally {
    child.kill();
    fs.rmSync(modules, { recursive: true, force: true });
  }
});
