'use strict';
// Extraction: one native call per request. The native side answers with a
// short record (see bindings/node/src/extract.rs) whose fixed-offset fields
// are read here; baggage, Datadog/X-Ray/SkyWalking fields and the report
// are fetched by a second call only when read.
const native = require('./native.js');
const { resolve, DEFAULT } = require('./config.js');
const { collect, joined } = require('./headers.js');
const { throwCode, CODE } = require('./errors.js');

// Record layout (src/extract.rs).
const KIND_CONTEXT = 67; // 'C'
const TRACE_ID = 1;
const SPAN_ID = 33;
const SAMPLED = 49;
const DEBUG = 50;
const RANDOM = 51;
const SOURCE = 52;
const BITS = 53;
const TRACESTATE = 54;
const HAS_BAGGAGE = 1;
const HAS_DATADOG = 2;
const HAS_XRAY = 4;
/** The internal method that says whether a context holds more than an OpenTelemetry SpanContext can. */
const BEYOND_OTEL = Symbol('traceprop: beyond an OpenTelemetry SpanContext');
const HAS_REPORT = 8;
const HAS_SW8 = 16;
const CHAR_1 = 49;
const CHAR_0 = 48;
const FORMAT_NAMES = native.formatNames();

/**
 * Runs native `fn(key, input, lines)` over the configured lines of `headers`:
 * the joined string first; when a name or value holds a line feed (the
 * native side counts the lines and says `malformed`), the exact array form.
 * Returns `{result, input, lines}`, or `null` when no configured header is
 * present (nothing to cross for).
 */
function cross(fn, key, headers, config) {
  let input = joined(headers, config);
  const lines = joined.lines;
  if (lines === 0) return null;
  let result = fn(key, input, lines);
  if (result === CODE.malformed) {
    input = collect(headers, config);
    result = fn(key, input, lines);
  }
  if (typeof result === 'number') throwCode(result);
  return { result, input, lines };
}

/** Runs native `fn(key, input, lines)` over already collected input. */
function call(fn, key, input, lines) {
  const result = fn(key, input, lines);
  if (typeof result === 'number') throwCode(result);
  return result;
}

/** A remote span context found by `extract()`. */
class ExtractedContext {
  #key;
  #input;
  #lines;
  #bits;
  #details;
  #baggage;

  /** `answer`: the native record, or `[record, key, value, properties, …]`. */
  constructor(answer, key, input, lines) {
    const record = typeof answer === 'string' ? answer : answer[0];
    this.#key = key;
    this.#input = input;
    this.#lines = lines;
    this.#bits = record.charCodeAt(BITS) - 64;
    this.#details = undefined;
    this.#baggage = answer;
    /** The 128-bit trace id, 32 lowercase hex. */
    this.traceId = record.slice(TRACE_ID, SPAN_ID);
    /** The caller's span id, 16 lowercase hex. */
    this.spanId = record.slice(SPAN_ID, SAMPLED);
    const s = record.charCodeAt(SAMPLED);
    /** `true`, `false`, or `null` when the caller deferred the decision. */
    this.sampled = s === CHAR_1 ? true : s === CHAR_0 ? false : null;
    /** Debug / force-sample (B3 `d`, `X-B3-Flags: 1`, Jaeger 0x02). */
    this.debug = record.charCodeAt(DEBUG) === CHAR_1;
    /** The W3C random-trace-id flag. */
    this.random = record.charCodeAt(RANDOM) === CHAR_1;
    const end = tracestateEnd(record);
    /** The W3C tracestate (canonical), or `null`. */
    this.tracestate = end > TRACESTATE ? record.slice(TRACESTATE, end) : null;
    /** The format the context came from. */
    this.source = FORMAT_NAMES[record.charCodeAt(SOURCE) - 97];
  }

  #get() {
    if (this.#details === undefined) this.#details = call(native.details, this.#key, this.#input, this.#lines);
    return this.#details;
  }

  /** The baggage of every baggage format, merged: `[{key, value, properties}]`. */
  get baggage() {
    return this.#bits & HAS_BAGGAGE ? entries(this.#baggage) : [];
  }

  /** Datadog's sampling priority, or `null`. */
  get samplingPriority() {
    return this.#bits & HAS_DATADOG ? (this.#get().samplingPriority ?? null) : null;
  }

  /** Datadog's origin, or `null`. */
  get origin() {
    return this.#bits & HAS_DATADOG ? (this.#get().origin ?? null) : null;
  }

  /** The carried Datadog `_dd.p.*` tags as received, or `null`. */
  get datadogTags() {
    return this.#bits & HAS_DATADOG ? (this.#get().datadogTags ?? null) : null;
  }

