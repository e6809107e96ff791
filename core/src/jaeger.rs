//! Jaeger: `uber-trace-id`, and baggage in `uberctx-{key}` and
//! `jaeger-baggage` (SEMANTICS §4, Jaeger "Propagation Format").
//!
//! - `uber-trace-id` is `{trace}:{span}:{parent}:{flags}`. A value without `:`
//!   but with `%3A` (any case) is percent-decoded first, as the reference client
//!   (jaeger-client-go) URL-decodes HTTP header values.
//! - Ids are variable-length hex, left-padded (trace 1-32 digits, span 1-16),
//!   non-zero. **Hex digits of either case are accepted**: the Jaeger docs say
//!   only "base16" and the reference client parses ids with
//!   `strconv.ParseUint(…, 16, …)`, which takes `A-F`; ids are always written
//!   lowercase. The parent part must be 1-16 hex digits and is otherwise
//!   ignored (`0` means root).
//! - Flags are one byte as 1-2 hex digits: sampled = 0x01, debug = 0x02 only
//!   together with sampled. Injection writes `{32 hex}:{16 hex}:0:{1|0|3}`:
//!   single digits that read the same in hex and decimal, since some clients
//!   parse flags as decimal.
//! - Baggage: `uberctx-{key}` values are query-unescaped (`+` is a space) and
//!   `jaeger-baggage: k1=v1, k2=v2` pairs are read the same way (pairs that do
//!   not split into exactly one key and one value are skipped). Injection
//!   writes `uberctx-{key}` with the key lowercased (header names are
//!   case-insensitive and sinks take lowercase names) and the value
//!   percent-encoded: every byte but RFC 3986 unreserved (`A-Z a-z 0-9 - . _ ~`)
//!   becomes `%XX`, so a space is `%20` and every peer's decoder agrees.

use crate::buffer::{as_text, SHORT_MEMBER};
use crate::carrier::{trim_ows, Header, Headers, Sink, UBERCTX_PREFIX};
use crate::context::{Propagation, SpanContext};
use crate::hex::{self, Case};
use crate::id::{SpanId, TraceId};
use crate::w3c::baggage::{self, is_token, percent_encode, Encoding, Member, Value};
use crate::{Baggage, Error, Writer};

/// The longest `uber-trace-id` value written: `{32 hex}:{16 hex}:0:{flag}`.
pub const MAX_LEN: usize = 32 + 1 + 16 + 1 + 1 + 1 + 1;

/// The longest `uber-trace-id` value that can be valid once decoded: 32 + 16 +
/// 16 + 2 digits and three colons.
const MAX_DECODED_LEN: usize = 32 + 1 + 16 + 1 + 16 + 1 + 2;

/// Flag bit 0x01: sampled.
const FLAG_SAMPLED: u8 = 0x01;
/// Flag bit 0x02: debug (meaningful only with sampled).
const FLAG_DEBUG: u8 = 0x02;

/// A parsed `uber-trace-id`.
///
/// ```
/// use traceprop::jaeger;
/// let id = jaeger::parse("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:05e3ac9a4f6e3b90:0b").unwrap();
/// assert!(id.sampled() && id.debug() && id.parent_id.is_some());
/// assert_eq!(id.flags, 0x0b);
/// assert!(jaeger::parse("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:0b0").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UberTraceId {
    /// The trace id, left-padded to 128 bits.
    pub trace_id: TraceId,
    /// The span id, left-padded to 64 bits.
    pub span_id: SpanId,
    /// The deprecated parent span id; `None` for `0` (a root span).
    pub parent_id: Option<SpanId>,
    /// The flags byte as received (0x08 firehose and unknown bits included).
    pub flags: u8,
}

impl UberTraceId {
    /// Whether bit 0x01 is set.
    #[must_use]
    pub const fn sampled(&self) -> bool {
        self.flags & FLAG_SAMPLED != 0
    }

