//! Datadog: the `x-datadog-*` headers (SEMANTICS §6) and the `dd` member of
//! the W3C tracestate.
//!
//! - `x-datadog-trace-id` / `x-datadog-parent-id`: 1 to 20 ASCII digits, at
//!   most 2^64-1, non-zero. The trace id is the low 64 bits; the high 64 bits
//!   travel as the `_dd.p.tid` tag (16 lowercase hex, non-zero; a malformed
//!   tid is ignored and the context keeps the low half).
//! - `x-datadog-sampling-priority`: an integer (`-1`, `0`, `1`, `2`…);
//!   sampled = priority > 0. Absent or malformed: no decision, context kept.
//! - `x-datadog-origin`: passed through ([`Text`]).
//! - `x-datadog-tags` ([`tags`]): `_dd.p.*` tags, carried unchanged; a header
//!   over 512 bytes or with a malformed member is ignored whole.
//! - The tracestate `dd` member ([`member`]): `s:` priority, `o:` origin,
//!   `p:` last Datadog parent id, `t.*` tags, `~` standing for `=`.
//!
//! Both spellings of the tags and origin stay borrowed as received
//! ([`DatadogTags`], [`Text`]) and are re-encoded on
//! injection, so nothing is allocated and nothing is lost between
//! `x-datadog-tags` and `tracestate`.
//! `_dd.p.tid` is never copied: it is always re-derived from the trace id.

pub mod member;
pub mod tags;

pub use member::{apply_tracestate, inject_tracestate};

use crate::buffer::{as_text, StrBuf};
use crate::carrier::{Header, Headers, Sink};
use crate::context::{DatadogTags, Propagation, SpanContext};
use crate::id::{parse_tid, SpanId, TraceId};
use crate::{hex, Error};

/// A Datadog text value (origin, tag value) borrowed as received: plain (an
/// `x-datadog-*` header, or set by the caller), or in the tracestate `dd`
/// spelling, where `~` stands for `=`. Its decoded form is what it means;
/// decoding never changes the length.
///
/// ```
/// use traceprop::datadog::Text;
/// let from_header = Text::new("synthetics=browser");
/// let from_tracestate = Text::from_tracestate("synthetics~browser");
/// assert_eq!(from_header, from_tracestate);
/// assert_eq!(from_tracestate.to_string(), "synthetics=browser");
/// assert_eq!(from_tracestate.as_plain(), None); // needs decoding
/// assert_ne!(Text::new("rum"), Text::new("synthetics"));
/// ```
#[derive(Clone, Copy)]
pub struct Text<'a> {
    raw: &'a str,
    tilde: bool,
}

impl<'a> Text<'a> {
    /// Plain text, used as is.
    #[must_use]
    pub const fn new(text: &'a str) -> Self {
        Text {
            raw: text,
            tilde: false,
        }
    }

    /// Text in the tracestate `dd` spelling: every `~` means `=`.
    #[must_use]
    pub const fn from_tracestate(raw: &'a str) -> Self {
        Text { raw, tilde: true }
    }

    /// The text as received.
    #[must_use]
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether the text is in the tracestate spelling.
    #[must_use]
    pub const fn is_tracestate(&self) -> bool {
        self.tilde
    }

    /// The decoded text when it needs no decoding (plain, or without `~`).
    ///
    /// ```
    /// use traceprop::datadog::Text;
    /// assert_eq!(Text::from_tracestate("rum").as_plain(), Some("rum"));
    /// assert_eq!(Text::from_tracestate("a~b").as_plain(), None);
    /// ```
    #[must_use]
    pub fn as_plain(&self) -> Option<&'a str> {
        (!self.tilde || !self.raw.contains('~')).then_some(self.raw)
    }

    /// The length in bytes (the same decoded or not).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the text is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The decoded bytes.
    pub fn bytes(&self) -> impl Iterator<Item = u8> + 'a {
        let tilde = self.tilde;
        self.raw
            .bytes()
            .map(move |b| if tilde && b == b'~' { b'=' } else { b })
    }

    /// Decodes into `out`; returns the decoded text.
    ///
    /// ```
    /// use traceprop::{datadog::Text, Error};
    /// let mut buf = [0u8; 8];
    /// assert_eq!(Text::from_tracestate("a~b").decode_into(&mut buf), Ok("a=b"));
    /// assert_eq!(Text::new("too long").decode_into(&mut [0u8; 3]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than [`Text::len`].
    pub fn decode_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, Error> {
        let dst = out.get_mut(..self.len()).ok_or(Error::BufferTooSmall)?;
        for (d, b) in dst.iter_mut().zip(self.bytes()) {
            *d = b;
        }
        // `~` -> `=` swaps one ASCII byte for another: still UTF-8.
        core::str::from_utf8(dst).map_err(|_| Error::InvalidUtf8)
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for Text<'_> {}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl core::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(plain) = self.as_plain() {
            return f.write_str(plain);
        }
        for (i, part) in self.raw.split('~').enumerate() {
            if i > 0 {
                f.write_str("=")?;
            }
            f.write_str(part)?;
        }
        Ok(())
    }
}

