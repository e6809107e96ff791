'use strict';
// Configurations: parsed once by the core, cached, then passed to every
// extract/inject as a packed number.
const native = require('./native.js');
const { argumentError, throwCode } = require('./errors.js');

/**
 * An ordered list of propagation formats and an extraction policy, as the
 * core parsed it. Build one with `configure()` (or `configFromEnv()`) and pass
 * it wherever `options` is accepted: that skips the per-call cache lookup.
 */
class Config {
  /** @param {object} info what the native `configure` returned */
  constructor(info) {
    /** Format names, in order (`tracecontext`, `b3`, …). */
    this.formats = Object.freeze(info.formats);
    /** `last` (OpenTelemetry) or `first` (Datadog). */
    this.policy = info.policy;
    /** Every header name the formats read, lowercase. */
    this.headers = Object.freeze(info.headers);
    /** The per-key baggage header prefixes the formats read. */
    this.prefixes = Object.freeze(info.prefixes);
    Object.defineProperty(this, 'key', { value: info.key });
    Object.defineProperty(this, 'headerSet', { value: new Set(info.headers) });
    Object.freeze(this);
  }

  /** The `OTEL_PROPAGATORS` spelling of the formats. */
  toString() {
    return this.formats.length ? this.formats.join(',') : 'none';
  }
}

const cache = new Map();
const MAX_CACHED = 64;

/**
 * Parses an `OTEL_PROPAGATORS`-style list (a string, or an array of names)
 * with a policy. An unknown name throws `unknown_propagator`.
 */
function configure(propagators, options) {
  const policy = options == null || options.policy == null ? 'last' : options.policy;
  let list;
  if (propagators == null) list = '';
  else if (typeof propagators === 'string') list = propagators;
  else if (Array.isArray(propagators) && propagators.every((p) => typeof p === 'string')) {
    list = propagators.length ? propagators.join(',') : 'none';
  } else {
    throw argumentError('invalid_value', 'propagators must be a string or an array of strings');
  }
  if (typeof policy !== 'string') {
    throw argumentError('invalid_value', 'policy must be "last" or "first"');
  }
  const cacheKey = `${policy}\n${list}`;
  let config = cache.get(cacheKey);
  if (config === undefined) {
    const info = native.configure(list, policy);
    if (typeof info === 'number') {
      const unknown = native.unknownPropagators(list);
      throwCode(info, unknown.length ? `unknown propagator(s) ${unknown.join(', ')}` : `policy ${policy}`);
    }
    config = new Config(info);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(cacheKey, config);
  }
  return config;
}

const DEFAULT = configure('tracecontext,baggage');

/** The Config of `options`: a Config, `{propagators, policy}`, or the default. */
function resolve(options) {
  if (options === undefined || options === null) return DEFAULT;
  if (options instanceof Config) return options;
  if (typeof options !== 'object') {
    throw argumentError('invalid_value', 'options must be a Config or {propagators, policy}');
  }
  if (options.propagators === undefined && options.policy === undefined) return DEFAULT;
  return configure(options.propagators, options);
}

/**
 * The configuration in the environment, as the core reads it: Datadog's
 * `DD_TRACE_PROPAGATION_STYLE[_EXTRACT|_INJECT]` (policy `first`) when one is
 * set, else `OTEL_PROPAGATORS` (policy `last`; unset means
 * `tracecontext,baggage`). Unknown names are reported, not fatal.
 */
function configFromEnv(env) {
  if (env === undefined) env = process.env;
  if (env === null || typeof env !== 'object') {
    throw argumentError('invalid_value', 'env must be an object such as process.env');
  }
  const vars = [];
  for (const name of native.envVariables()) {
    const value = env[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw argumentError('invalid_value', `${name} must be a string`);
    vars.push(name, value);
  }
  const info = native.configFromEnv(vars);
  const unknown = [];
  for (let i = 0; i < info.unknown.length; i += 2) {
    unknown.push({ variable: info.unknown[i], name: info.unknown[i + 1] });
  }
  return { extract: new Config(info.extract), inject: new Config(info.inject), unknown };
}

module.exports = { Config, configure, resolve, configFromEnv, DEFAULT };
