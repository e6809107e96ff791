//! Google Cloud `X-Cloud-Trace-Context` (SEMANTICS §8):
//! `105445aa7843bc8bf206b12000100000/1;o=1`.
//!
//! - `{32 lowercase hex trace id}/{span id as decimal uint64}` then optional
//!   `;o={0|1}` (1 = sampled). Both ids are required and non-zero; the span id
//!   is at most 20 digits and 2^64-1 (opentelemetry-operations-go).
//! - A missing `;o=` is no decision (`sampled: None`). Any other options text
//!   (`;o=2`, `;o=`, `;x`) is a malformed optional field: it is dropped and
//!   the decision is `None` too (SEMANTICS §0), never a guess.
//! - Injection always writes `;o=1` or `;o=0` (deferred writes `0`: the
//!   format has no "no decision" state, SEMANTICS §0).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::id::{SpanId, TraceId};
use crate::{Error, Writer};

/// The longest value written: `{32 hex}/{20 digits};o=1`.
pub const MAX_LEN: usize = 32 + 1 + 20 + 4;

/// A parsed `X-Cloud-Trace-Context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudTraceContext {
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id (sent in decimal).
    pub span_id: SpanId,
    /// `Some` for `;o=1` / `;o=0`, `None` otherwise.
    pub sampled: Option<bool>,
}

impl CloudTraceContext {
    /// The context it carries.
    #[must_use]
    pub fn context<'a>(&self) -> SpanContext<'a> {
        SpanContext::new(self.trace_id, self.span_id).with_sampled(self.sampled)
    }
}

/// Parses one `X-Cloud-Trace-Context` value.
///
/// ```
/// use traceprop::{cloudtrace, Error};
/// let c = cloudtrace::parse("105445aa7843bc8bf206b12000100000/18446744073709551615").unwrap();
/// assert_eq!(c.span_id.to_hex().as_str(), "ffffffffffffffff");
/// assert_eq!(c.sampled, None);
/// assert_eq!(
///     cloudtrace::parse("105445aa7843bc8bf206b12000100000/18446744073709551616;o=1"),
///     Err(Error::OutOfRange)
/// );
/// ```
///
/// # Errors
/// [`Error::Empty`], [`Error::Malformed`] (no `/`), the trace id's error
/// ([`TraceId::from_hex`]) or the span id's ([`SpanId::from_decimal`]).
pub fn parse(value: &str) -> Result<CloudTraceContext, Error> {
    let value = trim_ows(value);
    if value.is_empty() {
        return Err(Error::Empty);
    }
    let (ids, options) = match value.split_once(';') {
        Some((ids, options)) => (ids, Some(options)),
        None => (value, None),
    };
    let (trace, span) = ids.split_once('/').ok_or(Error::Malformed)?;
    Ok(CloudTraceContext {
        trace_id: TraceId::from_hex(trace)?,
        span_id: SpanId::from_decimal(span)?,
        sampled: match options {
            Some("o=1") => Some(true),
            Some("o=0") => Some(false),
            _ => None,
        },
    })
}

/// Writes `{32 hex}/{decimal span id};o={1|0}`; returns the length.
///
/// ```
/// use traceprop::{cloudtrace, Error, SpanContext, SpanId, TraceId};
/// let t = TraceId::from_hex("105445aa7843bc8bf206b12000100000").unwrap();
/// let ctx = SpanContext::new(t, SpanId::from_u64(1)).with_sampled(Some(true));
/// let mut buf = [0u8; cloudtrace::MAX_LEN];
/// let n = cloudtrace::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"105445aa7843bc8bf206b12000100000/1;o=1");
/// assert_eq!(cloudtrace::encode(&ctx, &mut [0u8; 36]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context, [`Error::BufferTooSmall`].
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let mut w = Writer::new(out);
    w.push(ctx.trace_id.to_hex().as_bytes())?;
    w.push_byte(b'/')?;
    w.push(ctx.span_id.to_decimal().as_bytes())?;
    w.push_str(if ctx.is_sampled() { ";o=1" } else { ";o=0" })?;
    Ok(w.len())
}