    /// Whether bit 0x02 is set together with 0x01 (debug alone counts for
    /// nothing: "should only be set when the sampled flag is set").
    #[must_use]
    pub const fn debug(&self) -> bool {
        self.flags & (FLAG_SAMPLED | FLAG_DEBUG) == FLAG_SAMPLED | FLAG_DEBUG
    }

    /// The span context it carries.
    ///
    /// ```
    /// use traceprop::jaeger;
    /// let ctx = jaeger::parse("abc:def:0:3").unwrap().context();
    /// assert_eq!(ctx.span_id.to_hex().as_str(), "0000000000000def");
    /// assert_eq!((ctx.sampled, ctx.debug), (Some(true), true));
    /// let ctx = jaeger::parse("abc:def:0:2").unwrap().context();
    /// assert_eq!((ctx.sampled, ctx.debug), (Some(false), false));
    /// ```
    #[must_use]
    pub fn context<'a>(&self) -> SpanContext<'a> {
        let mut ctx =
            SpanContext::new(self.trace_id, self.span_id).with_sampled(Some(self.sampled()));
        ctx.debug = self.debug();
        ctx
    }
}

/// Parses an `uber-trace-id` value; SP/HTAB around it are ignored.
///
/// ```
/// use traceprop::{jaeger, Error};
/// let t = "4BF92F3577B34DA6A3CE929D0E0E4736%3A00f067aa0ba902b7%3A0%3A1";
/// let id = jaeger::parse(t).unwrap();
/// assert_eq!(id.trace_id.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert!(id.sampled() && id.parent_id.is_none());
/// assert_eq!(jaeger::parse("abc:def:0:x"), Err(Error::InvalidSampling));
/// assert_eq!(jaeger::parse("abc:def:0"), Err(Error::Malformed));
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::Malformed`] (not four parts);
/// [`Error::InvalidEscape`] (bad `%XX`); [`Error::Empty`],
/// [`Error::InvalidLength`] or [`Error::InvalidHex`] for an id part;
/// [`Error::ZeroId`]; [`Error::InvalidSampling`] (flags not 1-2 hex digits).
pub fn parse(value: &str) -> Result<UberTraceId, Error> {
    let value = trim_ows(value).as_bytes();
    if value.is_empty() {
        return Err(Error::Empty);
    }
    if value.contains(&b':') || !contains_encoded_colon(value) {
        return parse_parts(value);
    }
    let mut buf = [0u8; MAX_DECODED_LEN];
    let n = unescape(value, &mut buf)?;
    parse_parts(buf.get(..n).unwrap_or_default())
}

fn contains_encoded_colon(value: &[u8]) -> bool {
    value
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'3' && (w[2] | 0x20) == b'a')
}

/// Percent-decodes `value` into `out`; returns the length.
fn unescape(value: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let mut n = 0;
    let mut i = 0;
    while let Some(&c) = value.get(i) {
        let byte = if c == b'%' {
            let digit = |j: usize| value.get(j).and_then(|&d| hex::nibble(d, Case::Any));
            let (Some(hi), Some(lo)) = (digit(i + 1), digit(i + 2)) else {
                return Err(Error::InvalidEscape);
            };
            i += 3;
            (hi << 4) | lo
        } else {
            i += 1;
            c
        };
        *out.get_mut(n).ok_or(Error::InvalidLength)? = byte;
        n += 1;
    }
    Ok(n)
}

fn parse_parts(value: &[u8]) -> Result<UberTraceId, Error> {
    let mut parts = value.split(|&c| c == b':');
    let (Some(trace), Some(span), Some(parent), Some(flags), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(Error::Malformed);
    };
    let trace_id = TraceId::from_u128(hex::parse_u128(trace, Case::Any)?);
    let span_id = SpanId::from_u64(hex::parse_u64(span, Case::Any)?);
    let parent_id = SpanId::from_u64(hex::parse_u64(parent, Case::Any)?);
    if flags.len() > 2 {
        return Err(Error::InvalidSampling);
    }
    let flags = hex::parse_u64(flags, Case::Any).map_err(|_| Error::InvalidSampling)?;
    if !trace_id.is_valid() || !span_id.is_valid() {
        return Err(Error::ZeroId);
    }
    Ok(UberTraceId {
        trace_id,
        span_id,
        parent_id: parent_id.is_valid().then_some(parent_id),
        // At most two hex digits: always fits.
        flags: u8::try_from(flags).unwrap_or(u8::MAX),
    })
}

/// Writes the `uber-trace-id` value of `ctx`: `{32 hex}:{16 hex}:0:{flags}`
/// with flags `1`, `0` (not sampled or deferred) or `3` (sampled + debug).
/// Returns the length.
///
/// ```
/// use traceprop::{jaeger, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(0xabc), SpanId::from_u64(0xdef));
/// let mut buf = [0u8; jaeger::MAX_LEN];
/// let n = jaeger::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"00000000000000000000000000000abc:0000000000000def:0:0");
/// assert_eq!(jaeger::encode(&ctx, &mut [0u8; 52]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let flags = match (ctx.is_sampled(), ctx.debug) {
        (true, true) => b'3',
        (true, false) => b'1',
        (false, _) => b'0',
    };
    let mut w = Writer::new(out);
    w.push(ctx.trace_id.to_hex().as_bytes())?;
    w.push_byte(b':')?;
    w.push(ctx.span_id.to_hex().as_bytes())?;
    w.push(&[b':', b'0', b':', flags])?;
    Ok(w.len())
}

