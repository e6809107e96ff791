//! OpenTracing "ot" headers (`ottrace`): `ot-tracer-traceid`,
//! `ot-tracer-spanid`, `ot-tracer-sampled` and `ot-baggage-{key}`
//! (SEMANTICS §5).
//!
//! - The trace id is 16 or 32 lowercase hex digits (16 is left-padded), the
//!   span id 16; both non-zero. `ot-tracer-sampled` is `true`/`false` (any
//!   case) or `1`/`0`; absent means not sampled, and so does any other value:
//!   the header is optional, and a malformed optional field never kills the
//!   context (SEMANTICS §0).
//! - Injection writes the low 64 bits of the trace id (16 hex digits; the
//!   format has no room for more), the span id, and `true`/`false` (a deferred
//!   decision is written as `false`).
//! - Baggage values are raw both ways. On inject the key is lowercased (header
//!   names are case-insensitive and sinks take lowercase names), and a member
//!   whose key is not a token, or whose value holds a control character (not
//!   allowed in a header value, RFC 9110 §5.5), is left out.

use crate::buffer::{as_text, SHORT_MEMBER};
use crate::carrier::{Header, Headers, Sink, OT_BAGGAGE_PREFIX};
use crate::context::{Propagation, SpanContext};
use crate::id::{SpanId, TraceId};
use crate::w3c::baggage::{self, is_token, Encoding, Member, Value};
use crate::{Baggage, Error, Writer};

/// Extracts the context of the `ot-tracer-*` headers (the first line of each).
///
/// ```
/// use traceprop::{ot, Error, Headers};
/// let h = Headers::collect(&[
///     ("ot-tracer-traceid", "a3ce929d0e0e4736"),
///     ("ot-tracer-spanid", "00f067aa0ba902b7"),
///     ("ot-tracer-sampled", "True"),
/// ]);
/// let ctx = ot::extract(&h).unwrap();
/// assert_eq!(ctx.trace_id.to_hex().as_str(), "0000000000000000a3ce929d0e0e4736");
/// assert_eq!(ctx.sampled, Some(true));
/// let h = Headers::collect(&[("ot-tracer-traceid", "A3CE929D0E0E4736"), ("ot-tracer-spanid", "00f067aa0ba902b7")]);
/// assert_eq!(ot::extract(&h), Err(Error::InvalidHex));
/// ```
///
/// # Errors
/// [`Error::Missing`] when neither id header is present;
/// [`Error::SamplingOnly`] when only `ot-tracer-sampled` is;
/// [`Error::Malformed`] when one id header is missing; the id's error
/// ([`Error::InvalidLength`], [`Error::InvalidHex`], [`Error::ZeroId`]).
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let sampled = headers.get(Header::OtSampled);
    let (trace, span) = match (
        headers.get(Header::OtTraceId),
        headers.get(Header::OtSpanId),
    ) {
        (Some(trace), Some(span)) => (trace, span),
        (None, None) if sampled.is_some() => return Err(Error::SamplingOnly),
        (None, None) => return Err(Error::Missing),
        _ => return Err(Error::Malformed),
    };
    let ctx = SpanContext::new(TraceId::from_hex_short(trace)?, SpanId::from_hex(span)?);
    let sampled = sampled.and_then(|v| crate::b3::parse_sampled(v).ok());
    Ok(ctx.with_sampled(Some(sampled.unwrap_or(false))))
}

/// Writes the `ot-tracer-*` headers of `p` (see the module docs).
///
/// ```
/// use traceprop::{ot, Propagation, SpanContext, SpanId, TraceId};
/// let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// let ctx = SpanContext::new(t, SpanId::from_u64(2));
/// let mut out = Vec::new();
/// ot::inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}")))
///     .unwrap();
/// assert_eq!(out, [
///     "ot-tracer-traceid: a3ce929d0e0e4736",
///     "ot-tracer-spanid: 0000000000000002",
///     "ot-tracer-sampled: false",
/// ]);
/// assert!(ot::inject(&Propagation::default(), &mut |_: &str, _: &str| {}).is_err());
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context (nothing is written).
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let ctx = &p.context;
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    // The low 64 bits as 16 hex (SEMANTICS §5); when they are all zero that
    // would be an invalid id, so the full 32-hex id (also valid OT) is written.
    if ctx.trace_id.low() == 0 {
        sink.set(Header::OtTraceId.name(), &ctx.trace_id.to_hex());
    } else {
        sink.set(Header::OtTraceId.name(), &ctx.trace_id.low_hex());
    }
    sink.set(Header::OtSpanId.name(), &ctx.span_id.to_hex());
    let sampled = if ctx.is_sampled() { "true" } else { "false" };
    sink.set(Header::OtSampled.name(), sampled);
    Ok(())
}

