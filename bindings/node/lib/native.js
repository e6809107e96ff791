'use strict';
// Loads the native addon built by scripts/build.js (the package's install
// script): one `traceprop.node` next to index.js, compiled on this machine.
const path = require('node:path');

const file = path.join(__dirname, '..', 'traceprop.node');
let native;
try {
  native = require(file);
} catch (e) {
  const err = new Error(
    `traceprop: cannot load the native addon ${file} (${e.message}). ` +
      'It is compiled from source when the package is installed; rebuild it with ' +
      '`npm rebuild traceprop` (needs cargo, Rust >= 1.88).',
  );
  err.code = 'ERR_TRACEPROP_NATIVE';
  err.cause = e;
  throw err;
}
module.exports = native;