  /** `header` (`x-datadog-tags` syntax) or `tracestate` (`t.*` syntax), or `null`. */
  get datadogTagsSyntax() {
    return this.#bits & HAS_DATADOG ? (this.#get().datadogTagsSyntax ?? null) : null;
  }

  /** X-Ray fields other than Root, Parent and Sampled (`Lineage=…`), or `null`. */
  get xrayExtra() {
    return this.#bits & HAS_XRAY ? (this.#get().xrayExtra ?? null) : null;
  }

  /** The SkyWalking `sw8` value the context was extracted from, verbatim, or `null`. */
  get sw8() {
    return this.#bits & HAS_SW8 ? (this.#get().sw8 ?? null) : null;
  }

  /** What every configured format found: see `explain()`. */
  get report() {
    if (this.#bits & HAS_REPORT) return report(this.#get());
    const match = { format: this.source, traceId: this.traceId, spanId: this.spanId };
    return { source: this.source, matched: [match], conflict: false, rejections: [], tracestateError: null };
  }

  /**
   * Whether this context holds what an OpenTelemetry SpanContext cannot: no
   * decision, debug, Datadog, X-Ray or SkyWalking fields, a tracestate over
   * 512 characters.
   */
  [BEYOND_OTEL]() {
    return (
      this.sampled === null ||
      this.debug ||
      (this.#bits & (HAS_DATADOG | HAS_XRAY | HAS_SW8)) !== 0 ||
      (this.tracestate !== null && this.tracestate.length > 512)
    );
  }

  /** Every field, as a plain object. */
  toJSON() {
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      sampled: this.sampled,
      debug: this.debug,
      random: this.random,
      tracestate: this.tracestate,
      baggage: this.baggage,
      samplingPriority: this.samplingPriority,
      origin: this.origin,
      datadogTags: this.datadogTags,
      datadogTagsSyntax: this.datadogTagsSyntax,
      xrayExtra: this.xrayExtra,
      sw8: this.sw8,
      source: this.source,
      report: this.report,
    };
  }
}

/** Where the tracestate of a record ends: at the first NUL (baggage follows), else the end. */
function tracestateEnd(record) {
  const nul = record.indexOf('\0', TRACESTATE);
  return nul === -1 ? record.length : nul;
}

/**
 * The baggage of a native extract answer as `[key, value, properties, …]`:
 * after the record's tracestate, NUL-separated, or the array form.
 */
function flatBaggage(answer) {
  if (typeof answer !== 'string') return answer.slice(1);
  const end = tracestateEnd(answer);
  return end === answer.length ? [] : answer.slice(end + 1).split('\0');
}

/** `[{key, value, properties}]` of a native extract answer. */
function entries(answer) {
  const flat = flatBaggage(answer);
  const out = [];
  for (let i = 0; i < flat.length; i += 3) out.push({ key: flat[i], value: flat[i + 1], properties: flat[i + 2] });
  return out;
}

/** The record of a native extract answer (`''` when nothing was found). */
const recordOf = (answer) => (typeof answer === 'string' ? answer : answer[0]);

function report(d) {
  return {
    source: d.source ?? null,
    matched: d.matched,
    conflict: d.conflict,
    rejections: d.rejections,
    tracestateError: d.tracestateError ?? null,
  };
}

/**
 * Extracts the remote span context from `headers` with the configured
 * formats (default `tracecontext,baggage`, policy `last`). Returns `null`
 * when no format yields a valid context; bad header values never throw.
 */
function extract(headers, options) {
  const config = options === undefined ? DEFAULT : resolve(options);
  const found = cross(native.extract, config.key, headers, config);
  if (found === null || recordOf(found.result).charCodeAt(0) !== KIND_CONTEXT) return null;
  return new ExtractedContext(found.result, config.key, found.input, found.lines);
}

/** The baggage in `headers`, with or without a span context. */
function extractBaggage(headers, options) {
  const config = resolve(options);
  const found = cross(native.extract, config.key, headers, config);
  return found === null ? [] : entries(found.result);
}

/**
 * What every configured format found in `headers`: the winning `source`,
 * every format that `matched` (with its ids), whether their trace ids
 * `conflict`, and the `rejections` (format and error code) of formats whose
 * headers were present but invalid.
 */
function explain(headers, options) {
  const config = resolve(options);
  const found = cross(native.details, config.key, headers, config);
  if (found === null) return { source: null, matched: [], conflict: false, rejections: [], tracestateError: null };
  return report(found.result);
}

module.exports = {
  ExtractedContext,
  extract,
  extractBaggage,
  explain,
  cross,
  call,
  recordOf,
  flatBaggage,
  KIND_CONTEXT,
  BEYOND_OTEL,
};
