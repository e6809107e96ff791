// ES module entry of `traceprop/opentelemetry`: the same API as opentelemetry.js.
import otel from './opentelemetry.js';

export const {
  TracepropPropagator,
  propagatorFromEnv,
  TRACEPROP_CONTEXT_KEY,
  TraceContextPropagator,
  BaggagePropagator,
  B3Propagator,
  B3MultiPropagator,
  JaegerPropagator,
  OtTracePropagator,
  XRayPropagator,
  DatadogPropagator,
  CloudTracePropagator,
  SkyWalkingPropagator,
  GrpcTraceBinPropagator,
} = otel;
export default otel;
