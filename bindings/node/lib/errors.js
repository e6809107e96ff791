'use strict';
// Errors thrown by traceprop: a JS Error whose `code` is the core's stable
// error name (`invalid_hex`, `zero_id`, `unknown_propagator`, …).
const native = require('./native.js');

const NAMES = native.errorNames();
const MESSAGES = native.errorMessages();

/** An error from traceprop; `code` is the core's stable error name. */
class TracepropError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'TracepropError';
    this.code = code;
  }
}

/** Throws the core error with numeric code `n`, naming what failed. */
function throwCode(n, what) {
  const code = NAMES[n - 1] || 'unknown';
  const message = MESSAGES[n - 1] || `error ${n}`;
  throw new TracepropError(code, what ? `${what}: ${message}` : message);
}

/** A TracepropError for a bad argument, with the core error name `code`. */
function argumentError(code, message) {
  const err = new TracepropError(code, message);
  Error.captureStackTrace(err, argumentError);
  return err;
}

/** The code of each core error name, for comparing native results. */
const CODE = Object.freeze(Object.fromEntries(NAMES.map((name, i) => [name, i + 1])));

module.exports = { TracepropError, throwCode, argumentError, CODE, ERROR_CODES: Object.freeze([...NAMES]) };
