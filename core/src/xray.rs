//! AWS X-Ray `X-Amzn-Trace-Id` (SEMANTICS §7):
//! `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`.
//!
//! - `;`-separated `Key=Value` fields, in any order, SP/HTAB around `;`
//!   ignored, keys case-sensitive; empty fields (`;;`, a trailing `;`) are
//!   skipped, and a part without `=` is not a field and is dropped (a
//!   malformed optional part never kills the context, SEMANTICS §0).
//! - `Root` (`1-{8 hex}-{24 hex}`, the 32-hex trace id split after 8 digits)
//!   and `Parent` (16 hex) are required, lowercase, non-zero. `Sampled`:
//!   `1`, `0`; `?` (X-Ray's "requested": the receiver decides), absent, or
//!   any other value is no decision. The first occurrence of a key counts.
//! - Every other field (`Self` from load balancers, `Lineage` from Lambda's
//!   loop detection, application fields) is kept verbatim, in order, in
//!   [`SpanContext::xray_extra`], and written back after
//!   `Root;Parent;Sampled`, up to [`MAX_EXTRA_LEN`] bytes (dd-trace-java's
//!   cap on the fields it re-emits).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::id::{SpanId, TraceId};
use crate::{text, Error, Writer};

/// Length of `Root=1-{8}-{24};Parent={16};Sampled={x}`.
pub const BASE_LEN: usize = 5 + 35 + 8 + 16 + 9 + 1;
/// The most bytes of preserved fields written back, `;` separators included.
pub const MAX_EXTRA_LEN: usize = 256;
/// The longest value written.
pub const MAX_LEN: usize = BASE_LEN + MAX_EXTRA_LEN;

/// A parsed `X-Amzn-Trace-Id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceHeader<'a> {
    /// The trace id (`Root`).
    pub trace_id: TraceId,
    /// The parent span id (`Parent`).
    pub span_id: SpanId,
    /// `Sampled`: `Some` for `1`/`0`, `None` for `?` or absent.
    pub sampled: Option<bool>,
    /// The preserved fields, as [`SpanContext::xray_extra`] holds them.
    pub extra: &'a str,
}

impl<'a> TraceHeader<'a> {
    /// The context it carries.
    #[must_use]
    pub fn context(&self) -> SpanContext<'a> {
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        ctx.sampled = self.sampled;
        ctx.xray_extra = self.extra;
        ctx
    }
}

const KNOWN: [&str; 3] = ["Root", "Parent", "Sampled"];

/// The `;`-separated parts of `value`, trimmed, empty ones skipped, each with
/// its byte range in `value`.
fn parts(value: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = 0;
    text::split(value, b';').filter_map(move |piece| {
        let start = offset;
        offset += piece.len() + 1;
        let trimmed = trim_ows(piece);
        if trimmed.is_empty() {
            return None;
        }
        let lead = piece
            .bytes()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
        Some((start + lead, start + lead + trimmed.len(), trimmed))
    })
}

/// A `Key=Value` field with a non-empty key.
fn field(part: &str) -> Option<(&str, &str)> {
    text::split_once(part, b'=').filter(|(k, _)| !k.is_empty())
}

/// The preserved fields of an `xray_extra` value: every `Key=Value` part that
/// is not `Root`, `Parent` or `Sampled`, in order, trimmed.
///
/// ```
/// use traceprop::xray;
/// let extra = "Self=1-67891233-12456789abcdef012345678;Root=1-x; ;Lineage=a87bd80c:1";
/// let fields: Vec<_> = xray::extra_fields(extra).collect();
/// assert_eq!(fields, ["Self=1-67891233-12456789abcdef012345678", "Lineage=a87bd80c:1"]);
/// assert_eq!(xray::extra_fields("no-equals-sign").count(), 0);
/// ```
pub fn extra_fields(extra: &str) -> impl Iterator<Item = &str> {
    parts(extra)
        .map(|(_, _, part)| part)
        .filter(|part| field(part).is_some_and(|(k, _)| !KNOWN.contains(&k)))
}

