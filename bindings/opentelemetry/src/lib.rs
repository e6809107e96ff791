//! OpenTelemetry Rust TextMapPropagator adapters. Placeholder.
