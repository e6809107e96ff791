//! The binary `grpc-trace-bin` context: the OpenCensus binary trace-context
//! format (opencensus-specs `encodings/BinaryEncoding.md`), which the W3C binary
//! `traceparent` draft repeats byte for byte.
//!
//! ```text
//! byte 0       version 0
//! byte 1       field id 0 (trace id)       bytes 2..=17   trace id
//! byte 18      field id 1 (span id)        bytes 19..=26  span id
//! byte 27      field id 2 (trace options)  byte 28        options
//! ```
//!
//! Reading ([`parse`]) follows what OpenCensus Go and Java accept:
//!
//! - The version must be 0 ([`Error::UnsupportedVersion`] otherwise: a new
//!   version may change every field's layout).
//! - The trace id field must come first and the span id field second; both
//!   must be complete and non-zero (SEMANTICS §0). OpenCensus Go also accepts a
//!   missing span id, which leaves the all-zero id every format rejects.
//! - The options field is optional: absent, or cut off after its id (28
//!   bytes, as OpenCensus Go accepts), it defaults to 0. Bit 0x01 is sampled;
//!   bit 0x02 is read as the W3C random flag (the W3C binary draft gives this
//!   byte the text `trace-flags` meaning); 0 means not sampled, as in
//!   OpenCensus and W3C (`TraceOptions.DEFAULT`).
//! - Reading stops after the options field, or at the first byte that is not
//!   the next field id: the spec's "the deserialization will simply read the
//!   encoded input until the end of the input or until the first unknown
//!   field_id. An unknown field id should not be considered a parse error". Any
//!   unknown trailing fields or padding are therefore ignored, and not passed
//!   on (the spec makes passing them on optional).
//!
//! Writing ([`encode`]) always produces the full [`MAX_LEN`] = 29 bytes, with
//! the options byte holding only the sampled and random bits.
//!
//! In text carriers (an HTTP/1 header map, the composite `grpc-trace-bin`
//! format) the value is base64, as gRPC carries `-bin` metadata on HTTP/2:
//! [`parse_text`] accepts it padded or not, [`encode_text`] writes it unpadded
//! ([`TEXT_LEN`] = 39 characters), per "implementations MUST accept padded and
//! un-padded values and should emit un-padded values" (gRPC over HTTP/2). A gRPC
//! library that base64-encodes `-bin` metadata itself needs the raw bytes of
//! [`encode`] instead, or the value would be encoded twice.

use crate::base64::{self, Padding};
use crate::carrier::{Header, Headers, Sink};
use crate::context::{Propagation, SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::{Error, Writer};

/// Length of the binary value written (and of the known fields read).
pub const MAX_LEN: usize = 29;
/// Length of the unpadded base64 text of a [`MAX_LEN`]-byte value.
pub const TEXT_LEN: usize = base64::encoded_len(MAX_LEN, Padding::Unpadded);

const VERSION: u8 = 0;
const TRACE_ID_FIELD: u8 = 0;
const SPAN_ID_FIELD: u8 = 1;
const OPTIONS_FIELD: u8 = 2;

/// A parsed binary context.
///
/// ```
/// use traceprop::grpc_trace_bin;
/// let mut bytes = [0u8; 29];
/// bytes[2] = 1; // a non-zero trace id (bytes 0 and 1: version 0, field id 0)
/// bytes[18] = 1; // the span id field
/// bytes[19] = 7;
/// bytes[27] = 2; // the options field: sampled
/// bytes[28] = 1;
/// let parsed = grpc_trace_bin::parse(&bytes).unwrap();
/// assert_eq!(parsed.options, 1);
/// assert!(parsed.context().is_sampled());
/// bytes[19] = 0; // all-zero span id
/// assert!(grpc_trace_bin::parse(&bytes).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrpcTraceBin {
    /// The trace id.
    pub trace_id: TraceId,
    /// The span id of the caller.
    pub span_id: SpanId,
    /// The trace options byte as received (0 when absent), unknown bits included.
    pub options: u8,
}

