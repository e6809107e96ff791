'use strict';
// OpenTelemetry JS `TextMapPropagator`s backed by the traceprop core: the
// composite (`TracepropPropagator`, configured like OTEL_PROPAGATORS) and one
// class per format. Needs the peer dependency `@opentelemetry/api`.
const api = require('@opentelemetry/api');
const native = require('./lib/native.js');
const { Config, resolve, configFromEnv } = require('./lib/config.js');
const { join, hasPrefix, valueError } = require('./lib/headers.js');
const { ExtractedContext, cross, recordOf, flatBaggage: answerBaggage, KIND_CONTEXT, BEYOND_OTEL } = require('./lib/extract.js');
const inj = require('./lib/inject.js');
const { TracepropError, CODE, throwCode } = require('./lib/errors.js');

const { trace, propagation, diag, createContextKey, isSpanContextValid, createTraceState } = api;

/**
 * The context key under which `extract` keeps the full traceprop context
 * (`ExtractedContext`) when it holds what an OpenTelemetry SpanContext cannot
 * (no decision, debug, Datadog, X-Ray and SkyWalking fields, a tracestate
 * over 512 characters), for `inject` to carry on.
 */
const TRACEPROP_CONTEXT_KEY = createContextKey('traceprop extracted context');

/** The most characters an OpenTelemetry JS `TraceState` accepts. */
const OTEL_TRACESTATE_MAX = 512;

/**
 * An OpenTelemetry TraceState of a canonical tracestate. OpenTelemetry JS
 * discards a longer one whole, so it is first truncated as W3C Trace Context
 * says (entries over 128 characters first, then from the right).
 */
function traceState(value) {
  if (value.length > OTEL_TRACESTATE_MAX) {
    const cut = native.truncateTracestate(value, OTEL_TRACESTATE_MAX);
    value = typeof cut === 'string' ? cut : '';
  }
  return createTraceState(value);
}

/** Reads the configured headers through an OpenTelemetry `TextMapGetter`. */
function fromTextMapGetter(carrier, getter, config) {
  const out = [];
  const names = config.headers;
  for (let i = 0; i < names.length; i++) {
    const value = getter.get(carrier, names[i]);
    if (value !== undefined && value !== null) addValue(out, names[i], value);
  }
  if (config.prefixes.length !== 0) {
    for (const name of getter.keys(carrier)) {
      if (typeof name === 'string' && hasPrefix(name.toLowerCase(), config.prefixes)) {
        const value = getter.get(carrier, name);
        if (value !== undefined && value !== null) addValue(out, name, value);
      }
    }
  }
  return out;
}

/** Runs the native extraction over lines read through a getter. */
function crossLines(config, lines) {
  const n = lines.length / 2;
  let input = join(lines);
  let result = native.extract(config.key, input, n);
  if (result === CODE.malformed) {
    input = lines;
    result = native.extract(config.key, input, n);
  }
  if (typeof result === 'number') throwCode(result);
  return result === '' ? null : { result, input, lines: n };
}

function addValue(out, name, value) {
  if (typeof value === 'string') out.push(name, value);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    for (const v of value) out.push(name, v);
  } else throw valueError(name);
}

/** An OpenTelemetry Baggage of `[key, value, properties, …]`. */
function otelBaggage(flat) {
  const record = {};
  for (let i = 0; i < flat.length; i += 3) {
    record[flat[i]] = flat[i + 2]
      ? { value: flat[i + 1], metadata: api.baggageEntryMetadataFromString(flat[i + 2]) }
      : { value: flat[i + 1] };
  }
  return propagation.createBaggage(record);
}

function flatBaggage(baggage) {
  const flat = [];
  for (const [key, entry] of baggage.getAllEntries()) {
    flat.push(key, entry.value, entry.metadata === undefined ? '' : entry.metadata.toString());
  }
  return flat.length === 0 ? undefined : flat;
}

/**
 * A `TextMapPropagator` for a list of formats, in one native call per
 * extract or inject.
 *
 * `options`: `{propagators, policy}` (an OTEL_PROPAGATORS-style list,
 * default `tracecontext,baggage`), a `Config`, or `{extract, inject}` Configs
 * (what `configFromEnv()` returns).
 */
class TracepropPropagator {
  constructor(options) {
    if (options != null && options.extract instanceof Config && options.inject instanceof Config) {
      this._extract = options.extract;
      this._inject = options.inject;
    } else {
      this._extract = this._inject = resolve(options);
    }
    this._fields = [...this._inject.headers];
  }

  /** The header names the injection formats use (prefixed baggage aside). */
  fields() {
    return this._fields;
  }

