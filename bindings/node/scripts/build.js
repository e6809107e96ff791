#!/usr/bin/env node
// Builds the native addon from source with cargo and copies it next to
// index.js as `traceprop.node`. Runs as the package's `install` script, so
// `npm install ./bindings/node` and `npm install traceprop-x.y.z.tgz` both
// compile it; no prebuilt binary is downloaded.
//
// Two layouts:
// - in the libtraceprop repository (bindings/node inside the cargo
//   workspace): builds the workspace member `traceprop-node`, in the shared
//   `<repo>/target` unless CARGO_TARGET_DIR says otherwise;
// - from a packed tarball: builds the self-contained workspace that
//   `scripts/stage-rust.js` put in `rust/` at pack time.
//
// Needs `cargo` (Rust >= 1.88) on PATH; crates come from crates.io.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(pkgDir, '..', '..');

function inRepository() {
  const manifest = path.join(repoRoot, 'Cargo.toml');
  return (
    fs.existsSync(manifest) &&
    fs.existsSync(path.join(repoRoot, 'core', 'src', 'lib.rs')) &&
    /"bindings\/node"/.test(fs.readFileSync(manifest, 'utf8'))
  );
}

function main() {
  const repo = inRepository();
  const workspace = repo ? repoRoot : path.join(pkgDir, 'rust');
  const manifest = path.join(workspace, 'Cargo.toml');
  if (!fs.existsSync(manifest)) {
    fail(`no Rust sources to build: ${manifest} is missing`);
  }
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(workspace, 'target');
  const profile = process.env.TRACEPROP_NODE_PROFILE || 'release';
  // The staged Cargo.lock is the repository's: it pins every crate version,
  // and cargo drops the entries of the repository's other crates.
  const args = ['build', '--manifest-path', manifest, '-p', 'traceprop-node', '--profile', profile];
  const cargo = process.env.CARGO || 'cargo';
  const run = spawnSync(cargo, args, {
    stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
  });
  if (run.error) {
    fail(`cannot run ${cargo}: ${run.error.message}. Install Rust (>= 1.88) to build traceprop.`);
  }
  if (run.status !== 0) fail(`cargo build failed (exit ${run.status})`);

  const outDir = path.join(targetDir, profile === 'dev' ? 'debug' : profile);
  const lib = {
    darwin: 'libtraceprop_node.dylib',
    win32: 'traceprop_node.dll',
  }[process.platform] || 'libtraceprop_node.so';
  const built = path.join(outDir, lib);
  const dest = path.join(pkgDir, 'traceprop.node');
  // Copy to a temporary name and rename: a running process that already
  // loaded the old addon keeps its mapping intact.
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.copyFileSync(built, tmp);
  fs.renameSync(tmp, dest);
  if (!repo && !process.env.CARGO_TARGET_DIR) {
    // An installed package keeps only the addon, not cargo's build tree.
    fs.rmSync(targetDir, { recursive: true, force: true });
  }
  console.log(`traceprop: built ${path.relative(process.cwd(), dest) || dest}`);
}

function fail(message) {
  console.error(`traceprop: ${message}`);
  process.exit(1);
}

main();