/// Extracts the context of the (first) `uber-trace-id` header.
///
/// ```
/// use traceprop::{jaeger, Error, Headers};
/// let h = Headers::collect(&[("Uber-Trace-Id", "abc:def:0:1")]);
/// assert_eq!(jaeger::extract(&h).unwrap().sampled, Some(true));
/// let h = Headers::collect(&[("uber-trace-id", "0:def:0:1")]);
/// assert_eq!(jaeger::extract(&h), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::Missing`] when absent, or [`parse`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::UberTraceId).ok_or(Error::Missing)?;
    Ok(parse(value)?.context())
}

/// Writes the `uber-trace-id` header of `p` (see [`encode`]).
///
/// ```
/// use traceprop::{jaeger, Propagation, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut out = Vec::new();
/// jaeger::inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}")))
///     .unwrap();
/// assert_eq!(out, ["uber-trace-id: 00000000000000000000000000000001:0000000000000002:0:1"]);
/// assert!(jaeger::inject(&Propagation::default(), &mut |_: &str, _: &str| {}).is_err());
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context (nothing is written).
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = encode(&p.context, &mut buf)?;
    sink.set(Header::UberTraceId.name(), as_text(&buf, n));
    Ok(())
}

/// Adds the Jaeger baggage of the request to `into`: the pairs of the (first)
/// `jaeger-baggage` header, then every `uberctx-{key}` header (so a
/// `uberctx-` value wins over a `jaeger-baggage` pair with the same key).
/// Values are query-unescaped when decoded; a key must be a token and is kept
/// as sent; a member with a bad `%` escape is dropped alone; members past the
/// baggage limits are dropped whole.
///
/// ```
/// use traceprop::{jaeger, Baggage, Headers};
/// let h = Headers::collect(&[
///     ("jaeger-baggage", "k1=v1, k2 = v2, broken, a=b=c"),
///     ("uberctx-k2", "value%201+%2F"),
///     ("uberctx-bad", "%zz"),
/// ]);
/// let mut b = Baggage::EMPTY;
/// jaeger::extract_baggage(&h, &mut b);
/// let mut buf = [0u8; 16];
/// assert_eq!(b.len(), 2);
/// assert_eq!(b.get("k2").unwrap().decode_into(&mut buf).unwrap(), "value 1 /");
/// assert!(b.get("bad").is_none());
/// ```
pub fn extract_baggage<'a>(headers: &Headers<'a>, into: &mut Baggage<'a>) {
    let pairs = headers
        .get(Header::JaegerBaggage)
        .into_iter()
        .flat_map(|line| line.split(','))
        .filter_map(|pair| {
            let mut kv = pair.split('=');
            match (kv.next(), kv.next(), kv.next()) {
                (Some(k), Some(v), None) => Some((trim_ows(k), trim_ows(v))),
                _ => None,
            }
        });
    for (key, raw) in pairs.chain(headers.uberctx().iter().copied()) {
        if !is_token(key) {
            continue;
        }
        if let Ok(value) = Value::new(raw, Encoding::Query) {
            // A member over the limits is dropped; the others still count.
            let _ = into.push(Member {
                key,
                value,
                properties: "",
            });
        }
    }
}