  extract(context, carrier, getter) {
    if (carrier === null || typeof carrier !== 'object') return context;
    const config = this._extract;
    let found;
    try {
      if (getter === undefined || getter === api.defaultTextMapGetter) {
        found = cross(native.extract, config.key, carrier, config);
      } else {
        const lines = fromTextMapGetter(carrier, getter, config);
        found = lines.length === 0 ? null : crossLines(config, lines);
      }
    } catch (e) {
      if (!(e instanceof TracepropError)) throw e;
      diag.debug(`traceprop: extract skipped: ${e.message}`);
      return context;
    }
    if (found === null) return context;
    const { result: answer, input, lines } = found;
    if (recordOf(answer).charCodeAt(0) === KIND_CONTEXT) {
      const extracted = new ExtractedContext(answer, config.key, input, lines);
      const spanContext = {
        traceId: extracted.traceId,
        spanId: extracted.spanId,
        traceFlags: (extracted.sampled ? 1 : 0) | (extracted.random ? 2 : 0),
        isRemote: true,
      };
      if (extracted.tracestate !== null) spanContext.traceState = traceState(extracted.tracestate);
      context = trace.setSpanContext(context, spanContext);
      // Each Context value copies the context's map: keep the traceprop
      // context only when it says more than the SpanContext.
      if (extracted[BEYOND_OTEL]()) context = context.setValue(TRACEPROP_CONTEXT_KEY, extracted);
    }
    const baggage = answerBaggage(answer);
    if (baggage.length !== 0) context = propagation.setBaggage(context, otelBaggage(baggage));
    return context;
  }

  inject(context, carrier, setter) {
    const sc = trace.getSpanContext(context);
    const baggage = propagation.getBaggage(context);
    const valid = sc !== undefined && isSpanContextValid(sc);
    if (!valid && baggage === undefined) return;
    let traceId = '';
    let spanId = '';
    let flags = inj.NO_CONTEXT;
    let extra;
    if (valid) {
      traceId = sc.traceId;
      spanId = sc.spanId;
      const sampled = (sc.traceFlags & 1) === 1;
      flags = (sampled ? inj.SAMPLED : 0) | (sc.traceFlags & 2 ? inj.RANDOM : 0);
      const tracestate = sc.traceState === undefined ? '' : sc.traceState.serialize();
      if (tracestate !== '') extra = { tracestate };
      const parent = context.getValue(TRACEPROP_CONTEXT_KEY);
      if (parent !== undefined && parent.traceId === traceId) {
        extra = { ...extra, ...carried(parent, spanId, sampled) };
        if (parent.spanId === spanId) {
          // Re-injecting the remote context itself (a proxy): keep what an
          // OpenTelemetry SpanContext cannot say.
          if (parent.sampled === null && !sampled) flags |= inj.DEFERRED;
          if (parent.debug) flags |= inj.DEBUG;
        }
      }
    }
    if (baggage !== undefined) {
      const flat = flatBaggage(baggage);
      if (flat !== undefined) extra = { ...extra, baggage: flat };
    }
    let joined;
    try {
      joined = inj.injectJoined(this._inject, traceId, spanId, flags, extra === undefined ? undefined : inj.extra(extra));
    } catch (e) {
      if (!(e instanceof TracepropError)) throw e;
      diag.debug(`traceprop: inject skipped: ${e.message}`);
      return;
    }
    const set = setter === undefined ? api.defaultTextMapSetter : setter;
    const headers = inj.toObject(joined);
    for (const name in headers) set.set(carrier, name, headers[name]);
  }
}

/**
 * Trace-wide fields of an extracted context worth carrying to a child span
 * of the same trace: Datadog's origin and `_dd.p.*` tags, X-Ray's extra
 * fields, the received SkyWalking `sw8` (the core keeps SkyWalking's trace id
 * and, for the same span, every field), and the sampling priority when it
 * agrees with the decision.
 */
function carried(parent, spanId, sampled) {
  const out = {};
  const priority = parent.samplingPriority;
  if (priority !== null && (parent.spanId === spanId || priority > 0 === sampled)) {
    out.samplingPriority = priority;
  }
  if (parent.origin !== null) out.origin = parent.origin;
  if (parent.datadogTags !== null) {
    out.datadogTags = parent.datadogTags;
    out.datadogTagsSyntax = parent.datadogTagsSyntax;
  }
  if (parent.xrayExtra !== null) out.xrayExtra = parent.xrayExtra;
  if (parent.sw8 !== null) out.sw8 = parent.sw8;
  return out;
}

/** A `TracepropPropagator` configured from the environment (`configFromEnv`). */
function propagatorFromEnv(env) {
  const { extract, inject } = configFromEnv(env);
  return new TracepropPropagator({ extract, inject });
}

function single(name, format) {
  const cls = class extends TracepropPropagator {
    constructor() {
      super({ propagators: format });
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

module.exports = {
  TracepropPropagator,
  propagatorFromEnv,
  TRACEPROP_CONTEXT_KEY,
  TraceContextPropagator: single('TraceContextPropagator', 'tracecontext'),
  BaggagePropagator: single('BaggagePropagator', 'baggage'),
  B3Propagator: single('B3Propagator', 'b3'),
  B3MultiPropagator: single('B3MultiPropagator', 'b3multi'),
  JaegerPropagator: single('JaegerPropagator', 'jaeger'),
  OtTracePropagator: single('OtTracePropagator', 'ottrace'),
  XRayPropagator: single('XRayPropagator', 'xray'),
  DatadogPropagator: single('DatadogPropagator', 'datadog'),
  CloudTracePropagator: single('CloudTracePropagator', 'cloudtrace'),
  SkyWalkingPropagator: single('SkyWalkingPropagator', 'sw8'),
  GrpcTraceBinPropagator: single('GrpcTraceBinPropagator', 'grpc-trace-bin'),
};
