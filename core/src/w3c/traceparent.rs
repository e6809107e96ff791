//! W3C `traceparent` (Trace Context Level 2 §3.2, and the W3C test suite's
//! version rules).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::{Propagation, SpanContext, TraceFlags};
use crate::hex::{self, Case};
use crate::id::{SpanId, TraceId};
use crate::Error;

/// Length of a version-00 value, the only version written.
pub const MAX_LEN: usize = 55;

/// A parsed `traceparent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    /// The version (`0x00`; higher versions are parsed as 00, `0xff` never).
    pub version: u8,
    /// The trace id.
    pub trace_id: TraceId,
    /// The parent (span) id.
    pub span_id: SpanId,
    /// The flags as received, unknown bits included.
    pub flags: TraceFlags,
}

impl TraceParent {
    /// The context it carries (sampled and random from the flags).
    #[must_use]
    pub fn context<'a>(&self) -> SpanContext<'a> {
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        ctx.sampled = Some(self.flags.sampled());
        ctx.random = self.flags.random();
        ctx
    }
}

/// Parses one `traceparent` value. SP/HTAB around the value are ignored.
///
/// Version 00 must be exactly 55 characters; a higher version (not `ff`) is
/// accepted when it is at least 55 characters and character 56, if any, is `-`.
///
/// ```
/// use traceprop::{w3c::traceparent, Error};
/// let tp = traceparent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03").unwrap();
/// assert!(tp.flags.sampled() && tp.flags.random());
/// let future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like";
/// assert!(traceparent::parse(future).is_ok());
/// assert_eq!(
///     traceparent::parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
///     Err(Error::UnsupportedVersion)
/// );
/// ```
///
/// # Errors
/// [`Error::Empty`], [`Error::InvalidLength`], [`Error::Malformed`] (separators),
/// [`Error::InvalidHex`], [`Error::UnsupportedVersion`] or [`Error::ZeroId`].
#[inline]
pub fn parse(value: &str) -> Result<TraceParent, Error> {
    let b = trim_ows(value).as_bytes();
    if b.is_empty() {
        return Err(Error::Empty);
    }
    if b.len() < 3 || b[2] != b'-' {
        return Err(if b.len() < MAX_LEN {
            Error::InvalidLength
        } else {
            Error::Malformed
        });
    }
    let version = hex::parse_fixed(&b[..2], 2, Case::Lower)? as u8;
    if version == 0xff {
        return Err(Error::UnsupportedVersion);
    }
    if b.len() < MAX_LEN || (version == 0 && b.len() != MAX_LEN) {
        return Err(Error::InvalidLength);
    }
    if b[35] != b'-' || b[52] != b'-' || (b.len() > MAX_LEN && b[MAX_LEN] != b'-') {
        return Err(Error::Malformed);
    }
    let trace_id = TraceId::from_u128(hex::parse_fixed(&b[3..35], 32, Case::Lower)?);
    let span_id = SpanId::from_u64(hex::parse_fixed(&b[36..52], 16, Case::Lower)? as u64);
    let flags = TraceFlags::from_byte(hex::parse_fixed(&b[53..55], 2, Case::Lower)? as u8);
    if !trace_id.is_valid() || !span_id.is_valid() {
        return Err(Error::ZeroId);
    }
    Ok(TraceParent {
        version,
        trace_id,
        span_id,
        flags,
    })
}

/// Writes `00-{trace id}-{span id}-{flags}` into `out`, keeping only the
/// sampled and random flag bits; returns the length (always [`MAX_LEN`]).
///
/// ```
/// use traceprop::{w3c::traceparent, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut buf = [0u8; traceparent::MAX_LEN];
/// let n = traceparent::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"00-00000000000000000000000000000001-0000000000000002-01");
/// assert_eq!(traceparent::encode(&ctx, &mut [0u8; 54]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let out = out.get_mut(..MAX_LEN).ok_or(Error::BufferTooSmall)?;
    out[..3].copy_from_slice(b"00-");
    ctx.trace_id.write_hex(&mut out[3..35])?;
    out[35] = b'-';
    ctx.span_id.write_hex(&mut out[36..52])?;
    out[52] = b'-';
    hex::encode_into(&[ctx.flags().to_byte()], &mut out[53..55]);
    Ok(MAX_LEN)
}

/// Extracts the context from the `traceparent` header(s): two lines make it
/// invalid (W3C test suite `test_traceparent_duplicated`).
///
/// # Errors
/// [`Error::Missing`] when absent, [`Error::Duplicate`], or [`parse`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::Traceparent).ok_or(Error::Missing)?;
    if headers.count(Header::Traceparent) > 1 {
        return Err(Error::Duplicate);
    }
    Ok(parse(value)?.context())
}

/// Writes the `traceparent` header of `p`.
///
/// # Errors
/// As [`encode`].
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = encode(&p.context, &mut buf)?;
    sink.set(Header::Traceparent.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const S: &str = "00f067aa0ba902b7";

    fn tp(version: &str, flags: &str, tail: &str) -> Result<TraceParent, Error> {
        let mut buf = [0u8; 128];
        let mut w = crate::Writer::new(&mut buf);
        for part in [version, "-", T, "-", S, "-", flags, tail] {
            w.push_str(part).unwrap();
        }
        let n = w.len();
        parse(core::str::from_utf8(&buf[..n]).unwrap())
    }

    #[test]
    fn versions() {
        assert!(tp("00", "01", "").is_ok());
        assert_eq!(tp("00", "01", "-x"), Err(Error::InvalidLength));
        assert_eq!(tp("00", "01", "."), Err(Error::InvalidLength));
        assert!(tp("cc", "01", "-x").is_ok());
        assert_eq!(tp("cc", "01", ".x"), Err(Error::Malformed));
        assert_eq!(tp("ff", "01", ""), Err(Error::UnsupportedVersion));
        assert_eq!(tp("0A", "01", ""), Err(Error::InvalidHex));
    }

    #[test]
    fn flags_masked_on_encode() {
        let p = tp("00", "ff", "").unwrap();
        let mut buf = [0u8; MAX_LEN];
        encode(&p.context(), &mut buf).unwrap();
        assert_eq!(&buf[53..], b"03");
    }
}
