//! B3 (openzipkin/b3-propagation): the single `b3` header and the multi
//! `X-B3-*` headers, with the rules of SEMANTICS §3.
//!
//! - Extraction tries the single header first; an invalid or sampling-only
//!   (`b3: 0`, `1`, `d`) value falls back to `X-B3-*`. A sampling decision
//!   without ids never yields a context ([`Error::SamplingOnly`]).
//! - Ids are lowercase hex only: a 16- or 32-digit trace id (16 is left-padded
//!   to 128 bits) and a 16-digit span id. A parent id, when sent, must be a
//!   valid non-zero 16-digit id; it is checked, then dropped (never injected).
//! - Sampling is tri-state: no sampling field is "deferred" (`sampled: None`),
//!   `d` / `X-B3-Flags: 1` is debug, which implies sampled.
//! - Injection writes the full 32-digit trace id, and the debug marker only for
//!   a sampled context (debug is a forced accept; an unsampled context writes
//!   `0`, a deferred one writes no decision).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::id::{SpanId, TraceId};
use crate::{text, Error, Writer};

/// The longest single `b3` value written: `{32 hex}-{16 hex}-{1|0|d}`.
pub const MAX_LEN: usize = 32 + 1 + 16 + 2;

/// A B3 sampling state.
///
/// ```
/// use traceprop::{b3::Sampling, Error};
/// assert_eq!(Sampling::parse("d"), Ok(Sampling::Debug));
/// assert_eq!(Sampling::parse("true"), Err(Error::InvalidSampling));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// No decision: the sampling field is absent.
    Deferred,
    /// `0`: not sampled.
    Deny,
    /// `1`: sampled.
    Accept,
    /// `d` (single) or `X-B3-Flags: 1` (multi): debug, which implies sampled.
    Debug,
}

impl Sampling {
    /// Parses the one-character sampling field of the single header: `0`, `1`
    /// or `d`.
    ///
    /// ```
    /// use traceprop::{b3::Sampling, Error};
    /// assert_eq!(Sampling::parse("0"), Ok(Sampling::Deny));
    /// assert_eq!(Sampling::parse("D"), Err(Error::InvalidSampling));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidSampling`] for anything else (including `""`, `true`, `D`).
    pub fn parse(field: &str) -> Result<Self, Error> {
        match field {
            "0" => Ok(Sampling::Deny),
            "1" => Ok(Sampling::Accept),
            "d" => Ok(Sampling::Debug),
            _ => Err(Error::InvalidSampling),
        }
    }

    /// The state `ctx` is written with: debug only when sampled (see the
    /// module docs).
    ///
    /// ```
    /// use traceprop::{b3::Sampling, SpanContext, SpanId, TraceId};
    /// let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
    /// assert_eq!(Sampling::of(&ctx), Sampling::Deferred);
    /// ctx.debug = true;
    /// ctx.sampled = Some(false);
    /// assert_eq!(Sampling::of(&ctx), Sampling::Deny);
    /// ```
    #[must_use]
    pub const fn of(ctx: &SpanContext<'_>) -> Self {
        match ctx.sampled {
            None => Sampling::Deferred,
            Some(false) => Sampling::Deny,
            Some(true) if ctx.debug => Sampling::Debug,
            Some(true) => Sampling::Accept,
        }
    }

    /// Sets `sampled` and `debug` of `ctx` to this state.
    ///
    /// ```
    /// use traceprop::{b3::Sampling, SpanContext};
    /// let mut ctx = SpanContext::default();
    /// Sampling::Debug.apply(&mut ctx);
    /// assert_eq!((ctx.sampled, ctx.debug), (Some(true), true));
    /// Sampling::Deferred.apply(&mut ctx);
    /// assert_eq!((ctx.sampled, ctx.debug), (None, false));
    /// ```
    pub fn apply(self, ctx: &mut SpanContext<'_>) {
        (ctx.sampled, ctx.debug) = match self {
            Sampling::Deferred => (None, false),
            Sampling::Deny => (Some(false), false),
            Sampling::Accept => (Some(true), false),
            Sampling::Debug => (Some(true), true),
        };
    }

    /// The single-header field, `None` when deferred.
    const fn field(self) -> Option<u8> {
        match self {
            Sampling::Deferred => None,
            Sampling::Deny => Some(b'0'),
            Sampling::Accept => Some(b'1'),
            Sampling::Debug => Some(b'd'),
        }
    }
}