impl core::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Text(\"{self}\")")
    }
}

/// Parses a sampling priority: an optional `+`/`-` sign and 1 to 10 ASCII
/// digits that fit an `i32` (what `strconv.Atoi`, Python `int`, Java
/// `Integer.parseInt` accept, minus white space and `_`).
///
/// ```
/// use traceprop::{datadog, Error};
/// assert_eq!(datadog::parse_sampling_priority("-1"), Ok(-1));
/// assert_eq!(datadog::parse_sampling_priority("2abc"), Err(Error::InvalidDecimal));
/// ```
///
/// # Errors
/// [`Error::Empty`], [`Error::InvalidDecimal`] or [`Error::OutOfRange`].
pub fn parse_sampling_priority(value: &str) -> Result<i32, Error> {
    let (negative, digits) = match value.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return Err(Error::Empty);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(Error::InvalidDecimal);
    }
    if digits.len() > 10 {
        return Err(Error::OutOfRange);
    }
    let magnitude = i64::try_from(hex::parse_decimal(digits)?).map_err(|_| Error::OutOfRange)?;
    let v = if negative { -magnitude } else { magnitude };
    i32::try_from(v).map_err(|_| Error::OutOfRange)
}

/// The decimal text of a sampling priority.
pub(crate) fn format_sampling_priority(p: i32) -> StrBuf<11> {
    let (digits, n) = hex::format_decimal(u64::from(p.unsigned_abs()));
    let mut out = [0u8; 11];
    let start = usize::from(p < 0);
    out[0] = b'-';
    for (d, s) in out.iter_mut().skip(start).zip(digits.iter().take(n)) {
        *d = *s;
    }
    StrBuf::new(out, start + n)
}

/// Builds the context of the `x-datadog-*` header values: the two ids are
/// required, the rest optional. A malformed priority, a malformed
/// `_dd.p.tid`, or an invalid or oversized tags header drops that field only.
///
/// ```
/// use traceprop::{datadog, Error};
/// let ctx = datadog::parse(
///     "3541769181224051710",
///     "67667974448284343",
///     Some("2"),
///     Some("rum"),
///     Some("_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000"),
/// )
/// .unwrap();
/// assert_eq!(ctx.trace_id.to_hex().as_str(), "640cfd8d000000003126e44e234923fe");
/// assert_eq!(ctx.span_id.to_hex().as_str(), "00f067aa0ba902b7");
/// assert_eq!((ctx.sampled, ctx.sampling_priority), (Some(true), Some(2)));
/// assert_eq!(ctx.origin.unwrap(), "rum");
///
/// let bad_priority = datadog::parse("1", "2", Some("abc"), None, None).unwrap();
/// assert_eq!((bad_priority.sampled, bad_priority.sampling_priority), (None, None));
/// assert_eq!(datadog::parse("-1", "2", None, None, None).unwrap_err(), Error::InvalidDecimal);
/// ```
///
/// # Errors
/// The trace or parent id's error: [`Error::Empty`], [`Error::InvalidDecimal`],
/// [`Error::OutOfRange`] or [`Error::ZeroId`].
pub fn parse<'a>(
    trace_id: &str,
    parent_id: &str,
    sampling_priority: Option<&str>,
    origin: Option<&'a str>,
    tags: Option<&'a str>,
) -> Result<SpanContext<'a>, Error> {
    let low = TraceId::from_datadog(trace_id, None)?.low();
    let span_id = SpanId::from_decimal(parent_id)?;
    let (tags, checked) = match tags.map(|t| (tags::parse(t), t)) {
        Some((Ok(parsed), raw)) => (parsed, raw),
        _ => (DatadogTags::None, ""),
    };
    // Read from the checked value: `DatadogTags::iter` would check it again.
    let high = tags::header_tags(checked)
        .find(|t| t.name == tags::TID)
        .and_then(|t| t.value.as_plain())
        .and_then(|t| parse_tid(t).ok())
        .unwrap_or(0);
    let mut ctx = SpanContext::new(TraceId::from_halves(high, low), span_id);
    ctx.sampling_priority = sampling_priority.and_then(|p| parse_sampling_priority(p).ok());
    ctx.sampled = ctx.sampling_priority.map(|p| p > 0);
    ctx.origin = origin.filter(|o| !o.is_empty()).map(Text::new);
    ctx.dd_tags = tags;
    Ok(ctx)
}

/// Extracts the context from the `x-datadog-*` headers (first line of each).
///
/// ```
/// use traceprop::{datadog, Error, Headers};
/// let h = Headers::collect(&[("X-Datadog-Trace-Id", "1"), ("x-datadog-parent-id", "2")]);
/// assert_eq!(datadog::extract(&h).unwrap().sampled, None);
/// let only_trace = Headers::collect(&[("x-datadog-trace-id", "1")]);
/// assert_eq!(datadog::extract(&only_trace), Err(Error::Malformed));
/// assert_eq!(datadog::extract(&Headers::collect(&[("x-datadog-origin", "rum")])), Err(Error::Missing));
/// ```
///
/// # Errors
/// [`Error::Missing`] when neither id header is present, [`Error::Malformed`]
/// when only one is, or [`parse`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let (trace_id, parent_id) = match (
        headers.get(Header::DatadogTraceId),
        headers.get(Header::DatadogParentId),
    ) {
        (Some(t), Some(p)) => (t, p),
        (None, None) => return Err(Error::Missing),
        _ => return Err(Error::Malformed),
    };
    parse(
        trace_id,
        parent_id,
        headers.get(Header::DatadogSamplingPriority),
        headers.get(Header::DatadogOrigin),
        headers.get(Header::DatadogTags),
    )
}