/// Parses one `X-Amzn-Trace-Id` value.
///
/// ```
/// use traceprop::{xray, Error};
/// let h = xray::parse("Self=1-6789;Root=1-5759e988-bd862e3fe1be46a994272793; Parent=53995c3f42cd8ad8 ;Sampled=?;Lineage=a87bd80c:1").unwrap();
/// assert_eq!(h.trace_id.to_hex().as_str(), "5759e988bd862e3fe1be46a994272793");
/// assert_eq!(h.sampled, None);
/// assert_eq!(xray::extra_fields(h.extra).collect::<Vec<_>>(), ["Self=1-6789", "Lineage=a87bd80c:1"]);
/// // An ALB-generated header has no Parent: no context.
/// assert_eq!(xray::parse("Root=1-67891233-abcdef012345678912345678"), Err(Error::Malformed));
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::Malformed`] when `Root` or `Parent` is absent;
/// [`TraceId::from_xray_root`]'s or [`SpanId::from_hex`]'s error.
#[inline]
pub fn parse(value: &str) -> Result<TraceHeader<'_>, Error> {
    let value = trim_ows(value);
    if value.is_empty() {
        return Err(Error::Empty);
    }
    canonical(value).map_or_else(|| parse_fields(value), Ok)
}

/// The header as X-Ray SDKs write it, `Root=…;Parent=…;Sampled=x` and
/// nothing else, read at fixed offsets; `None` for any other layout or a bad
/// id, which [`parse_fields`] then reads (to the same result when this one
/// succeeds: valid ids hold no separator).
fn canonical(value: &str) -> Option<TraceHeader<'_>> {
    let b = value.as_bytes();
    if b.len() != BASE_LEN
        || b.get(..5)? != b"Root="
        || b.get(40..48)? != b";Parent="
        || b.get(64..73)? != b";Sampled="
    {
        return None;
    }
    let trace_id = TraceId::from_xray_root(value.get(5..40)?).ok()?;
    let span_id = SpanId::from_hex(value.get(48..64)?).ok()?;
    Some(TraceHeader {
        trace_id,
        span_id,
        sampled: match b.get(73)? {
            b'1' => Some(true),
            b'0' => Some(false),
            _ => None,
        },
        extra: "",
    })
}

/// Reads the `;`-separated fields of a trimmed, non-empty value in any order.
fn parse_fields(value: &str) -> Result<TraceHeader<'_>, Error> {
    let (mut root, mut parent, mut sampled) = (None, None, None);
    let mut extra: Option<(usize, usize)> = None;
    for (start, end, part) in parts(value) {
        match field(part) {
            Some(("Root", v)) => root = root.or(Some(v)),
            Some(("Parent", v)) => parent = parent.or(Some(v)),
            Some(("Sampled", v)) => sampled = sampled.or(Some(v)),
            Some(_) => extra = Some((extra.map_or(start, |(s, _)| s), end)),
            None => {}
        }
    }
    let trace_id = TraceId::from_xray_root(root.ok_or(Error::Malformed)?)?;
    let span_id = SpanId::from_hex(parent.ok_or(Error::Malformed)?)?;
    Ok(TraceHeader {
        trace_id,
        span_id,
        sampled: match sampled {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        },
        extra: extra.and_then(|(s, e)| value.get(s..e)).unwrap_or_default(),
    })
}

/// Writes `Root={root};Parent={16 hex};Sampled={1|0|?}` (`?` when deferred),
/// then `;` and each of [`extra_fields`] of `ctx.xray_extra` that fits in
/// [`MAX_EXTRA_LEN`] (a field that does not is skipped whole; one with control
/// characters too). Returns the length.
///
/// ```
/// use traceprop::{xray, Error, SpanContext, SpanId, TraceId};
/// let t = TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap();
/// let mut ctx = SpanContext::new(t, SpanId::from_u64(1));
/// ctx.xray_extra = "Lineage=a87bd80c:1";
/// let mut buf = [0u8; xray::MAX_LEN];
/// let n = xray::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(
///     &buf[..n],
///     b"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000001;Sampled=?;Lineage=a87bd80c:1"
/// );
/// assert_eq!(xray::encode(&ctx, &mut [0u8; 80]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context, [`Error::BufferTooSmall`].
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let mut w = Writer::new(out);
    w.push_str("Root=")?;
    w.push(ctx.trace_id.to_xray_root().as_bytes())?;
    w.push_str(";Parent=")?;
    w.push(ctx.span_id.to_hex().as_bytes())?;
    w.push_str(match ctx.sampled {
        Some(true) => ";Sampled=1",
        Some(false) => ";Sampled=0",
        None => ";Sampled=?",
    })?;
    let mut budget = MAX_EXTRA_LEN;
    for f in extra_fields(ctx.xray_extra) {
        let fits = f.len() < budget;
        if fits && !f.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            w.push_byte(b';')?;
            w.push_str(f)?;
            budget -= f.len() + 1;
        }
    }
    Ok(w.len())
}

/// Extracts the context from the (first) `X-Amzn-Trace-Id` header.
///
/// ```
/// use traceprop::{xray, Error, Headers};
/// let h = Headers::collect(&[("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1")]);
/// let ctx = xray::extract(&h).unwrap();
/// assert_eq!((ctx.sampled, ctx.xray_extra), (Some(true), "Lineage=a87bd80c:1"));
/// assert_eq!(xray::extract(&Headers::collect(&[("b3", "1")])), Err(Error::Missing));
/// ```
///
/// # Errors
/// [`Error::Missing`] when absent, or [`parse`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::XRay).ok_or(Error::Missing)?;
    Ok(parse(value)?.context())
}