/// The ids and sampling state of a single `b3` header that carries ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ids {
    /// The trace id (a 16-digit one left-padded to 128 bits).
    pub trace_id: TraceId,
    /// The span id.
    pub span_id: SpanId,
    /// The sampling state.
    pub sampling: Sampling,
    /// The parent span id, when sent (informational: never injected).
    pub parent_id: Option<SpanId>,
}

impl Ids {
    /// The span context these ids carry.
    ///
    /// ```
    /// use traceprop::b3::{self, Single};
    /// let Ok(Single::Ids(ids)) = b3::parse_single("a3ce929d0e0e4736-00f067aa0ba902b7-d") else {
    ///     panic!()
    /// };
    /// let ctx = ids.context();
    /// assert_eq!(ctx.trace_id.to_hex().as_str(), "0000000000000000a3ce929d0e0e4736");
    /// assert_eq!((ctx.sampled, ctx.debug), (Some(true), true));
    /// assert!(b3::parse_single("a3ce929d0e0e4736-0000000000000000").is_err());
    /// ```
    #[must_use]
    pub fn context<'a>(&self) -> SpanContext<'a> {
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        self.sampling.apply(&mut ctx);
        ctx
    }
}

/// A parsed single `b3` header.
///
/// ```
/// use traceprop::b3::{self, Sampling, Single};
/// assert_eq!(b3::parse_single("d"), Ok(Single::SamplingOnly(Sampling::Debug)));
/// assert_eq!(b3::parse_single("d").ok().and_then(|s| s.context()), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Single {
    /// `{trace id}-{span id}[-{sampling}[-{parent id}]]`.
    Ids(Ids),
    /// `0`, `1` or `d` alone: a decision without ids, which yields no context.
    SamplingOnly(Sampling),
}

impl Single {
    /// The span context, `None` for a decision without ids.
    ///
    /// ```
    /// use traceprop::b3;
    /// let single = b3::parse_single("a3ce929d0e0e4736-00f067aa0ba902b7-1").unwrap();
    /// assert_eq!(single.context().unwrap().sampled, Some(true));
    /// assert!(b3::parse_single("1").unwrap().context().is_none());
    /// ```
    #[must_use]
    pub fn context<'a>(&self) -> Option<SpanContext<'a>> {
        match self {
            Single::Ids(ids) => Some(ids.context()),
            Single::SamplingOnly(_) => None,
        }
    }

    /// The sampling state.
    ///
    /// ```
    /// use traceprop::b3::{self, Sampling};
    /// assert_eq!(b3::parse_single("0").unwrap().sampling(), Sampling::Deny);
    /// assert!(b3::parse_single("2").is_err());
    /// ```
    #[must_use]
    pub const fn sampling(&self) -> Sampling {
        match self {
            Single::Ids(ids) => ids.sampling,
            Single::SamplingOnly(s) => *s,
        }
    }
}