impl GrpcTraceBin {
    /// The context it carries: sampled from bit 0x01 (never deferred), random
    /// from bit 0x02.
    ///
    /// ```
    /// use traceprop::{grpc_trace_bin::GrpcTraceBin, SpanId, TraceId};
    /// let b = GrpcTraceBin { trace_id: TraceId::from_u64(1), span_id: SpanId::from_u64(2), options: 0 };
    /// assert_eq!(b.context().sampled, Some(false));
    /// assert!(!GrpcTraceBin { trace_id: TraceId::INVALID, ..b }.context().is_valid());
    /// ```
    #[must_use]
    pub fn context<'a>(&self) -> SpanContext<'a> {
        let flags = TraceFlags::from_byte(self.options);
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        ctx.sampled = Some(flags.sampled());
        ctx.random = flags.random();
        ctx
    }
}

/// Parses a binary value (see the [module docs](self) for what is accepted).
///
/// ```
/// use traceprop::{grpc_trace_bin, Error};
/// // The example of the OpenCensus spec.
/// let bytes = [
///     0, 0, 75, 249, 47, 53, 119, 179, 77, 166, 163, 206, 146, 157, 0, 14, 71, 54,
///     1, 52, 240, 103, 170, 11, 169, 2, 183, 2, 1,
/// ];
/// let ctx = grpc_trace_bin::parse(&bytes).unwrap().context();
/// assert_eq!(ctx.trace_id.to_hex().as_str(), "4bf92f3577b34da6a3ce929d000e4736");
/// assert_eq!(ctx.span_id.to_hex().as_str(), "34f067aa0ba902b7");
/// assert_eq!(ctx.sampled, Some(true));
/// // The 27 bytes without options are accepted too; version 1 is not.
/// assert_eq!(grpc_trace_bin::parse(&bytes[..27]).unwrap().options, 0);
/// let mut v1 = bytes;
/// v1[0] = 1;
/// assert_eq!(grpc_trace_bin::parse(&v1), Err(Error::UnsupportedVersion));
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::UnsupportedVersion`] (version not 0);
/// [`Error::Malformed`] (the trace id or span id field is not where it must be);
/// [`Error::InvalidLength`] (the input ends inside or before them);
/// [`Error::ZeroId`].
pub fn parse(bytes: &[u8]) -> Result<GrpcTraceBin, Error> {
    let (&version, rest) = bytes.split_first().ok_or(Error::Empty)?;
    if version != VERSION {
        return Err(Error::UnsupportedVersion);
    }
    let (trace, rest) = field::<16>(rest, TRACE_ID_FIELD)?;
    let (span, rest) = field::<8>(rest, SPAN_ID_FIELD)?;
    let options = match rest {
        [OPTIONS_FIELD, value, ..] => *value,
        _ => 0,
    };
    let parsed = GrpcTraceBin {
        trace_id: TraceId::from_bytes(trace),
        span_id: SpanId::from_bytes(span),
        options,
    };
    if !parsed.trace_id.is_valid() || !parsed.span_id.is_valid() {
        return Err(Error::ZeroId);
    }
    Ok(parsed)
}

/// Reads the required field `id` of `N` bytes at the start of `input`.
fn field<const N: usize>(input: &[u8], id: u8) -> Result<([u8; N], &[u8]), Error> {
    let (&found, rest) = input.split_first().ok_or(Error::InvalidLength)?;
    if found != id {
        return Err(Error::Malformed);
    }
    let value = rest.get(..N).ok_or(Error::InvalidLength)?;
    let mut out = [0u8; N];
    out.copy_from_slice(value);
    Ok((out, rest.get(N..).unwrap_or_default()))
}

/// Writes the 29-byte binary value of `ctx`; returns [`MAX_LEN`]. The options
/// byte carries the sampled (0x01) and random (0x02) bits.
///
/// ```
/// use traceprop::{grpc_trace_bin, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut buf = [0u8; grpc_trace_bin::MAX_LEN];
/// assert_eq!(grpc_trace_bin::encode(&ctx, &mut buf), Ok(29));
/// assert_eq!((buf[0], buf[1], buf[17], buf[18], buf[26], buf[27], buf[28]), (0, 0, 1, 1, 2, 2, 1));
/// assert_eq!(grpc_trace_bin::encode(&ctx, &mut [0u8; 28]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let out = out.get_mut(..MAX_LEN).ok_or(Error::BufferTooSmall)?;
    let mut w = Writer::new(out);
    w.push(&[VERSION, TRACE_ID_FIELD])?;
    w.push(&ctx.trace_id.to_bytes())?;
    w.push_byte(SPAN_ID_FIELD)?;
    w.push(&ctx.span_id.to_bytes())?;
    w.push(&[OPTIONS_FIELD, ctx.flags().to_byte()])?;
    Ok(w.len())
}

