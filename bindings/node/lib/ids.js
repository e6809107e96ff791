'use strict';
// Id conversions: each one native call into the core's TraceId/SpanId.
const native = require('./native.js');
const { argumentError, throwCode } = require('./errors.js');

function str(value, field) {
  if (value === undefined || value === null) throw argumentError('missing', `${field} is required`);
  if (typeof value !== 'string') throw argumentError('invalid_value', `${field} must be a string`);
  return value;
}

function check(result, what) {
  if (typeof result === 'number') throwCode(result, what);
  return result;
}

/** Checks a trace id: exactly 32 lowercase hex digits, not all zero. */
const traceIdFromHex = (hex) => check(native.traceIdFromHex(str(hex, 'hex')), 'trace id');
/** A 16- or 32-hex trace id (B3, OT), left-padded to 32. */
const traceIdFromShortHex = (hex) => check(native.traceIdFromShortHex(str(hex, 'hex')), 'trace id');
/** The low 64 bits of a trace id as 16 hex (what a 64-bit-only field carries). */
const traceIdLowHex = (hex) => check(native.traceIdLowHex(str(hex, 'hex')), 'trace id');
/** From Datadog's decimal trace id and optional `_dd.p.tid` (the high 64 bits). */
const traceIdFromDatadog = (decimal, tid) =>
  check(
    native.traceIdFromDatadog(str(decimal, 'decimal'), tid === undefined || tid === null ? undefined : str(tid, 'tid')),
    'datadog trace id',
  );
/** To Datadog's `{decimal, tid}` (`tid` is `null` when the high 64 bits are zero). */
function traceIdToDatadog(hex) {
  const r = check(native.traceIdToDatadog(str(hex, 'hex')), 'trace id');
  return { decimal: r.decimal, tid: r.tid ?? null };
}
/** From an AWS X-Ray `Root` (`1-{8 hex}-{24 hex}`). */
const traceIdFromXRayRoot = (root) => check(native.traceIdFromXrayRoot(str(root, 'root')), 'x-ray root');
/** To an AWS X-Ray `Root`. */
const traceIdToXRayRoot = (hex) => check(native.traceIdToXrayRoot(str(hex, 'hex')), 'trace id');
/** Checks a span id: exactly 16 lowercase hex digits, not all zero. */
const spanIdFromHex = (hex) => check(native.spanIdFromHex(str(hex, 'hex')), 'span id');
/** From a decimal span id (Datadog parent id, Cloud Trace span id). */
const spanIdFromDecimal = (decimal) => check(native.spanIdFromDecimal(str(decimal, 'decimal')), 'span id');
/** To a decimal span id. */
const spanIdToDecimal = (hex) => check(native.spanIdToDecimal(str(hex, 'hex')), 'span id');

module.exports = {
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
};