/// Parses a single `b3` value; SP/HTAB around it are ignored.
///
/// ```
/// use traceprop::b3::{self, Sampling, Single};
/// use traceprop::Error;
/// let t = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90";
/// let Ok(Single::Ids(ids)) = b3::parse_single(t) else { panic!() };
/// assert_eq!(ids.sampling, Sampling::Accept);
/// assert!(ids.parent_id.is_some());
/// assert_eq!(b3::parse_single("0"), Ok(Single::SamplingOnly(Sampling::Deny)));
/// assert_eq!(
///     b3::parse_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-"),
///     Err(Error::InvalidSampling)
/// );
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::Malformed`] (field count); [`Error::InvalidLength`],
/// [`Error::InvalidHex`] or [`Error::ZeroId`] for an id; [`Error::InvalidSampling`].
#[inline]
pub fn parse_single(value: &str) -> Result<Single, Error> {
    let value = trim_ows(value);
    if value.is_empty() {
        return Err(Error::Empty);
    }
    canonical_single(value).map_or_else(|| parse_single_fields(value), Ok)
}

/// The single header as tracers write it, `{32 hex}-{16 hex}` and an
/// optional sampling field, read at fixed offsets; `None` for any other
/// layout or a bad id, which [`parse_single_fields`] then reads (to the same
/// result when this one succeeds).
fn canonical_single(value: &str) -> Option<Single> {
    let b = value.as_bytes();
    let sampling = match b.len() {
        49 => Sampling::Deferred,
        51 if b.get(49) == Some(&b'-') => Sampling::parse(value.get(50..)?).ok()?,
        _ => return None,
    };
    if b.get(32) != Some(&b'-') {
        return None;
    }
    Some(Single::Ids(Ids {
        trace_id: TraceId::from_hex(value.get(..32)?).ok()?,
        span_id: SpanId::from_hex(value.get(33..49)?).ok()?,
        sampling,
        parent_id: None,
    }))
}

/// Reads the `-`-separated fields of a trimmed, non-empty single header.
fn parse_single_fields(value: &str) -> Result<Single, Error> {
    let mut fields = text::split(value, b'-');
    let first = fields.next().unwrap_or_default();
    let Some(span) = fields.next() else {
        return match Sampling::parse(first) {
            Ok(s) => Ok(Single::SamplingOnly(s)),
            Err(_) if first.len() > 1 => Err(Error::Malformed),
            Err(e) => Err(e),
        };
    };
    let trace_id = TraceId::from_hex_short(first)?;
    let span_id = SpanId::from_hex(span)?;
    let sampling = match fields.next() {
        Some(field) => Sampling::parse(field)?,
        None => Sampling::Deferred,
    };
    let parent_id = fields.next().map(SpanId::from_hex).transpose()?;
    if fields.next().is_some() {
        return Err(Error::Malformed);
    }
    Ok(Single::Ids(Ids {
        trace_id,
        span_id,
        sampling,
        parent_id,
    }))
}

/// Writes the single `b3` value of `ctx`: `{32 hex}-{16 hex}` then `-1`, `-0`
/// or `-d` ([`Sampling::of`]), nothing more when deferred; never a parent id.
/// Returns the length.
///
/// ```
/// use traceprop::{b3, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(false));
/// let mut buf = [0u8; b3::MAX_LEN];
/// let n = b3::encode_single(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"00000000000000000000000000000001-0000000000000002-0");
/// assert_eq!(b3::encode_single(&ctx, &mut [0u8; 40]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode_single(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let mut w = Writer::new(out);
    w.push(ctx.trace_id.to_hex().as_bytes())?;
    w.push_byte(b'-')?;
    w.push(ctx.span_id.to_hex().as_bytes())?;
    if let Some(field) = Sampling::of(ctx).field() {
        w.push(&[b'-', field])?;
    }
    Ok(w.len())
}

/// Extracts the context: the single `b3` header when it carries valid ids,
/// else the `X-B3-*` headers.
///
/// ```
/// use traceprop::{b3, Error, Headers};
/// let h = Headers::collect(&[
///     ("b3", "garbage"),
///     ("X-B3-TraceId", "a3ce929d0e0e4736"),
///     ("X-B3-SpanId", "00f067aa0ba902b7"),
///     ("X-B3-Sampled", "true"),
/// ]);
/// let ctx = b3::extract(&h).unwrap();
/// assert_eq!(ctx.trace_id.to_hex().as_str(), "0000000000000000a3ce929d0e0e4736");
/// assert_eq!(ctx.sampled, Some(true));
/// let h = Headers::collect(&[("b3", "1")]);
/// assert_eq!(b3::extract(&h), Err(Error::SamplingOnly));
/// ```
///
/// # Errors
/// [`Error::Missing`] when no B3 header is present; [`Error::SamplingOnly`]
/// for a decision without ids; otherwise why the single header (or, when it
/// only carried a decision, the multi headers) was rejected.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let single_error = match headers.get(Header::B3).map(parse_single) {
        None => return extract_multi(headers),
        Some(Ok(Single::Ids(ids))) => return Ok(ids.context()),
        Some(Ok(Single::SamplingOnly(_))) => Error::SamplingOnly,
        Some(Err(e)) => e,
    };
    match extract_multi(headers) {
        Ok(ctx) => Ok(ctx),
        Err(Error::Missing) => Err(single_error),
        Err(multi_error) if single_error == Error::SamplingOnly => Err(multi_error),
        Err(_) => Err(single_error),
    }
}