/// Parses the base64 text form (padded or not) of a binary value. Only the
/// first [`MAX_LEN`] decoded bytes can matter; the rest is checked to be
/// base64 and otherwise ignored, like any unknown trailing field.
///
/// ```
/// use traceprop::{grpc_trace_bin, Error};
/// let text = "AABL+S81d7NNpqPOkp0ADkc2ATTwZ6oLqQK3AgE";
/// let parsed = grpc_trace_bin::parse_text(text).unwrap();
/// assert_eq!(parsed.span_id.to_hex().as_str(), "34f067aa0ba902b7");
/// assert_eq!(grpc_trace_bin::parse_text("AABL+S81d7NNpqPOkp0ADkc2ATTwZ6oLqQK3AgE="), Ok(parsed));
/// assert_eq!(grpc_trace_bin::parse_text("AABL-S81"), Err(Error::InvalidBase64));
/// ```
///
/// # Errors
/// [`Error::InvalidBase64`], or [`parse`]'s error.
pub fn parse_text(value: &str) -> Result<GrpcTraceBin, Error> {
    let mut buf = [0u8; MAX_LEN];
    let mut slots = buf.iter_mut();
    let n = base64::decode_each(value.as_bytes(), |b| {
        if let Some(slot) = slots.next() {
            *slot = b;
        }
    })?;
    parse(buf.get(..n.min(MAX_LEN)).unwrap_or_default())
}

/// Writes the unpadded base64 text of [`encode`]'s value; returns [`TEXT_LEN`].
///
/// ```
/// use traceprop::{grpc_trace_bin, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(
///     TraceId::from_hex("4bf92f3577b34da6a3ce929d000e4736").unwrap(),
///     SpanId::from_hex("34f067aa0ba902b7").unwrap(),
/// ).with_sampled(Some(true));
/// let mut buf = [0u8; grpc_trace_bin::TEXT_LEN];
/// let n = grpc_trace_bin::encode_text(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"AABL+S81d7NNpqPOkp0ADkc2ATTwZ6oLqQK3AgE");
/// assert_eq!(grpc_trace_bin::encode_text(&ctx, &mut [0u8; 38]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode_text(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    let mut bin = [0u8; MAX_LEN];
    let n = encode(ctx, &mut bin)?;
    let mut w = Writer::new(out);
    base64::encode(bin.get(..n).unwrap_or_default(), Padding::Unpadded, &mut w)?;
    Ok(w.len())
}

/// Extracts the context from the first `grpc-trace-bin` line (base64 text).
///
/// ```
/// use traceprop::{grpc_trace_bin, Error, Headers};
/// let h = Headers::collect(&[("grpc-trace-bin", "AABL+S81d7NNpqPOkp0ADkc2ATTwZ6oLqQK3AgE")]);
/// assert_eq!(grpc_trace_bin::extract(&h).unwrap().sampled, Some(true));
/// assert_eq!(grpc_trace_bin::extract(&Headers::collect(&[("b3", "1")])), Err(Error::Missing));
/// ```
///
/// # Errors
/// [`Error::Missing`] when absent, else [`parse_text`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::GrpcTraceBin).ok_or(Error::Missing)?;
    Ok(parse_text(value)?.context())
}