/// Writes the `x-amzn-trace-id` header of `p`.
///
/// ```
/// use traceprop::{xray, Error, Propagation, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(false));
/// let mut out = Vec::new();
/// xray::inject(&Propagation::new(ctx), &mut |k: &str, v: &str| out.push(format!("{k}: {v}"))).unwrap();
/// assert_eq!(out, ["x-amzn-trace-id: Root=1-00000000-000000000000000000000001;Parent=0000000000000002;Sampled=0"]);
/// let invalid = SpanContext::new(TraceId::INVALID, SpanId::from_u64(2));
/// assert_eq!(xray::inject(&Propagation::new(invalid), &mut |_: &str, _: &str| {}), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// As [`encode`].
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = encode(&p.context, &mut buf)?;
    sink.set(Header::XRay.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_layout_reads_as_the_fields_do() {
        let base = *b"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        assert_eq!(base.len(), BASE_LEN);
        let mut read = 0;
        for at in 0..base.len() {
            for c in *b";= -0Agx?\t" {
                let mut v = base;
                v[at] = c;
                let v = core::str::from_utf8(&v).unwrap();
                if let Some(fast) = canonical(v) {
                    assert_eq!(Ok(fast), parse_fields(v), "{v}");
                    read += 1;
                }
            }
        }
        // At least: each of the 48 id digits set to `0`, and the sampling
        // byte set to each of the 11.
        assert!(read >= 59, "{read}");
        assert!(canonical(
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;"
        )
        .is_none());
    }

    const ROOT: &str = "Root=1-5759e988-bd862e3fe1be46a994272793";
    const PARENT: &str = "Parent=53995c3f42cd8ad8";

    #[test]
    fn extra_span_covers_interleaved_fields() {
        let h = parse("A=1; Root=1-5759e988-bd862e3fe1be46a994272793 ;B=2;Parent=53995c3f42cd8ad8")
            .unwrap();
        assert_eq!(
            h.extra,
            "A=1; Root=1-5759e988-bd862e3fe1be46a994272793 ;B=2"
        );
        let mut fields = extra_fields(h.extra);
        assert_eq!(fields.next(), Some("A=1"));
        assert_eq!(fields.next(), Some("B=2"));
        assert_eq!(fields.next(), None);
    }

    #[test]
    fn first_occurrence_wins_and_case_matters() {
        let v = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Sampled=1;Parent=x";
        let h = parse(v).unwrap();
        assert_eq!(h.sampled, Some(false));
        assert_eq!(h.extra, "");
        assert_eq!(
            parse("root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"),
            Err(Error::Malformed)
        );
    }

    #[test]
    fn sampled_values() {
        for (s, want) in [
            ("1", Some(true)),
            ("0", Some(false)),
            ("?", None),
            ("2", None),
            ("", None),
        ] {
            let mut buf = [0u8; 128];
            let mut w = Writer::new(&mut buf);
            for part in [ROOT, ";", PARENT, ";Sampled=", s] {
                w.push_str(part).unwrap();
            }
            let n = w.len();
            let h = parse(core::str::from_utf8(&buf[..n]).unwrap()).unwrap();
            assert_eq!(h.sampled, want, "{s}");
        }
    }

    #[test]
    fn extra_budget_skips_whole_fields() {
        let mut extra = [b'x'; 300];
        extra[..4].copy_from_slice(b"Big=");
        extra[299] = b';';
        let mut long = [0u8; 320];
        long[..300].copy_from_slice(&extra);
        long[300..310].copy_from_slice(b"Lineage=a1");
        let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(1));
        ctx.xray_extra = core::str::from_utf8(&long[..310]).unwrap();
        let mut buf = [0u8; MAX_LEN];
        let n = encode(&ctx, &mut buf).unwrap();
        assert!(buf[..n].ends_with(b";Sampled=?;Lineage=a1"));
    }
}

#[cfg(test)]
mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_parse(
            t in 1u128..,
            s in 1u64..,
            sampled: Option<bool>,
            extra in proptest::collection::vec("X[a-zA-Z]{0,5}=[a-z0-9:|-]{0,8}", 0..4),
        ) {
            let extra = extra.join(";");
            let mut ctx = SpanContext::new(TraceId::from_u128(t), SpanId::from_u64(s)).with_sampled(sampled);
            ctx.xray_extra = &extra;
            let mut buf = [0u8; MAX_LEN];
            let n = encode(&ctx, &mut buf).unwrap();
            let back = parse(core::str::from_utf8(&buf[..n]).unwrap()).unwrap();
            prop_assert_eq!(back.context(), ctx);
        }

        #[test]
        fn canonical_agrees_with_the_fields(
            v in "Root=1-[0-9a-f]{7}[0-9a-fA;]-[0-9a-f]{23}[0-9a-f ];Parent=[0-9a-f]{15}[0-9af=];Sampled=[01?;=]",
        ) {
            if let Some(fast) = canonical(&v) {
                prop_assert_eq!(Ok(fast), parse_fields(&v));
            }
        }
    }
}