/// The context of the `X-B3-*` headers (the first line of each).
fn extract_multi<'a>(h: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let trace = h.get(Header::XB3TraceId);
    let span = h.get(Header::XB3SpanId);
    let parent = h.get(Header::XB3ParentSpanId);
    let sampled = h.get(Header::XB3Sampled);
    let flags = h.get(Header::XB3Flags);
    let (trace, span) = match (trace, span) {
        (Some(trace), Some(span)) => (trace, span),
        (None, None) if parent.is_some() => return Err(Error::Malformed),
        (None, None) if sampled.is_none() && flags.is_none() => return Err(Error::Missing),
        (None, None) => {
            // A malformed decision is reported as such, not as a mere decision.
            if let Some(sampled) = sampled {
                parse_sampled(sampled)?;
            }
            return Err(Error::SamplingOnly);
        }
        _ => return Err(Error::Malformed),
    };
    let mut ctx = SpanContext::new(TraceId::from_hex_short(trace)?, SpanId::from_hex(span)?);
    if let Some(parent) = parent {
        SpanId::from_hex(parent)?;
    }
    ctx.sampled = sampled.map(parse_sampled).transpose()?;
    if flags == Some("1") {
        Sampling::Debug.apply(&mut ctx);
    }
    Ok(ctx)
}

/// Parses a boolean sampling header: `1`, `0`, `true` or `false`, the words
/// in any case (`X-B3-Sampled`, `ot-tracer-sampled`).
pub(crate) fn parse_sampled(value: &str) -> Result<bool, Error> {
    match value {
        "1" => Ok(true),
        "0" => Ok(false),
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(Error::InvalidSampling),
    }
}