/// Writes the `grpc-trace-bin` header of `p` as unpadded base64 text.
///
/// ```
/// use traceprop::{grpc_trace_bin, Error, Propagation, SpanContext, SpanId, TraceId};
/// let p = Propagation::new(SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)));
/// let mut out = Vec::new();
/// grpc_trace_bin::inject(&p, &mut |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()))).unwrap();
/// assert_eq!(out, [("grpc-trace-bin".to_owned(), "AAAAAAAAAAAAAAAAAAAAAAABAQAAAAAAAAACAgA".to_owned())]);
/// let invalid = Propagation::new(SpanContext::default());
/// assert_eq!(grpc_trace_bin::inject(&invalid, &mut |_: &str, _: &str| {}), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; TEXT_LEN];
    let n = encode_text(&p.context, &mut buf)?;
    sink.set(Header::GrpcTraceBin.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: [u8; 29] = [
        0, 0, 75, 249, 47, 53, 119, 179, 77, 166, 163, 206, 146, 157, 0, 14, 71, 54, 1, 52, 240,
        103, 170, 11, 169, 2, 183, 2, 1,
    ];

    #[test]
    fn spec_example() {
        let p = parse(&SPEC).unwrap();
        assert_eq!(
            p.trace_id.to_hex().as_str(),
            "4bf92f3577b34da6a3ce929d000e4736"
        );
        assert_eq!(p.span_id.to_hex().as_str(), "34f067aa0ba902b7");
        assert_eq!(p.options, 1);
        let mut out = [0u8; MAX_LEN];
        assert_eq!(encode(&p.context(), &mut out), Ok(MAX_LEN));
        assert_eq!(out, SPEC);
    }

    #[test]
    fn truncations() {
        assert_eq!(parse(&[]), Err(Error::Empty));
        assert_eq!(parse(&SPEC[..1]), Err(Error::InvalidLength));
        assert_eq!(parse(&SPEC[..17]), Err(Error::InvalidLength));
        assert_eq!(parse(&SPEC[..18]), Err(Error::InvalidLength));
        assert_eq!(parse(&SPEC[..26]), Err(Error::InvalidLength));
        let no_options = parse(&SPEC[..27]).unwrap();
        assert_eq!(no_options.options, 0);
        assert_eq!(no_options.context().sampled, Some(false));
        assert_eq!(parse(&SPEC[..28]).unwrap().options, 0);
    }

    #[test]
    fn field_order_and_unknown_tail() {
        let mut b = SPEC;
        b[1] = 1;
        assert_eq!(parse(&b), Err(Error::Malformed));
        let mut b = SPEC;
        b[18] = 2;
        assert_eq!(parse(&b), Err(Error::Malformed));
        // An unknown field id where the options would be ends reading.
        let mut b = SPEC;
        b[27] = 3;
        assert_eq!(parse(&b).unwrap().options, 0);
        let mut long = [0xffu8; 40];
        long[..29].copy_from_slice(&SPEC);
        assert_eq!(parse(&long), parse(&SPEC));
    }

    #[test]
    fn every_single_byte_mutation_is_handled() {
        // Parsing never panics, and whatever is accepted re-encodes to bytes
        // that parse to the same context.
        let mut out = [0u8; MAX_LEN];
        for i in 0..SPEC.len() {
            for b in 0..=255u8 {
                let mut m = SPEC;
                m[i] = b;
                for len in [i + 1, SPEC.len()] {
                    if let Ok(p) = parse(&m[..len]) {
                        let ctx = p.context();
                        encode(&ctx, &mut out).unwrap();
                        assert_eq!(parse(&out).unwrap().context(), ctx);
                    }
                }
            }
        }
    }

    #[test]
    fn flags_are_masked_on_encode() {
        let mut b = SPEC;
        b[28] = 0xff;
        let p = parse(&b).unwrap();
        assert_eq!(p.options, 0xff);
        let ctx = p.context();
        assert!(ctx.random && ctx.is_sampled());
        let mut out = [0u8; MAX_LEN];
        encode(&ctx, &mut out).unwrap();
        assert_eq!(out[28], 0x03);
    }

    #[test]
    fn text_round_trip_and_tail() {
        let mut buf = [0u8; TEXT_LEN];
        let ctx = parse(&SPEC).unwrap().context();
        let n = encode_text(&ctx, &mut buf).unwrap();
        assert_eq!(n, 39);
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(parse_text(text).unwrap().context(), ctx);
        // 30 bytes: an unknown trailing field id.
        let mut w = [0u8; 40];
        let mut long = [0u8; 30];
        long[..29].copy_from_slice(&SPEC);
        long[29] = 9;
        let mut writer = Writer::new(&mut w);
        base64::encode(&long, Padding::Padded, &mut writer).unwrap();
        let m = writer.len();
        let text = core::str::from_utf8(&w[..m]).unwrap();
        assert_eq!(parse_text(text).unwrap().context(), ctx);
        assert_eq!(parse_text(""), Err(Error::Empty));
    }
}