/// Adds the `ot-baggage-{key}` headers of the request to `into`, values raw.
/// A key must be a token and is kept as sent; members past the baggage limits
/// are dropped whole.
///
/// ```
/// use traceprop::{ot, Baggage, Headers};
/// let h = Headers::collect(&[("ot-baggage-user", "alice smith%20"), ("ot-baggage-a@b", "x")]);
/// let mut b = Baggage::EMPTY;
/// ot::extract_baggage(&h, &mut b);
/// assert_eq!(b.get("user").unwrap().raw(), "alice smith%20");
/// assert!(b.get("a@b").is_none());
/// ```
pub fn extract_baggage<'a>(headers: &Headers<'a>, into: &mut Baggage<'a>) {
    for &(key, raw) in headers.ot_baggage() {
        if !is_token(key) {
            continue;
        }
        if let Ok(value) = Value::new(raw, Encoding::Raw) {
            // A member over the limits is dropped; the others still count.
            let _ = into.push(Member {
                key,
                value,
                properties: "",
            });
        }
    }
}

/// Writes one `ot-baggage-{key}` header per baggage member of `p`, the value
/// decoded and written raw (see the module docs for what is left out).
///
/// ```
/// use traceprop::w3c::baggage::{Encoding, Member, Value};
/// use traceprop::{ot, Propagation};
/// let mut p = Propagation::default();
/// let value = Value::new("a%20b", Encoding::Percent).unwrap();
/// p.baggage.push(Member { key: "User", value, properties: "" }).unwrap();
/// let value = Value::new("line\nbreak", Encoding::Raw).unwrap();
/// p.baggage.push(Member { key: "k", value, properties: "" }).unwrap();
/// let mut out = Vec::new();
/// ot::inject_baggage(&p, &mut |k: &str, v: &str| out.push(format!("{k}: {v}"))).unwrap();
/// assert_eq!(out, ["ot-baggage-user: a b"]);
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
        let mut name = [0u8; OT_BAGGAGE_PREFIX.len() + SHORT_MEMBER];
        write_baggage(p, sink, &mut decoded, &mut name)
    } else {
        write_long_baggage(p, sink)
    }
}

#[inline(never)]
fn write_long_baggage(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut decoded = [0u8; baggage::MAX_BYTES];
    let mut name = [0u8; OT_BAGGAGE_PREFIX.len() + baggage::MAX_BYTES];
    write_baggage(p, sink, &mut decoded, &mut name)
}

/// Writes every member with `decoded` (room for the longest raw value) and
/// `name` (the prefix and the longest key) as scratch.
fn write_baggage(
    p: &Propagation<'_>,
    sink: &mut dyn Sink,
    decoded: &mut [u8],
    name: &mut [u8],
) -> Result<(), Error> {
    for m in p.baggage.members() {
        if !is_token(m.key) {
            continue;
        }
        let value = m.value.decode_into(decoded)?;
        if value.bytes().any(|c| c.is_ascii_control() && c != b'\t') {
            continue;
        }
        let mut w = Writer::new(&mut *name);
        w.push_str(OT_BAGGAGE_PREFIX)?;
        for b in m.key.bytes() {
            w.push_byte(b.to_ascii_lowercase())?;
        }
        let n = w.len();
        sink.set(as_text(name, n), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "00f067aa0ba902b7";

    fn ctx(pairs: &[(&'static str, &'static str)]) -> Result<SpanContext<'static>, Error> {
        extract(&Headers::collect(pairs))
    }

    #[test]
    fn presence_errors() {
        assert_eq!(ctx(&[]), Err(Error::Missing));
        assert_eq!(ctx(&[("ot-tracer-sampled", "1")]), Err(Error::SamplingOnly));
        assert_eq!(ctx(&[("ot-tracer-spanid", S)]), Err(Error::Malformed));
        assert_eq!(
            ctx(&[("ot-tracer-traceid", "abc"), ("ot-tracer-spanid", S)]),
            Err(Error::InvalidLength)
        );
    }

    #[test]
    fn sampled_values() {
        for (v, want) in [
            ("1", true),
            ("TRUE", true),
            ("0", false),
            ("yes", false),
            ("", false),
        ] {
            let got = ctx(&[
                ("ot-tracer-traceid", "0000000000000001"),
                ("ot-tracer-spanid", S),
                ("ot-tracer-sampled", v),
            ]);
            assert_eq!(got.unwrap().sampled, Some(want), "{v:?}");
        }
    }

    #[test]
    fn baggage_control_characters_left_out() {
        let mut p = Propagation::default();
        for (key, raw) in [("tab", "a\tb"), ("del", "a\u{7f}"), ("utf8", "é")] {
            let value = Value::new(raw, Encoding::Raw).unwrap();
            p.baggage
                .push(Member {
                    key,
                    value,
                    properties: "",
                })
                .unwrap();
        }
        let mut names = [""; 3];
        let mut n = 0;
        inject_baggage(&p, &mut |k: &str, _: &str| {
            names[n] = match k {
                "ot-baggage-tab" => "tab",
                "ot-baggage-utf8" => "utf8",
                _ => "other",
            };
            n += 1;
        })
        .unwrap();
        assert_eq!(&names[..n], ["tab", "utf8"]);
    }
}
