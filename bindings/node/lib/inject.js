'use strict';
// Injection and translation: one native call; the headers come back as one
// `"\n{name}\n{value}"` string, turned into a plain object here.
const native = require('./native.js');
const { resolve, DEFAULT } = require('./config.js');
const { cross } = require('./extract.js');
const { argumentError, throwCode } = require('./errors.js');

// Flags of the native inject (src/inject.rs).
const SAMPLED = 1;
const RANDOM = 2;
const DEBUG = 4;
const DEFERRED = 8;
const NO_CONTEXT = 16;
const INT32_MAX = 2147483647;

/** Turns the native `"\n{name}\n{value}"…` answer into `{name: value}`. */
function toObject(joined) {
  const out = {};
  let start = 1;
  while (start < joined.length) {
    const eq = joined.indexOf('\n', start);
    let end = joined.indexOf('\n', eq + 1);
    if (end === -1) end = joined.length;
    out[joined.slice(start, eq)] = joined.slice(eq + 1, end);
    start = end + 1;
  }
  return out;
}

function text(value, field) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw argumentError('invalid_value', `${field} must be a string`);
  if (!value.isWellFormed()) throw argumentError('invalid_utf8', `${field} holds a lone surrogate`);
  return value;
}

function id(value, field) {
  if (value === undefined || value === null) throw argumentError('missing', `${field} is required`);
  if (typeof value !== 'string') throw argumentError('invalid_value', `${field} must be a hex string`);
  return value;
}

/** The native flags of a context's sampling fields. */
function flagsOf(ctx) {
  const s = ctx.sampled;
  let flags;
  if (s === true) flags = SAMPLED;
  else if (s === false) flags = 0;
  else if (s === null || s === undefined) flags = DEFERRED;
  else throw argumentError('invalid_value', 'sampled must be true, false or null');
  if (ctx.random === true) flags |= RANDOM;
  if (ctx.debug === true) flags |= DEBUG;
  return flags;
}

/** `[key, value, properties, …]` from an array of entries or a `{key: value}` object. */
function flatBaggage(baggage) {
  if (baggage === undefined || baggage === null) return undefined;
  const flat = [];
  if (Array.isArray(baggage)) {
    for (let i = 0; i < baggage.length; i++) {
      const e = baggage[i];
      if (e === null || typeof e !== 'object') {
        throw argumentError('invalid_value', `baggage[${i}] must be {key, value, properties?}`);
      }
      flat.push(
        text(e.key, `baggage[${i}].key`) ?? '',
        text(e.value, `baggage[${i}].value`) ?? '',
        text(e.properties, `baggage[${i}].properties`) ?? '',
      );
    }
  } else if (typeof baggage === 'object') {
    for (const key of Object.keys(baggage)) {
      flat.push(text(key, 'baggage key'), text(baggage[key], `baggage[${JSON.stringify(key)}]`) ?? '', '');
    }
  } else {
    throw argumentError('invalid_value', 'baggage must be an array of {key, value, properties?} or an object');
  }
  return flat.length === 0 ? undefined : flat;
}

function priority(value) {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value > INT32_MAX || value < -INT32_MAX - 1) {
    throw argumentError('out_of_range', 'samplingPriority must be a 32-bit integer');
  }
  return value;
}

/**
 * The optional parts of `ctx` as the native `injectFull` takes them:
 * `{texts: [tracestate, origin, datadogTags, datadogTagsSyntax, xrayExtra, sw8],
 * samplingPriority, baggage}` (`''` for an absent text), or `undefined` when
 * it has none.
 */
