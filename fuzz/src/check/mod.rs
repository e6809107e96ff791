//! The target bodies: each takes the fuzz input and panics when an invariant
//! fails (input a parser rejects is fine; a panic is the finding).

mod binary;
mod composite;
mod config;
mod datadog;
mod ids;
mod vendor;
mod w3c;

pub use binary::{grpc_trace_bin, grpc_trace_bin_text, sw8};
pub use composite::{composite_extract, composite_roundtrip};
pub use config::config;
pub use datadog::{datadog, datadog_member};
pub use ids::ids;
pub use vendor::{b3, cloudtrace, jaeger, xray};
pub use w3c::{baggage, traceparent, tracestate};
