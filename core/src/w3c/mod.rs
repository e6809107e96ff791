//! W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage.

pub mod baggage;
pub mod traceparent;
pub mod tracestate;
