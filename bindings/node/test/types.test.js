'use strict';
// The TypeScript declarations stay true to the code:
// - native.d.ts is what scripts/native-dts.js generates from src/ (the crate is
//   recompiled here and the result compared);
// - index.d.ts and opentelemetry.d.ts declare exactly the runtime exports of
//   index.js and opentelemetry.js, and index.mjs / opentelemetry.mjs export
//   the same names;
// - test/types/usage.ts compiles against them with `tsc --strict`.
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const ts = require('typescript');

const pkg = path.resolve(__dirname, '..');
const bin = (name) => path.join(pkg, 'node_modules', '.bin', name);

function declaredExports(file) {
  const program = ts.createProgram([file], { strict: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = checker.getSymbolAtLocation(source);
  return checker
    .getExportsOfModule(symbol)
    .filter((s) => !(s.flags & ts.SymbolFlags.Type) || s.flags & ts.SymbolFlags.Value)
    .map((s) => s.name)
    .sort();
}

for (const [dts, js, mjs] of [
  ['index.d.ts', 'index.js', 'index.mjs'],
  ['opentelemetry.d.ts', 'opentelemetry.js', 'opentelemetry.mjs'],
]) {
  test(`${dts} declares exactly the exports of ${js} and ${mjs}`, async () => {
    const runtime = Object.keys(require(path.join(pkg, js))).sort();
    assert.deepEqual(declaredExports(path.join(pkg, dts)), runtime);
    const esm = await import(path.join(pkg, mjs));
    assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), runtime);
  });
}

test('the declarations compile with a strict usage file (tsc)', () => {
  execFileSync(bin('tsc'), ['-p', path.join(__dirname, 'types', 'tsconfig.json')], { cwd: pkg, stdio: 'pipe' });
});

test('native.d.ts is what napi-derive describes of the Rust sources', () => {
  execFileSync(process.execPath, [path.join(pkg, 'scripts', 'native-dts.js'), '--check'], { cwd: pkg, stdio: 'pipe' });
});

test('the native exports are the ones native.d.ts declares', () => {
  const native = require(path.join(pkg, 'traceprop.node'));
  assert.deepEqual(declaredExports(path.join(pkg, 'native.d.ts')), Object.keys(native).sort());
});

test('package.json carries the cargo workspace version', () => {
  const manifest = require('node:fs').readFileSync(path.resolve(pkg, '..', '..', 'Cargo.toml'), 'utf8');
  const workspace = /\[workspace\.package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(manifest);
  assert.ok(workspace, 'no [workspace.package] version in Cargo.toml');
  assert.equal(require(path.join(pkg, 'package.json')).version, workspace[1]);
});
