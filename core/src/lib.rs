//! `traceprop`: every distributed-tracing propagation header codec and every id
//! conversion, in one `no_std` crate that never allocates.
//!
//! - Ids and conversions: [`TraceId`], [`SpanId`] (hex, 64/128-bit, Datadog
//!   decimal + `_dd.p.tid`, X-Ray root, decimal span ids).
//! - One module per codec: [`w3c::traceparent`], [`w3c::tracestate`],
//!   [`w3c::baggage`], [`b3`], [`jaeger`], [`ot`], [`datadog`], [`xray`],
//!   [`cloudtrace`], [`sw8`], [`grpc_trace_bin`]. Each parses borrowed input,
//!   encodes into a caller buffer (never panicking on a short one) and exports
//!   its maximum encoded length as `MAX_LEN`.
//! - The composite [`propagator`]: configured by an `OTEL_PROPAGATORS`-style
//!   string, it extracts from any [`Carrier`] in one pass and injects into any
//!   [`Sink`].
//!
//! ```
//! use traceprop::propagator::{self, Config};
//! let config = Config::parse("tracecontext,baggage");
//! let headers = [
//!     ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
//!     ("baggage", "userId=alice"),
//! ];
//! let found = propagator::extract(&config, &headers);
//! let ctx = found.context.unwrap();
//! assert_eq!(ctx.trace_id.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
//!
//! let mut out = Vec::new();
//! propagator::inject(&config, &found.propagation(), &mut |k: &str, v: &str| {
//!     out.push((k.to_owned(), v.to_owned()))
//! });
//! assert_eq!(out, [
//!     ("traceparent".to_owned(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned()),
//!     ("baggage".to_owned(), "userId=alice".to_owned()),
//! ]);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

mod base64;
mod buffer;
pub mod carrier;
mod context;
mod error;
mod hex;
mod id;
mod slots;
mod text;

pub mod b3;
pub mod cloudtrace;
pub mod datadog;
pub mod grpc_trace_bin;
pub mod jaeger;
pub mod ot;
pub mod propagator;
pub mod sw8;
pub mod w3c;
pub mod xray;

pub use buffer::{StrBuf, Writer};
pub use carrier::{Carrier, Header, Headers, Sink};
pub use context::{DatadogTags, Propagation, SpanContext, TraceFlags};
pub use error::Error;
pub use id::{SpanId, TraceId};
pub use w3c::baggage::Baggage;
pub use w3c::tracestate::TraceState;