/// Writes one `uberctx-{key}` header per baggage member of `p` (key
/// lowercased, value percent-encoded, see the module docs). A member whose
/// key is not a token is left out.
///
/// ```
/// use traceprop::w3c::baggage::{Encoding, Member, Value};
/// use traceprop::{jaeger, Propagation};
/// let mut p = Propagation::default();
/// let value = Value::new("alice smith+1", Encoding::Raw).unwrap();
/// p.baggage.push(Member { key: "User", value, properties: "" }).unwrap();
/// let value = Value::new("x", Encoding::Raw).unwrap();
/// p.baggage.push(Member { key: "not a token", value, properties: "" }).unwrap();
/// let mut out = Vec::new();
/// jaeger::inject_baggage(&p, &mut |k: &str, v: &str| out.push(format!("{k}: {v}"))).unwrap();
/// assert_eq!(out, ["uberctx-user: alice%20smith%2B1"]);
/// ```
///
/// # Errors
/// Never in practice: the stack buffers hold the longest member the baggage
/// limits allow; [`Error::BufferTooSmall`] is passed on for uniformity.
pub fn inject_baggage(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    if p.baggage.is_empty() {
        return Ok(());
    }
    let short = |m: &Member<'_>| m.key.len() + m.value.raw().len() <= SHORT_MEMBER;
    if p.baggage.members().iter().all(short) {
        let mut decoded = [0u8; SHORT_MEMBER];
        let mut buf = [0u8; UBERCTX_PREFIX.len() + 3 * SHORT_MEMBER];
        write_baggage(p, sink, &mut decoded, &mut buf)
    } else {
        write_long_baggage(p, sink)
    }
}

#[inline(never)]
fn write_long_baggage(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut decoded = [0u8; baggage::MAX_BYTES];
    // The key and the value together take at most MAX_BYTES raw, and encoding
    // at most triples the value.
    let mut buf = [0u8; UBERCTX_PREFIX.len() + 3 * baggage::MAX_BYTES];
    write_baggage(p, sink, &mut decoded, &mut buf)
}

/// Writes every member with `decoded` and `buf` as scratch: `decoded` holds
/// the longest raw value, `buf` the prefix and key plus three bytes per byte
/// of that value.
fn write_baggage(
    p: &Propagation<'_>,
    sink: &mut dyn Sink,
    decoded: &mut [u8],
    buf: &mut [u8],
) -> Result<(), Error> {
    for m in p.baggage.members() {
        if !is_token(m.key) {
            continue;
        }
        let value = m.value.decode_into(decoded)?;
        let (name, rest) = buf
            .split_at_mut_checked(UBERCTX_PREFIX.len() + m.key.len())
            .ok_or(Error::BufferTooSmall)?;
        let mut w = Writer::new(name);
        w.push_str(UBERCTX_PREFIX)?;
        for b in m.key.bytes() {
            w.push_byte(b.to_ascii_lowercase())?;
        }
        let mut v = Writer::new(rest);
        percent_encode(value.as_bytes(), &mut v, is_unreserved)?;
        let n = v.len();
        sink.set(as_text(name, name.len()), as_text(rest, n));
    }
    Ok(())
}