/// Extracts the context from the (first) `X-Cloud-Trace-Context` header.
///
/// ```
/// use traceprop::{cloudtrace, Error, Headers};
/// let h = Headers::collect(&[("X-Cloud-Trace-Context", "105445aa7843bc8bf206b12000100000/1;o=1")]);
/// assert_eq!(cloudtrace::extract(&h).unwrap().sampled, Some(true));
/// let zero = Headers::collect(&[("x-cloud-trace-context", "105445aa7843bc8bf206b12000100000/0;o=1")]);
/// assert_eq!(cloudtrace::extract(&zero), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::Missing`] when absent, or [`parse`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::CloudTrace).ok_or(Error::Missing)?;
    Ok(parse(value)?.context())
}

/// Writes the `x-cloud-trace-context` header of `p`.
///
/// ```
/// use traceprop::{cloudtrace, Error, Propagation, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
/// let mut out = Vec::new();
/// cloudtrace::inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}"))).unwrap();
/// assert_eq!(out, ["x-cloud-trace-context: 00000000000000000000000000000001/2;o=0"]);
/// let invalid = SpanContext::new(TraceId::from_u64(1), SpanId::INVALID);
/// assert_eq!(cloudtrace::inject(&Propagation::new(invalid), &mut |_: &str, _: &str| {}), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// As [`encode`].
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = encode(&p.context, &mut buf)?;
    sink.set(Header::CloudTrace.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "105445aa7843bc8bf206b12000100000";

    fn sampled(tail: &str) -> Result<Option<bool>, Error> {
        let mut buf = [0u8; 96];
        let mut w = Writer::new(&mut buf);
        w.push_str(T).unwrap();
        w.push_str(tail).unwrap();
        let n = w.len();
        parse(core::str::from_utf8(&buf[..n]).unwrap()).map(|c| c.sampled)
    }

    #[test]
    fn options() {
        assert_eq!(sampled("/1;o=1"), Ok(Some(true)));
        assert_eq!(sampled("/1;o=0"), Ok(Some(false)));
        assert_eq!(sampled("/1"), Ok(None));
        assert_eq!(sampled("/1;o=2"), Ok(None));
        assert_eq!(sampled("/1;o="), Ok(None));
        assert_eq!(sampled("/1;o=1;x"), Ok(None));
    }

    #[test]
    fn ids() {
        assert_eq!(sampled("/0;o=1"), Err(Error::ZeroId));
        assert_eq!(sampled("/;o=1"), Err(Error::Empty));
        assert_eq!(sampled(";o=1"), Err(Error::Malformed));
        assert_eq!(sampled("/+1"), Err(Error::InvalidDecimal));
        assert_eq!(sampled("/1 ;o=1"), Err(Error::InvalidDecimal));
        assert_eq!(sampled("0/1"), Err(Error::InvalidLength));
    }

    #[test]
    fn deferred_writes_zero() {
        let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(u64::MAX));
        let mut buf = [0u8; MAX_LEN];
        let n = encode(&ctx, &mut buf).unwrap();
        assert_eq!(n, MAX_LEN);
        assert!(buf[..n].ends_with(b"/18446744073709551615;o=0"));
    }
}

#[cfg(test)]
mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_parse(t in 1u128.., s in 1u64.., sampled: Option<bool>) {
            let ctx = SpanContext::new(TraceId::from_u128(t), SpanId::from_u64(s)).with_sampled(sampled);
            let mut buf = [0u8; MAX_LEN];
            let n = encode(&ctx, &mut buf).unwrap();
            let back = parse(core::str::from_utf8(&buf[..n]).unwrap()).unwrap();
            prop_assert_eq!(back.context(), ctx.with_sampled(Some(ctx.is_sampled())));
        }
    }
}
