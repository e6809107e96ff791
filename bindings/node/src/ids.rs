//! Id conversions: each one core call, hex strings in and out.

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use traceprop::{SpanId, TraceId};

use crate::coded;

/// Checks a 32-hex trace id (lowercase, non-zero) and returns it.
#[napi]
pub fn trace_id_from_hex(hex: String) -> Either<String, u32> {
    coded(TraceId::from_hex(&hex).map(|t| t.to_hex().as_str().to_owned()))
}

/// A 16- or 32-hex trace id (B3, OT), left-padded to 32.
#[napi]
pub fn trace_id_from_short_hex(hex: String) -> Either<String, u32> {
    coded(TraceId::from_hex_short(&hex).map(|t| t.to_hex().as_str().to_owned()))
}

/// The low 64 bits of a trace id as 16 hex (the high half is dropped).
#[napi]
pub fn trace_id_low_hex(hex: String) -> Either<String, u32> {
    coded(TraceId::from_hex(&hex).map(|t| t.low_hex().as_str().to_owned()))
}

/// A trace id in Datadog's encoding.
#[napi(object, object_from_js = false)]
pub struct DatadogTraceId {
    /// The low 64 bits in decimal (`x-datadog-trace-id`).
    pub decimal: String,
    /// The high 64 bits as 16 hex (`_dd.p.tid`), when not zero.
    pub tid: Option<String>,
}

/// From Datadog's decimal trace id and optional `_dd.p.tid`.
#[napi]
pub fn trace_id_from_datadog(decimal: String, tid: Option<String>) -> Either<String, u32> {
    coded(TraceId::from_datadog(&decimal, tid.as_deref()).map(|t| t.to_hex().as_str().to_owned()))
}

/// To Datadog's decimal trace id and `_dd.p.tid`.
#[napi]
pub fn trace_id_to_datadog(hex: String) -> Either<DatadogTraceId, u32> {
    coded(TraceId::from_hex(&hex).map(|t| {
        let (decimal, tid) = t.to_datadog();
        DatadogTraceId {
            decimal: decimal.as_str().to_owned(),
            tid: tid.map(|h| h.as_str().to_owned()),
        }
    }))
}

/// From an AWS X-Ray `Root` (`1-{8 hex}-{24 hex}`).
#[napi]
pub fn trace_id_from_xray_root(root: String) -> Either<String, u32> {
    coded(TraceId::from_xray_root(&root).map(|t| t.to_hex().as_str().to_owned()))
}

/// To an AWS X-Ray `Root`.
#[napi]
pub fn trace_id_to_xray_root(hex: String) -> Either<String, u32> {
    coded(TraceId::from_hex(&hex).map(|t| t.to_xray_root().as_str().to_owned()))
}

/// Checks a 16-hex span id (lowercase, non-zero) and returns it.
#[napi]
pub fn span_id_from_hex(hex: String) -> Either<String, u32> {
    coded(SpanId::from_hex(&hex).map(|s| s.to_hex().as_str().to_owned()))
}

/// From a decimal span id (Datadog parent id, Cloud Trace span id).
#[napi]
pub fn span_id_from_decimal(decimal: String) -> Either<String, u32> {
    coded(SpanId::from_decimal(&decimal).map(|s| s.to_hex().as_str().to_owned()))
}

/// To a decimal span id.
#[napi]
pub fn span_id_to_decimal(hex: String) -> Either<String, u32> {
    coded(SpanId::from_hex(&hex).map(|s| s.to_decimal().as_str().to_owned()))
}
