// Type definitions for `traceprop/opentelemetry`. Checked against the
// runtime exports and compiled by the tests (test/types.test.js).
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import type { Config, Options } from './index';

/** Configs for each direction, as `configFromEnv()` returns them. */
export interface DirectionalConfig {
  extract: Config;
  inject: Config;
}

/**
 * An OpenTelemetry `TextMapPropagator` for a list of formats (default
 * `tracecontext,baggage`), one native call per extract or inject.
 */
export declare class TracepropPropagator implements TextMapPropagator {
  constructor(options?: Options | DirectionalConfig);
  inject(context: Context, carrier: unknown, setter?: TextMapSetter): void;
  extract(context: Context, carrier: unknown, getter?: TextMapGetter): Context;
  fields(): string[];
}

/** The `tracecontext` format alone. */
export declare class TraceContextPropagator extends TracepropPropagator {
  constructor();
}
/** The `baggage` format alone. */
export declare class BaggagePropagator extends TracepropPropagator {
  constructor();
}
/** The `b3 (single header)` format alone. */
export declare class B3Propagator extends TracepropPropagator {
  constructor();
}
/** The `b3multi` format alone. */
export declare class B3MultiPropagator extends TracepropPropagator {
  constructor();
}
/** The `jaeger` format alone. */
export declare class JaegerPropagator extends TracepropPropagator {
  constructor();
}
/** The `ottrace` format alone. */
export declare class OtTracePropagator extends TracepropPropagator {
  constructor();
}
/** The `xray` format alone. */
export declare class XRayPropagator extends TracepropPropagator {
  constructor();
}
/** The `datadog` format alone. */
export declare class DatadogPropagator extends TracepropPropagator {
  constructor();
}
/** The `cloudtrace` format alone. */
export declare class CloudTracePropagator extends TracepropPropagator {
  constructor();
}
/** The `sw8` format alone. */
export declare class SkyWalkingPropagator extends TracepropPropagator {
  constructor();
}
/** The `grpc-trace-bin` format alone. */
export declare class GrpcTraceBinPropagator extends TracepropPropagator {
  constructor();
}

/** A `TracepropPropagator` configured from `env` (default `process.env`), as `configFromEnv`. */
export declare function propagatorFromEnv(env?: Readonly<Record<string, string | undefined>>): TracepropPropagator;

/** The context key holding the full `ExtractedContext` (see index.d.ts) after `extract`, when it says more than the SpanContext. */
export declare const TRACEPROP_CONTEXT_KEY: symbol;
