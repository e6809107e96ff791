//! Fuzz targets for every parser of the `traceprop` core, and the checks
//! they run (docs/fuzzing.md).
//!
//! Each target is one function of [`check`] taking the raw input: it feeds
//! the input to a parser (or, for the composite targets, builds a header set
//! from it with `arbitrary`) and asserts the invariants of what is accepted:
//! parse, encode and parse again gives the same value, and the encoding is
//! canonical and stable. A panic is a finding. The same functions run under
//! libFuzzer (`fuzz_targets/`, `make fuzz`) and as stable tests over the
//! seed corpus and random mutations (`tests/smoke.rs`, `make fuzz-smoke`).

pub mod check;
pub mod input;
pub mod seeds;

/// A target body: takes the fuzz input, panics on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target: its name (the `fuzz_targets/{name}.rs` binary) and body.
pub const TARGETS: &[(&str, Target)] = &[
    ("traceparent", check::traceparent),
    ("tracestate", check::tracestate),
    ("baggage", check::baggage),
    ("b3", check::b3),
    ("jaeger", check::jaeger),
    ("datadog", check::datadog),
    ("datadog_member", check::datadog_member),
    ("xray", check::xray),
    ("cloudtrace", check::cloudtrace),
    ("sw8", check::sw8),
    ("grpc_trace_bin", check::grpc_trace_bin),
    ("grpc_trace_bin_text", check::grpc_trace_bin_text),
    ("ids", check::ids),
    ("config", check::config),
    ("composite_extract", check::composite_extract),
    ("composite_roundtrip", check::composite_roundtrip),
];
