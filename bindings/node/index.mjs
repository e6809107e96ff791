// ES module entry: the same API as index.js.
import traceprop from './index.js';

export const {
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
  traceIdFromHex,
  traceIdFromShortHex,
  traceIdLowHex,
  traceIdFromDatadog,
  traceIdToDatadog,
  traceIdFromXRayRoot,
  traceIdToXRayRoot,
  spanIdFromHex,
  spanIdFromDecimal,
  spanIdToDecimal,
} = traceprop;
export default traceprop;