/// RFC 3986 `unreserved`: the bytes every URL decoder leaves as they are.
fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn part_errors() {
        assert_eq!(parse(""), Err(Error::Empty));
        assert_eq!(parse(":1:0:1"), Err(Error::Empty));
        assert_eq!(parse("1::0:1"), Err(Error::Empty));
        assert_eq!(parse("1:1::1"), Err(Error::Empty));
        assert_eq!(parse("1:1:0:"), Err(Error::InvalidSampling));
        assert_eq!(parse("1:1:0:001"), Err(Error::InvalidSampling));
        assert_eq!(parse("1:1:0:1:"), Err(Error::Malformed));
        assert_eq!(parse("1:11111111111111111:0:1"), Err(Error::InvalidLength));
        assert_eq!(parse("1:1:g:1"), Err(Error::InvalidHex));
        assert_eq!(parse("1:0000:0:1"), Err(Error::ZeroId));
    }

    #[test]
    fn flags_bits() {
        for (flags, sampled, debug) in [
            ("0", false, false),
            ("1", true, false),
            ("2", false, false),
            ("3", true, true),
            ("9", true, false),
            ("FF", true, true),
            ("0b", true, true),
        ] {
            let mut buf = [0u8; 16];
            let mut w = Writer::new(&mut buf);
            w.push_str("1:1:0:").unwrap();
            w.push_str(flags).unwrap();
            let n = w.len();
            let id = parse(core::str::from_utf8(&buf[..n]).unwrap()).unwrap();
            assert_eq!((id.sampled(), id.debug()), (sampled, debug), "{flags}");
        }
    }

    #[test]
    fn encoded_colons() {
        let id = parse("1%3a2%3A0%3A1").unwrap();
        assert_eq!((id.trace_id.low(), id.span_id.to_u64()), (1, 2));
        // Decoding happens only when no raw `:` is present.
        assert_eq!(parse("1:2%3A0%3A1"), Err(Error::Malformed));
        assert_eq!(parse("1%3A2%3A0%3A1%zz"), Err(Error::InvalidEscape));
        assert_eq!(parse("1%3A2%3A0%3A1%"), Err(Error::InvalidEscape));
        assert_eq!(parse("12%3A"), Err(Error::Malformed));
        // Longer than any valid value once decoded.
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        for part in [T, "%3A", T, "%3A", T, "%3A1"] {
            w.push_str(part).unwrap();
        }
        let n = w.len();
        assert_eq!(
            parse(core::str::from_utf8(&buf[..n]).unwrap()),
            Err(Error::InvalidLength)
        );
    }

    #[test]
    fn debug_needs_sampled_on_encode() {
        let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
        ctx.debug = true;
        let mut buf = [0u8; MAX_LEN];
        for (sampled, flag) in [(None, b'0'), (Some(false), b'0'), (Some(true), b'3')] {
            ctx.sampled = sampled;
            assert_eq!(encode(&ctx, &mut buf), Ok(MAX_LEN));
            assert_eq!(buf[MAX_LEN - 1], flag, "{sampled:?}");
        }
    }

    #[test]
    fn baggage_members_limits_and_order() {
        let h = Headers::collect(&[
            ("uberctx-k", "late"),
            ("jaeger-baggage", "k=early,  ,=v,j=%41"),
            ("jaeger-baggage", "second=ignored"),
        ]);
        let mut b = Baggage::EMPTY;
        extract_baggage(&h, &mut b);
        let keys: [&str; 2] = [b.members()[0].key, b.members()[1].key];
        assert_eq!(keys, ["k", "j"]);
        assert_eq!(b.get("k").unwrap().raw(), "late");
        assert_eq!(b.get("j").unwrap().encoding(), Encoding::Query);
    }
}
