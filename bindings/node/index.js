'use strict';
// traceprop: every distributed-tracing propagation header, extracted and
// injected by one native Rust core. See README.md for the API.
const { Config, configure, configFromEnv } = require('./lib/config.js');
const { ExtractedContext, extract, extractBaggage, explain } = require('./lib/extract.js');
const { inject, injectInto, translate } = require('./lib/inject.js');
const ids = require('./lib/ids.js');
const { TracepropError, ERROR_CODES } = require('./lib/errors.js');
const native = require('./lib/native.js');

/** Every format name the core knows. */
const FORMATS = Object.freeze(native.formatNames());

module.exports = {
  extract,
  extractBaggage,
  explain,
  inject,
  injectInto,
  translate,
  configure,
  configFromEnv,
  Config,
  ExtractedContext,
  TracepropError,
  ERROR_CODES,
  FORMATS,
  traceIdFromHex: ids.traceIdFromHex,
  traceIdFromShortHex: ids.traceIdFromShortHex,
  traceIdLowHex: ids.traceIdLowHex,
  traceIdFromDatadog: ids.traceIdFromDatadog,
  traceIdToDatadog: ids.traceIdToDatadog,
  traceIdFromXRayRoot: ids.traceIdFromXRayRoot,
  traceIdToXRayRoot: ids.traceIdToXRayRoot,
  spanIdFromHex: ids.spanIdFromHex,
  spanIdFromDecimal: ids.spanIdFromDecimal,
  spanIdToDecimal: ids.spanIdToDecimal,
};