function extraOf(ctx) {
  const tracestate = text(ctx.tracestate, 'tracestate') ?? '';
  const origin = text(ctx.origin, 'origin') ?? '';
  const datadogTags = text(ctx.datadogTags, 'datadogTags') ?? '';
  const datadogTagsSyntax = text(ctx.datadogTagsSyntax, 'datadogTagsSyntax') ?? '';
  const xrayExtra = text(ctx.xrayExtra, 'xrayExtra') ?? '';
  const sw8 = text(ctx.sw8, 'sw8') ?? '';
  const samplingPriority = priority(ctx.samplingPriority);
  const baggage = flatBaggage(ctx.baggage);
  if (
    tracestate === '' &&
    origin === '' &&
    datadogTags === '' &&
    xrayExtra === '' &&
    sw8 === '' &&
    samplingPriority === undefined &&
    baggage === undefined
  ) {
    return undefined;
  }
  return { texts: [tracestate, origin, datadogTags, datadogTagsSyntax, xrayExtra, sw8], samplingPriority, baggage };
}

/** `extraOf`'s shape from OpenTelemetry-side fields. */
function extra(fields) {
  return {
    texts: [
      fields.tracestate ?? '',
      fields.origin ?? '',
      fields.datadogTags ?? '',
      fields.datadogTagsSyntax ?? '',
      fields.xrayExtra ?? '',
      fields.sw8 ?? '',
    ],
    samplingPriority: fields.samplingPriority,
    baggage: fields.baggage,
  };
}

/** Injects with a resolved config: the joined native answer. */
function injectJoined(config, traceId, spanId, flags, extra) {
  // Well-sized ids cross as one string; anything else takes the path with
  // separate arguments, so an error names the right id.
  const out =
    extra === undefined && traceId.length === 32 && spanId.length === 16
      ? native.inject(config.key, traceId + spanId, flags)
      : extra === undefined
        ? native.injectFull(config.key, traceId, spanId, flags, [])
        : native.injectFull(config.key, traceId, spanId, flags, extra.texts, extra.samplingPriority, extra.baggage);
  if (typeof out === 'number') throwCode(out, 'inject');
  return out;
}

function injectContext(context, options) {
  if (context === undefined || context === null) throw argumentError('missing', 'context is required');
  if (typeof context !== 'object') throw argumentError('invalid_value', 'context must be an object');
  const config = options === undefined ? DEFAULT : resolve(options);
  const traceId = id(context.traceId, 'traceId');
  const spanId = id(context.spanId, 'spanId');
  return injectJoined(config, traceId, spanId, flagsOf(context), extraOf(context));
}

/**
 * The headers that carry `context` in every configured format, as a plain
 * object of lowercase names. An id that is not valid lowercase hex throws
 * (`invalid_hex`, `invalid_length`, `zero_id`).
 */
function inject(context, options) {
  return toObject(injectContext(context, options));
}

/**
 * Sets the headers of `inject(context, options)` on `target`: anything with
 * `setHeader` (http.ClientRequest, ServerResponse), with `set` (fetch
 * Headers, Map), or a plain object. Returns `target`.
 */
function injectInto(target, context, options) {
  if (target === undefined || target === null) throw argumentError('missing', 'target is required');
  if (typeof target !== 'object') throw argumentError('invalid_value', 'target must be an object');
  setAll(target, injectContext(context, options));
  return target;
}

function setAll(target, joined) {
  const headers = toObject(joined);
  if (typeof target.setHeader === 'function') {
    for (const name in headers) target.setHeader(name, headers[name]);
  } else if (typeof target.set === 'function') {
    for (const name in headers) target.set(name, headers[name]);
  } else {
    Object.assign(target, headers);
  }
}

/**
 * A gateway's step in one call: extracts from `headers` with `from` and
 * returns the headers of the result injected with `to` (`{}` when nothing
 * valid was found).
 */
function translate(headers, from, to) {
  const source = resolve(from);
  const dest = resolve(to);
  const found = cross((key, input, n) => native.translate(key, dest.key, input, n), source.key, headers, source);
  return found === null ? {} : toObject(found.result);
}

module.exports = {
  extra,
  inject,
  injectInto,
  translate,
  injectJoined,
  toObject,
  setAll,
  flatBaggage,
  text,
  SAMPLED,
  RANDOM,
  DEBUG,
  DEFERRED,
  NO_CONTEXT,
};
