'use strict';
// Reads, from the caller's headers, only the lines the configured formats
// read, into the flat list `[name, value, name, value, …]` that crosses to the
// native side in one call. No header value is parsed here.
const { argumentError } = require('./errors.js');

/**
 * The lines of `headers` that `config` reads.
 *
 * - a plain object (Node's `IncomingHttpHeaders`): lowercase names, values a
 *   string or an array of strings (one line each);
 * - anything with `get(name)` and iteration (fetch `Headers`, a `Map`);
 * - an array of `[name, value]` pairs: names in any case, order kept.
 */
function collect(headers, config) {
  if (headers === undefined || headers === null) {
    throw argumentError('missing', 'headers are required');
  }
  if (typeof headers !== 'object') {
    throw argumentError('invalid_value', 'headers must be an object, a Headers/Map, or an array of [name, value]');
  }
  if (Array.isArray(headers)) return fromPairs(headers, config);
  if (typeof headers.get === 'function') return fromGetter(headers, config);
  return fromObject(headers, config);
}

/**
 * The lines of `headers` that `config` reads, joined for the native side:
 * `"\n{name}\n{value}"` per line. `joined.lines` is how many. A plain object
 * (the common case, Node's IncomingHttpHeaders) is read straight into the
 * string; other forms go through `collect`.
 */
function joined(headers, config) {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers) || typeof headers.get === 'function') {
    const lines = collect(headers, config);
    joined.lines = lines.length / 2;
    return join(lines);
  }
  let out = '';
  let n = 0;
  const names = config.headers;
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i]];
    if (typeof value === 'string') {
      out += '\n' + names[i] + '\n' + value;
      n++;
    } else if (value !== undefined && value !== null) {
      const lines = [];
      add(lines, names[i], value);
      out += join(lines);
      n += lines.length / 2;
    }
  }
  if (config.prefixes.length !== 0) {
    for (const name in headers) {
      if (hasPrefix(name, config.prefixes)) {
        const value = headers[name];
        if (value === undefined || value === null) continue;
        const lines = [];
        add(lines, name, value);
        out += join(lines);
        n += lines.length / 2;
      }
    }
  }
  joined.lines = n;
  return out;
}
joined.lines = 0;

function fromObject(headers, config) {
  const out = [];
  const names = config.headers;
  for (let i = 0; i < names.length; i++) {
    const value = headers[names[i]];
    if (value !== undefined && value !== null) add(out, names[i], value);
  }
  if (config.prefixes.length !== 0) {
    for (const name in headers) {
      if (hasPrefix(name, config.prefixes)) {
        const value = headers[name];
        if (value !== undefined && value !== null) add(out, name, value);
      }
    }
  }
  return out;
}

function fromGetter(headers, config) {
  const out = [];
  const names = config.headers;
  for (let i = 0; i < names.length; i++) {
    const value = headers.get(names[i]);
    if (value !== undefined && value !== null) add(out, names[i], value);
  }
  if (config.prefixes.length !== 0 && typeof headers[Symbol.iterator] === 'function') {
    for (const entry of headers) {
      const name = entry[0];
      if (typeof name === 'string' && hasPrefix(name.toLowerCase(), config.prefixes)) {
        add(out, name, entry[1]);
      }
    }
  }
  return out;
}

function fromPairs(pairs, config) {
  const out = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw argumentError('invalid_value', `headers[${i}] must be a [name, value] pair of strings`);
    }
    const lower = pair[0].toLowerCase();
    if (config.headerSet.has(lower) || hasPrefix(lower, config.prefixes)) {
      if (typeof pair[1] !== 'string') throw valueError(pair[0]);
      out.push(pair[0], pair[1]);
    }
  }
  return out;
}

function add(out, name, value) {
  if (typeof value === 'string') {
    out.push(name, value);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== 'string') throw valueError(name);
      out.push(name, value[i]);
    }
  } else {
    throw valueError(name);
  }
}

function hasPrefix(name, prefixes) {
  for (let i = 0; i < prefixes.length; i++) {
    if (name.length > prefixes[i].length && name.startsWith(prefixes[i])) return true;
  }
  return false;
}

function valueError(name) {
  return argumentError('invalid_value', `header ${JSON.stringify(name)} must be a string or an array of strings`);
}

/** The joined form of `lines` (`"\n{name}\n{value}"` per line). */
function join(lines) {
  return lines.length === 0 ? '' : '\n' + lines.join('\n');
}

module.exports = { collect, joined, join, hasPrefix, valueError };