/// Writes the `x-datadog-*` headers of `p`: trace id (decimal of the low 64
/// bits), parent id (decimal of the span id), sampling priority (the carried
/// one, else `1`/`0` from the decision, none when deferred), origin (when set
/// and free of control characters) and `x-datadog-tags` (see
/// [`tags::encode`]). Writes all of them or nothing.
///
/// ```
/// use traceprop::{datadog, Error, Propagation, SpanContext, SpanId, TraceId};
/// let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// let ctx = SpanContext::new(t, SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut out = Vec::new();
/// datadog::inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}"))).unwrap();
/// assert_eq!(out, [
///     "x-datadog-trace-id: 11803532876627986230",
///     "x-datadog-parent-id: 2",
///     "x-datadog-sampling-priority: 1",
///     "x-datadog-tags: _dd.p.tid=4bf92f3577b34da6",
/// ]);
/// // The low 64 bits are the Datadog trace id: they must not be zero.
/// let high_only = SpanContext::new(TraceId::from_halves(1, 0), SpanId::from_u64(2));
/// assert_eq!(datadog::inject(&Propagation::new(high_only), &mut |_: &str, _: &str| {}), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context or a zero low half (every
/// Datadog tracer rejects trace id `0`).
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let ctx = &p.context;
    if !ctx.is_valid() || ctx.trace_id.low() == 0 {
        return Err(Error::ZeroId);
    }
    let mut tags_buf = [0u8; tags::MAX_LEN];
    let tags_len = tags::encode(ctx, &mut tags_buf)?;
    let mut origin_buf = [0u8; crate::w3c::tracestate::MAX_VALUE_LEN];
    let origin = ctx
        .origin
        .and_then(|o| match o.as_plain() {
            Some(plain) => Some(plain),
            None => o.decode_into(&mut origin_buf).ok(),
        })
        .filter(|o| !o.is_empty() && !o.bytes().any(|b| b.is_ascii_control() && b != b'\t'));

    sink.set(Header::DatadogTraceId.name(), &ctx.trace_id.to_datadog().0);
    sink.set(Header::DatadogParentId.name(), &ctx.span_id.to_decimal());
    if let Some(priority) = ctx.sampling_priority.or(ctx.sampled.map(i32::from)) {
        sink.set(
            Header::DatadogSamplingPriority.name(),
            &format_sampling_priority(priority),
        );
    }
    if let Some(origin) = origin {
        sink.set(Header::DatadogOrigin.name(), origin);
    }
    if tags_len > 0 {
        sink.set(Header::DatadogTags.name(), as_text(&tags_buf, tags_len));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatadogTags;

    #[test]
    fn priority_edges() {
        assert_eq!(parse_sampling_priority("+2"), Ok(2));
        assert_eq!(parse_sampling_priority("-2147483648"), Ok(i32::MIN));
        assert_eq!(
            parse_sampling_priority("2147483648"),
            Err(Error::OutOfRange)
        );
        assert_eq!(
            parse_sampling_priority("99999999999999999999999"),
            Err(Error::OutOfRange)
        );
        assert_eq!(parse_sampling_priority("-"), Err(Error::Empty));
        assert_eq!(parse_sampling_priority("--1"), Err(Error::InvalidDecimal));
        assert_eq!(parse_sampling_priority(" 1"), Err(Error::InvalidDecimal));
        for p in [i32::MIN, -1, 0, 1, 2, i32::MAX] {
            let s = format_sampling_priority(p);
            assert_eq!(parse_sampling_priority(&s), Ok(p));
        }
    }

    #[test]
    fn bad_tid_keeps_low_half_and_tags() {
        let ctx = parse(
            "5",
            "6",
            None,
            None,
            Some("_dd.p.tid=640CFD8D00000000,_dd.p.dm=-1"),
        )
        .unwrap();
        assert_eq!(ctx.trace_id, TraceId::from_u64(5));
        assert_eq!(
            ctx.dd_tags,
            DatadogTags::Header("_dd.p.tid=640CFD8D00000000,_dd.p.dm=-1")
        );
    }

    #[test]
    fn empty_origin_is_none() {
        assert_eq!(parse("5", "6", None, Some(""), None).unwrap().origin, None);
    }

    #[test]
    fn text_compares_decoded() {
        assert_eq!(Text::from_tracestate("a~b"), "a=b");
        assert_ne!(Text::from_tracestate("a~b"), Text::new("a~b"));
        assert_ne!(Text::new("ab"), Text::new("abc"));
        let mut buf = [0u8; 8];
        assert_eq!(Text::new("a~b").decode_into(&mut buf), Ok("a~b"));
    }
}