/// Writes the single `b3` header of `p` (see [`encode_single`]).
///
/// ```
/// use traceprop::{b3, Propagation, SpanContext, SpanId, TraceId};
/// let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// ctx.debug = true;
/// let mut out = Vec::new();
/// b3::inject_single(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}")))
///     .unwrap();
/// assert_eq!(out, ["b3: 00000000000000000000000000000001-0000000000000002-d"]);
/// assert!(b3::inject_single(&Propagation::default(), &mut |_: &str, _: &str| {}).is_err());
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context (nothing is written).
pub fn inject_single(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = encode_single(&p.context, &mut buf)?;
    sink.set(Header::B3.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

/// Writes the `X-B3-*` headers of `p`: trace id (32 hex), span id, then
/// `X-B3-Sampled: 1|0`, or `X-B3-Flags: 1` alone for debug, or no decision
/// when deferred; never `X-B3-ParentSpanId`.
///
/// ```
/// use traceprop::{b3, Propagation, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut out = Vec::new();
/// b3::inject_multi(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}")))
///     .unwrap();
/// assert_eq!(out, [
///     "x-b3-traceid: 00000000000000000000000000000001",
///     "x-b3-spanid: 0000000000000002",
///     "x-b3-sampled: 1",
/// ]);
/// assert!(b3::inject_multi(&Propagation::default(), &mut |_: &str, _: &str| {}).is_err());
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context (nothing is written).
pub fn inject_multi(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let ctx = &p.context;
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    sink.set(Header::XB3TraceId.name(), &ctx.trace_id.to_hex());
    sink.set(Header::XB3SpanId.name(), &ctx.span_id.to_hex());
    match Sampling::of(ctx) {
        Sampling::Deferred => {}
        Sampling::Deny => sink.set(Header::XB3Sampled.name(), "0"),
        Sampling::Accept => sink.set(Header::XB3Sampled.name(), "1"),
        Sampling::Debug => sink.set(Header::XB3Flags.name(), "1"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_single_reads_as_the_fields_do() {
        let base = *b"4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1";
        let mut read = 0;
        for len in [49, 51] {
            for at in 0..len {
                for c in *b"-0fFgd1 " {
                    let mut v = base;
                    v[at] = c;
                    let v = core::str::from_utf8(&v[..len]).unwrap();
                    if let Some(fast) = canonical_single(v) {
                        assert_eq!(Ok(fast), parse_single_fields(v), "{v}");
                        read += 1;
                    }
                }
            }
        }
        // At least: every id digit set to `0`, `f`, `d` and `1` in both
        // lengths, and the sampling field set to `0`, `d` and `1`.
        assert!(read >= 2 * 48 * 4 + 3, "{read}");
        assert!(canonical_single(
            "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1-00f067aa0ba902b7"
        )
        .is_none());
    }

    const T: &str = "80f198ee56343ba864fe8b2a57d3eff7";
    const S: &str = "e457b5a2e4d86bd1";
    const P: &str = "05e3ac9a4f6e3b90";

    fn single(parts: &[&str]) -> Result<Single, Error> {
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                w.push_byte(b'-').unwrap();
            }
            w.push_str(part).unwrap();
        }
        let n = w.len();
        parse_single(core::str::from_utf8(&buf[..n]).unwrap())
    }

    #[test]
    fn single_field_counts() {
        assert!(matches!(single(&[T, S]), Ok(Single::Ids(i)) if i.sampling == Sampling::Deferred));
        assert!(matches!(single(&[T, S, "1", P]), Ok(Single::Ids(i)) if i.parent_id.is_some()));
        assert_eq!(single(&[T]), Err(Error::Malformed));
        assert_eq!(single(&["x"]), Err(Error::InvalidSampling));
        assert_eq!(single(&[T, S, "1", P, "x"]), Err(Error::Malformed));
        assert_eq!(single(&[T, S, "1", ""]), Err(Error::InvalidLength));
        assert_eq!(single(&[T, S, "", P]), Err(Error::InvalidSampling));
        assert_eq!(single(&[T, S, P]), Err(Error::InvalidSampling));
        assert_eq!(single(&[T, S, "1", "0000000000000000"]), Err(Error::ZeroId));
        assert_eq!(single(&["-"]), Err(Error::InvalidLength));
        assert_eq!(single(&[" \t"]), Err(Error::Empty));
    }

    #[test]
    fn single_trace_id_widths() {
        assert_eq!(single(&[&T[..24], S]), Err(Error::InvalidLength));
        assert_eq!(single(&[&T[..16], S, "D"]), Err(Error::InvalidSampling));
        let Ok(Single::Ids(ids)) = single(&[&T[16..], S]) else {
            panic!("64-bit trace id rejected")
        };
        assert_eq!(ids.trace_id.high(), 0);
    }

    #[test]
    fn multi_error_kinds() {
        let h = Headers::collect(&[("x-b3-sampled", "yes")]);
        assert_eq!(extract(&h), Err(Error::InvalidSampling));
        let h = Headers::collect(&[("x-b3-flags", "2")]);
        assert_eq!(extract(&h), Err(Error::SamplingOnly));
        let h = Headers::collect(&[("x-b3-parentspanid", P)]);
        assert_eq!(extract(&h), Err(Error::Malformed));
        let h = Headers::collect(&[("x-b3-traceid", T)]);
        assert_eq!(extract(&h), Err(Error::Malformed));
        assert_eq!(extract(&Headers::default()), Err(Error::Missing));
    }

    #[test]
    fn which_error_is_reported() {
        // A malformed single header takes precedence over a malformed multi.
        let h = Headers::collect(&[("b3", "zz"), ("x-b3-traceid", T)]);
        assert_eq!(extract(&h), Err(Error::Malformed));
        let h = Headers::collect(&[("b3", "x"), ("x-b3-traceid", T), ("x-b3-spanid", S)]);
        assert!(extract(&h).is_ok());
        // A decision-only single header reports the multi headers' problem.
        let h = Headers::collect(&[("b3", "1"), ("x-b3-traceid", "ABC")]);
        assert_eq!(extract(&h), Err(Error::Malformed));
        let h = Headers::collect(&[("b3", "1"), ("x-b3-traceid", "ABC"), ("x-b3-spanid", S)]);
        assert_eq!(extract(&h), Err(Error::InvalidLength));
    }

    #[test]
    fn sampled_words() {
        for (v, want) in [("1", true), ("TRUE", true), ("False", false), ("0", false)] {
            assert_eq!(parse_sampled(v), Ok(want), "{v}");
        }
        for v in ["", "2", "yes", "d", " true"] {
            assert_eq!(parse_sampled(v), Err(Error::InvalidSampling), "{v:?}");
        }
    }

    #[test]
    fn encode_fits_max_len_exactly() {
        let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
        ctx.sampled = Some(true);
        ctx.debug = true;
        let mut buf = [0u8; MAX_LEN];
        assert_eq!(encode_single(&ctx, &mut buf), Ok(MAX_LEN));
        assert_eq!(buf[MAX_LEN - 1], b'd');
        ctx.sampled = None;
        assert_eq!(encode_single(&ctx, &mut buf), Ok(MAX_LEN - 2));
    }
}

#[cfg(test)]
mod agreement {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn canonical_single_agrees_with_the_fields(
            v in "[0-9a-f]{31}[0-9a-fA-]-[0-9a-f]{15}[0-9a-f-](-[01dD-])?",
        ) {
            if let Some(fast) = canonical_single(&v) {
                prop_assert_eq!(Ok(fast), parse_single_fields(&v));
            }
        }
    }
}
