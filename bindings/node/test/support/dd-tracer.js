'use strict';
// dd-trace's propagation codecs, for differential tests and the benchmark:
// the tracer object behind `require('dd-trace').init()` (its `extract` and
// `inject` with the `http_headers` format are the public ones), built
// directly from dd-trace's own config so that none of what `init()` starts
// runs: no instrumentation, telemetry, remote config, DogStatsD client,
// crash tracker or profiler. Nothing here opens a socket; the tests check it.
//
// Styles: Datadog then W3C with baggage, dd-trace's default order.
// Loading the package (without init()) sets up the globals its parts expect.
require('dd-trace');
const getConfig = require('dd-trace/packages/dd-trace/src/config');
const DatadogTracer = require('dd-trace/packages/dd-trace/src/opentracing/tracer');

const config = getConfig({
  plugins: false,
  startupLogs: false,
  runtimeMetrics: false,
  telemetry: { enabled: false },
  remoteConfig: { enabled: false },
  profiling: false,
  tracePropagationStyle: {
    extract: ['datadog', 'tracecontext', 'baggage'],
    inject: ['datadog', 'tracecontext', 'baggage'],
  },
});

module.exports = new DatadogTracer(config);
