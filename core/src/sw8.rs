//! Apache SkyWalking cross-process propagation headers v3: `sw8` and
//! `sw8-correlation` (SkyWalking `docs/en/api/x-process-propagation-headers-v3.md`
//! and `x-process-correlation-headers-v1.md`).
//!
//! # `sw8`
//!
//! Eight fields joined by `-`:
//! `{sample}-{trace id}-{parent segment id}-{parent span id}-{parent service}-{parent instance}-{parent endpoint}-{target address}`.
//! The sample flag is `1` or `0`; the parent span id is a decimal index of the
//! span inside its segment (0 to 2^31-1, a Java `int`); the six other fields
//! are standard base64 of text. [`parse`] requires exactly 8 fields, a sample
//! flag of `0`/`1`, valid base64 everywhere (padded or not, see below) and a
//! non-empty trace id and segment id; the four descriptive fields may be empty
//! (SkyWalking's Java agent would ignore such a header; this crate never writes
//! one). `sw8-x` (the extension header) is not read.
//!
//! # Mapping to 128-bit trace ids and 64-bit span ids
//!
//! SkyWalking ids are opaque strings (a Java agent writes
//! `{instance uuid}.{thread}.{timestamp × 10000 + seq}`), so no mapping to
//! W3C ids can be lossless for them. This crate maps them in a way that is
//! lossless for ids an OpenTelemetry side wrote, and deterministic (one-way)
//! for the others, so the same SkyWalking trace always gets the same W3C trace
//! id, on every hop, in every binding:
//!
//! | sw8 field (decoded) | W3C id | lossless? |
//! |---|---|---|
//! | trace id = exactly 32 lowercase hex digits | those digits | yes |
//! | any other trace id | FNV-1a 128 of its bytes ([`trace_id_of`]) | no, one-way |
//! | segment id = exactly 16 lowercase hex digits, span index `0` | those digits | yes |
//! | any other segment id / index | FNV-1a 64 of `{segment id}.{span index}` ([`span_id_of`]) | no, one-way |
//!
//! An all-zero result (the hex forms `000…0`) is rejected like every all-zero
//! id. The sample flag `1` is sampled, `0` ("the context exists, may be
//! ignored") not sampled; sw8 has no deferred state, so a context with no
//! decision writes `0`. The W3C random flag is never set from sw8.
//!
//! [`encode`] writes a context the reverse way: the trace id as its 32 hex
//! digits, the span id as its 16 hex digits in the segment id, span index `0`,
//! and [`PLACEHOLDER`] for the parent service, instance, endpoint and target
//! address (SkyWalking agents require them non-empty). So an id that went
//! W3C → sw8 → W3C comes back unchanged, and a SkyWalking backend shows the
//! W3C trace id as its trace id, so both backends can be searched with one id.
//!
//! A gateway that passes a SkyWalking context on to SkyWalking keeps the
//! received fields: [`Sw8::encode`] re-emits them, and [`Sw8::encode_next`]
//! keeps the received trace id field (and every field, when the span did not
//! change) while the context still maps to it. The composite propagator cannot
//! yet: [`SpanContext`] has no field for the received value, so [`inject`]
//! writes the form above, and a hashed SkyWalking trace id comes back to
//! SkyWalking as a new trace id string (`docs/skywalking.md`, "What is
//! lossless").
//!
//! # Base64
//!
//! Fields are written padded, as every SkyWalking agent writes them (and as
//! the Go and Python agents require); they are read padded or unpadded (the
//! Java agent accepts both), never URL-safe or with white space.
//!
//! # `sw8-correlation`
//!
//! `base64(key):base64(value)` pairs joined by `,`. [`correlation`] iterates
//! them; [`encode_correlation`] writes the baggage that way (properties are
//! dropped: the format has none). The spec's recommended limits (fewer than 3
//! keys, values under 128 bytes) are applied by receiving agents, not here.
//! Extraction into the composite's baggage is not wired: a decoded key or value
//! is not a slice of the header, and the borrowed baggage list can only hold
//! such slices.

use crate::base64::{self, Padding};
use crate::buffer::SHORT_MEMBER;
use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::hex::{self, Case};
use crate::id::{SpanId, TraceId};
use crate::w3c::baggage::{Baggage, Member, MAX_BYTES};
use crate::{Error, Writer};

/// What [`encode`] writes for the parent service, instance, endpoint and target
/// address, which a W3C context does not know (the value the OpenTelemetry Go
/// SkyWalking propagator draft writes too).
pub const PLACEHOLDER: &str = "unknown";

/// Length of the `sw8` value [`encode`] writes.
pub const MAX_LEN: usize = 2
    + base64::encoded_len(32, Padding::Padded)
    + 1
    + base64::encoded_len(16, Padding::Padded)
    + 2
    + 4 * (1 + base64::encoded_len(PLACEHOLDER.len(), Padding::Padded));

/// The longest `sw8-correlation` value [`encode_correlation`] writes for a
/// baggage list within its limits.
pub const CORRELATION_MAX_LEN: usize = 12 * 1024;

/// The largest parent span id (a Java `int`).
const MAX_SPAN_INDEX: u32 = i32::MAX as u32;

/// One base64 field, as received (checked to be valid base64).
///
/// ```
/// use traceprop::{sw8::Field, Error};
/// let f = Field::new("c2VydmljZQ==").unwrap();
/// let mut buf = [0u8; 16];
/// assert_eq!(f.decode_into(&mut buf), Ok(&b"service"[..]));
/// assert_eq!(Field::new("c2Vy dmljZQ"), Err(Error::InvalidBase64));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Field<'a>(&'a str);

impl<'a> Field<'a> {
    /// Checks `raw` is standard base64, padded or not.
    ///
    /// ```
    /// use traceprop::{sw8::Field, Error};
    /// assert!(Field::new("c2VydmljZQ").is_ok());
    /// assert_eq!(Field::new("c2VydmljZQ="), Err(Error::InvalidBase64));
    /// assert_eq!(Field::new("c2VydmljZQ_"), Err(Error::InvalidBase64));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidBase64`].
    pub fn new(raw: &'a str) -> Result<Self, Error> {
        base64::validate(raw.as_bytes())?;
        Ok(Field(raw))
    }

    /// The base64 text as received.
    ///
    /// ```
    /// let v = traceprop::sw8::parse("1-dHJhY2U-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(v.trace_id.raw(), "dHJhY2U");
    /// ```
    #[must_use]
    pub fn raw(&self) -> &'a str {
        self.0
    }

    /// Whether the field is empty (the descriptive fields may be).
    ///
    /// ```
    /// let v = traceprop::sw8::parse("1-dHJhY2U=-c2Vn-3--Yg==-Yw==-ZA==").unwrap();
    /// assert!(v.parent_service.is_empty());
    /// assert!(!v.parent_instance.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of decoded bytes.
    ///
    /// ```
    /// use traceprop::sw8::Field;
    /// assert_eq!(Field::new("c2VydmljZQ").unwrap().decoded_len(), 7);
    /// assert_eq!(Field::default().decoded_len(), 0);
    /// ```
    #[must_use]
    pub fn decoded_len(&self) -> usize {
        base64::decoded_len(self.0.as_bytes()).unwrap_or_default()
    }

    /// Decodes into `out` (which needs [`Field::decoded_len`] bytes); SkyWalking
    /// sends UTF-8 text, but the bytes are returned as they are.
    ///
    /// ```
    /// use traceprop::{sw8::Field, Error};
    /// let f = Field::new("c2VydmljZQ==").unwrap();
    /// assert_eq!(f.decode_into(&mut [0u8; 6]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn decode_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b [u8], Error> {
        let n = base64::decode(self.0.as_bytes(), out)?;
        Ok(out.get(..n).unwrap_or_default())
    }

    /// Calls `f` with each decoded byte.
    fn for_each(&self, f: impl FnMut(u8)) {
        // Checked by `new`, so decoding cannot fail.
        let _ = base64::decode_each(self.0.as_bytes(), f);
    }
}

/// A parsed `sw8` value: every field borrowed as received.
///
/// ```
/// use traceprop::sw8;
/// let v = "1-NGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3MzY=-MDBmMDY3YWEwYmE5MDJiNw==-0-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==";
/// let parsed = sw8::parse(v).unwrap();
/// assert!(parsed.sampled);
/// assert_eq!(parsed.span_index, 0);
/// assert_eq!(parsed.parent_service.raw(), "dW5rbm93bg==");
/// assert!(sw8::parse("1-dA==-cw==-0-YQ==").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sw8<'a> {
    /// The sample flag: `1` is `true`, `0` is `false`.
    pub sampled: bool,
    /// The trace id (never empty when parsed).
    pub trace_id: Field<'a>,
    /// The parent trace segment id (never empty when parsed).
    pub segment_id: Field<'a>,
    /// The parent span id: the index of the span in its segment, at most 2^31-1.
    pub span_index: u32,
    /// The parent service.
    pub parent_service: Field<'a>,
    /// The parent service instance.
    pub parent_instance: Field<'a>,
    /// The parent endpoint (the operation of the parent segment's first entry span).
    pub parent_endpoint: Field<'a>,
    /// The address the client used to reach this service.
    pub target_address: Field<'a>,
}

impl<'a> Sw8<'a> {
    /// The W3C trace id the SkyWalking trace id maps to (see the
    /// [module docs](self)).
    ///
    /// ```
    /// use traceprop::{sw8, Error};
    /// let v = sw8::parse("1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(v.to_trace_id().unwrap(), sw8::trace_id_of(b"trace").unwrap());
    /// let zero = sw8::parse("1-MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(zero.to_trace_id(), Err(Error::ZeroId));
    /// ```
    ///
    /// # Errors
    /// [`Error::ZeroId`]; [`Error::Empty`] for an empty trace id field.
    pub fn to_trace_id(&self) -> Result<TraceId, Error> {
        let mut m = Mapper::new();
        self.trace_id.for_each(|b| m.write(b));
        m.trace_id()
    }

    /// The W3C span id the parent segment id and span index map to (see the
    /// [module docs](self)).
    ///
    /// ```
    /// use traceprop::{sw8, Error};
    /// let v = sw8::parse("1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(v.to_span_id().unwrap(), sw8::span_id_of(b"seg", 3).unwrap());
    /// let zero = sw8::parse("1-dHJhY2U=-MDAwMDAwMDAwMDAwMDAwMA==-0-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(zero.to_span_id(), Err(Error::ZeroId));
    /// ```
    ///
    /// # Errors
    /// [`Error::ZeroId`]; [`Error::Empty`] for an empty segment id field.
    pub fn to_span_id(&self) -> Result<SpanId, Error> {
        let mut m = Mapper::new();
        self.segment_id.for_each(|b| m.write(b));
        m.span_id(self.span_index)
    }

    /// The span context: mapped ids and the sample flag.
    ///
    /// ```
    /// use traceprop::sw8;
    /// let v = sw8::parse("0-NGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3MzY=-MDBmMDY3YWEwYmE5MDJiNw==-0-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// let ctx = v.context().unwrap();
    /// assert_eq!(ctx.trace_id.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert_eq!(ctx.span_id.to_hex().as_str(), "00f067aa0ba902b7");
    /// assert_eq!(ctx.sampled, Some(false));
    /// let zero = sw8::parse("1-MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert!(zero.context().is_err());
    /// ```
    ///
    /// # Errors
    /// As [`Sw8::to_trace_id`] and [`Sw8::to_span_id`].
    pub fn context(&self) -> Result<SpanContext<'a>, Error> {
        let ctx = SpanContext::new(self.to_trace_id()?, self.to_span_id()?);
        Ok(ctx.with_sampled(Some(self.sampled)))
    }

    /// The length of [`Sw8::encode`]'s output.
    ///
    /// ```
    /// let v = traceprop::sw8::parse("1-dHJhY2U=-c2Vn-003-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// assert_eq!(v.encoded_len(), "1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==".len());
    /// ```
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        let fields = [
            self.trace_id,
            self.segment_id,
            self.parent_service,
            self.parent_instance,
            self.parent_endpoint,
            self.target_address,
        ];
        let text: usize = fields.iter().map(|f| f.raw().len()).sum();
        let (_, digits) = hex::format_decimal(u64::from(self.span_index));
        1 + 7 + text + digits
    }

    /// Writes the value with every field as received (the span index in plain
    /// decimal); returns the length, [`Sw8::encoded_len`].
    ///
    /// ```
    /// use traceprop::{sw8, Error};
    /// let v = sw8::parse("1-dHJhY2U=-c2Vn-003-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// let mut buf = [0u8; 64];
    /// let n = v.encode(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], b"1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==");
    /// assert_eq!(v.encode(&mut [0u8; 10]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::OutOfRange`] when `span_index` was set
    /// above 2^31-1.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        self.encode_as(self.sampled, out)
    }

    fn encode_as(&self, sampled: bool, out: &mut [u8]) -> Result<usize, Error> {
        if self.span_index > MAX_SPAN_INDEX {
            return Err(Error::OutOfRange);
        }
        let mut w = Writer::new(out);
        w.push_str(sample_flag(sampled))?;
        for f in [self.trace_id, self.segment_id] {
            w.push_byte(b'-')?;
            w.push_str(f.raw())?;
        }
        w.push_byte(b'-')?;
        let (digits, n) = hex::format_decimal(u64::from(self.span_index));
        w.push(digits.get(..n).unwrap_or_default())?;
        for f in [
            self.parent_service,
            self.parent_instance,
            self.parent_endpoint,
            self.target_address,
        ] {
            w.push_byte(b'-')?;
            w.push_str(f.raw())?;
        }
        Ok(w.len())
    }

    /// Writes the `sw8` value for the next hop of `ctx`, this value having been
    /// received: when `ctx` is still this value's context (same mapped trace id
    /// and span id), every field is re-emitted as received with the sample flag
    /// of `ctx`; when only the trace id is the same (a new span), the received
    /// trace id field is kept, so SkyWalking sees one trace, and the rest is
    /// written as [`encode`] does; otherwise this is [`encode`]. Needs at most
    /// `self.encoded_len() + MAX_LEN` bytes.
    ///
    /// ```
    /// use traceprop::{sw8, Error, SpanId};
    /// let received = sw8::parse("1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==").unwrap();
    /// let mut child = received.context().unwrap();
    /// child.span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    /// let mut buf = [0u8; 256];
    /// let n = received.encode_next(&child, &mut buf).unwrap();
    /// assert_eq!(
    ///     &buf[..n],
    ///     &b"1-dHJhY2U=-MDBmMDY3YWEwYmE5MDJiNw==-0-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg=="[..]
    /// );
    /// assert_eq!(received.encode_next(&child, &mut [0u8; 8]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
    pub fn encode_next(&self, ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
        if !ctx.is_valid() {
            return Err(Error::ZeroId);
        }
        if self.to_trace_id() != Ok(ctx.trace_id) {
            return encode(ctx, out);
        }
        if self.to_span_id() == Ok(ctx.span_id) {
            return self.encode_as(ctx.is_sampled(), out);
        }
        let mut w = Writer::new(out);
        w.push_str(sample_flag(ctx.is_sampled()))?;
        w.push_byte(b'-')?;
        w.push_str(self.trace_id.raw())?;
        w.push_byte(b'-')?;
        write_from_span(ctx.span_id, &mut w)?;
        Ok(w.len())
    }
}

fn sample_flag(sampled: bool) -> &'static str {
    if sampled {
        "1"
    } else {
        "0"
    }
}

/// Parses an `sw8` value (SP/HTAB around it ignored).
///
/// ```
/// use traceprop::{sw8, Error};
/// let real = "1-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDk=-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDg=-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwaQ==-MTI3LjAuMC4xOjgwODA=";
/// let v = sw8::parse(real).unwrap();
/// let mut buf = [0u8; 64];
/// assert_eq!(v.trace_id.decode_into(&mut buf), Ok(&b"a4ec6fc8ccab4bb4b682064698cc97e6.74.16218381104550009"[..]));
/// assert_eq!(sw8::parse("2-dA==-cw==-0-YQ==-Yg==-Yw==-ZA=="), Err(Error::InvalidSampling));
/// assert_eq!(sw8::parse("1-dA==-cw==-0-YQ==-Yg==-Yw=="), Err(Error::Malformed));
/// assert_eq!(sw8::parse("1-d!==-cw==-0-YQ==-Yg==-Yw==-ZA=="), Err(Error::InvalidBase64));
/// ```
///
/// # Errors
/// [`Error::Empty`] (an empty value, trace id or segment id);
/// [`Error::Malformed`] (not 8 fields); [`Error::InvalidSampling`] (flag not
/// `0`/`1`); [`Error::InvalidBase64`]; [`Error::InvalidDecimal`] or
/// [`Error::OutOfRange`] (span index).
pub fn parse(value: &str) -> Result<Sw8<'_>, Error> {
    let value = trim_ows(value);
    if value.is_empty() {
        return Err(Error::Empty);
    }
    let mut parts = value.split('-');
    let mut next = || parts.next().ok_or(Error::Malformed);
    let fields = [
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
    ];
    if parts.next().is_some() {
        return Err(Error::Malformed);
    }
    let [sample, trace, segment, index, service, instance, endpoint, address] = fields;
    let sampled = match sample {
        "1" => true,
        "0" => false,
        _ => return Err(Error::InvalidSampling),
    };
    let parsed = Sw8 {
        sampled,
        trace_id: Field::new(trace)?,
        segment_id: Field::new(segment)?,
        span_index: parse_span_index(index)?,
        parent_service: Field::new(service)?,
        parent_instance: Field::new(instance)?,
        parent_endpoint: Field::new(endpoint)?,
        target_address: Field::new(address)?,
    };
    if parsed.trace_id.is_empty() || parsed.segment_id.is_empty() {
        return Err(Error::Empty);
    }
    Ok(parsed)
}

/// A decimal `int` >= 0 (ASCII digits only, no sign).
fn parse_span_index(s: &str) -> Result<u32, Error> {
    let v = hex::parse_decimal(s.as_bytes())?;
    u32::try_from(v)
        .ok()
        .filter(|&v| v <= MAX_SPAN_INDEX)
        .ok_or(Error::OutOfRange)
}

/// Writes the `sw8` value of `ctx` (see the [module docs](self)); returns the
/// length, always [`MAX_LEN`].
///
/// ```
/// use traceprop::{sw8, Error, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(
///     TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
///     SpanId::from_hex("00f067aa0ba902b7").unwrap(),
/// ).with_sampled(Some(true));
/// let mut buf = [0u8; sw8::MAX_LEN];
/// let n = sw8::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(
///     &buf[..n],
///     &b"1-NGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3MzY=-MDBmMDY3YWEwYmE5MDJiNw==-0-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg=="[..]
/// );
/// assert_eq!(sw8::encode(&ctx, &mut [0u8; 100]), Err(Error::BufferTooSmall));
/// assert_eq!(sw8::encode(&SpanContext::default(), &mut buf), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`]; [`Error::ZeroId`] for an invalid context.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !ctx.is_valid() {
        return Err(Error::ZeroId);
    }
    let mut w = Writer::new(out);
    w.push_str(sample_flag(ctx.is_sampled()))?;
    w.push_byte(b'-')?;
    base64::encode(ctx.trace_id.to_hex().as_bytes(), Padding::Padded, &mut w)?;
    w.push_byte(b'-')?;
    write_from_span(ctx.span_id, &mut w)?;
    Ok(w.len())
}

/// Writes `{segment from span}-0-{placeholders}`.
fn write_from_span(span_id: SpanId, w: &mut Writer<'_>) -> Result<(), Error> {
    base64::encode(span_id.to_hex().as_bytes(), Padding::Padded, w)?;
    w.push_str("-0")?;
    for _ in 0..4 {
        w.push_byte(b'-')?;
        base64::encode(PLACEHOLDER.as_bytes(), Padding::Padded, w)?;
    }
    Ok(())
}

/// The W3C trace id of a decoded SkyWalking trace id: its value when it is
/// exactly 32 lowercase hex digits (lossless), else the FNV-1a 128-bit hash of
/// its bytes (one-way). Tools can use it to find a SkyWalking trace in an
/// OpenTelemetry backend.
///
/// ```
/// use traceprop::{sw8, Error};
/// let w3c = sw8::trace_id_of(b"4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
/// assert_eq!(w3c.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// let hashed = sw8::trace_id_of(b"a").unwrap();
/// assert_eq!(hashed.to_hex().as_str(), "d228cb696f1a8caf78912b704e4a8964");
/// assert_eq!(sw8::trace_id_of(b""), Err(Error::Empty));
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::ZeroId`] for 32 zero digits.
pub fn trace_id_of(skywalking_trace_id: &[u8]) -> Result<TraceId, Error> {
    let mut m = Mapper::new();
    skywalking_trace_id.iter().for_each(|&b| m.write(b));
    m.trace_id()
}

/// The W3C span id of a decoded SkyWalking parent segment id and span index:
/// the segment id's value when it is exactly 16 lowercase hex digits and the
/// index is 0 (lossless), else the FNV-1a 64-bit hash of
/// `{segment id}.{span index}` (one-way).
///
/// ```
/// use traceprop::{sw8, Error};
/// let s = sw8::span_id_of(b"00f067aa0ba902b7", 0).unwrap();
/// assert_eq!(s.to_hex().as_str(), "00f067aa0ba902b7");
/// // Another index is another span: hashed, like any other segment id.
/// assert_ne!(sw8::span_id_of(b"00f067aa0ba902b7", 1), Ok(s));
/// assert_eq!(sw8::span_id_of(b"seg", 1).unwrap().to_hex().as_str(), "6c3db4302514deab");
/// assert_eq!(sw8::span_id_of(b"0000000000000000", 0), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::Empty`]; [`Error::ZeroId`] for 16 zero digits with index 0.
pub fn span_id_of(segment_id: &[u8], span_index: u32) -> Result<SpanId, Error> {
    let mut m = Mapper::new();
    segment_id.iter().for_each(|&b| m.write(b));
    m.span_id(span_index)
}

/// Maps a decoded id, fed byte by byte, to a W3C id.
struct Mapper {
    head: [u8; 32],
    len: usize,
    fnv128: u128,
    fnv64: u64,
}

const FNV128_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV128_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Mapper {
    const fn new() -> Self {
        Mapper {
            head: [0; 32],
            len: 0,
            fnv128: FNV128_OFFSET,
            fnv64: FNV64_OFFSET,
        }
    }

    fn write(&mut self, b: u8) {
        if let Some(slot) = self.head.get_mut(self.len) {
            *slot = b;
        }
        self.len = self.len.saturating_add(1);
        self.fnv128 = (self.fnv128 ^ u128::from(b)).wrapping_mul(FNV128_PRIME);
        self.fnv64 = (self.fnv64 ^ u64::from(b)).wrapping_mul(FNV64_PRIME);
    }

    /// The id's bytes when it is exactly `width` lowercase hex digits.
    fn hex(&self, width: usize) -> Option<u128> {
        let digits = self.head.get(..width).filter(|_| self.len == width)?;
        hex::parse_fixed(digits, width, Case::Lower).ok()
    }

    fn trace_id(&self) -> Result<TraceId, Error> {
        if self.len == 0 {
            return Err(Error::Empty);
        }
        let id = TraceId::from_u128(self.hex(32).unwrap_or(self.fnv128));
        if id.is_valid() {
            Ok(id)
        } else {
            Err(Error::ZeroId)
        }
    }

    fn span_id(mut self, span_index: u32) -> Result<SpanId, Error> {
        if self.len == 0 {
            return Err(Error::Empty);
        }
        let id = match self.hex(16).filter(|_| span_index == 0) {
            Some(v) => v as u64,
            None => {
                self.write(b'.');
                let (digits, n) = hex::format_decimal(u64::from(span_index));
                digits.iter().take(n).for_each(|&d| self.write(d));
                self.fnv64
            }
        };
        let id = SpanId::from_u64(id);
        if id.is_valid() {
            Ok(id)
        } else {
            Err(Error::ZeroId)
        }
    }
}

/// Extracts the context from the first `sw8` line.
///
/// ```
/// use traceprop::{sw8, Error, Headers};
/// let h = Headers::collect(&[("sw8", "1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==")]);
/// assert_eq!(sw8::extract(&h).unwrap().sampled, Some(true));
/// assert_eq!(sw8::extract(&Headers::collect(&[("b3", "1")])), Err(Error::Missing));
/// ```
///
/// # Errors
/// [`Error::Missing`] when absent, else [`parse`]'s or [`Sw8::context`]'s error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let value = headers.get(Header::Sw8).ok_or(Error::Missing)?;
    let mut ctx = parse(value)?.context()?;
    ctx.sw8 = value;
    Ok(ctx)
}

/// Writes the `sw8` header of `p`, and `sw8-correlation` when the baggage has
/// members.
///
/// ```
/// use traceprop::{sw8, Error, Propagation, SpanContext, SpanId, TraceId};
/// let p = Propagation::new(SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)));
/// let mut out = Vec::new();
/// sw8::inject(&p, &mut |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()))).unwrap();
/// assert_eq!(out.len(), 1);
/// assert!(out[0].1.starts_with("0-MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDE=-"));
/// let invalid = Propagation::new(SpanContext::default());
/// assert_eq!(sw8::inject(&invalid, &mut |_: &str, _: &str| {}), Err(Error::ZeroId));
/// ```
///
/// # Errors
/// [`Error::ZeroId`] for an invalid context (nothing is written).
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut result = Ok(());
    crate::buffer::encode_tiered::<NEXT_MAX_LEN>(&|buf| encode_for(&p.context, buf), &mut |sw8| {
        result = if p.baggage.is_empty() {
            sink.set(Header::Sw8.name(), sw8);
            Ok(())
        } else {
            inject_with_correlation(sw8, &p.baggage, sink)
        };
    })?;
    result
}

/// The longest `sw8` value [`inject`] re-emits from a received one (longer
/// received values are replaced by what [`encode`] writes).
pub const NEXT_MAX_LEN: usize = 2048;

/// The `sw8` value for `ctx`: the received one continued
/// ([`Sw8::encode_next`]) when `ctx` came from `sw8` and it fits, else [`encode`].
/// [`Error::BufferTooSmall`] when `buf` is shorter than [`NEXT_MAX_LEN`] and
/// either does not fit (so that a longer buffer is tried).
fn encode_for(ctx: &SpanContext<'_>, buf: &mut [u8]) -> Result<usize, Error> {
    match parse(ctx.sw8).map(|received| received.encode_next(ctx, buf)) {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(Error::BufferTooSmall)) if buf.len() < NEXT_MAX_LEN => Err(Error::BufferTooSmall),
        _ => encode(ctx, buf),
    }
}

/// Writes `sw8` and the correlation of `baggage`, or nothing on an error. Kept
/// out of [`inject`] so that its buffers only take stack space when there is
/// baggage.
#[inline(never)]
fn inject_with_correlation(
    sw8: &str,
    baggage: &Baggage<'_>,
    sink: &mut dyn Sink,
) -> Result<(), Error> {
    crate::buffer::encode_tiered::<CORRELATION_MAX_LEN>(
        &|buf| encode_correlation(baggage, buf),
        &mut |corr| {
            sink.set(Header::Sw8.name(), sw8);
            if !corr.is_empty() {
                sink.set(Header::Sw8Correlation.name(), corr);
            }
        },
    )
}

/// One `sw8-correlation` entry, both parts still base64.
///
/// ```
/// use traceprop::{sw8, Error};
/// let mut it = sw8::correlation("dGVzdA==:dmFsdWU=,dGVzdA==:dm*=");
/// assert_eq!(it.next().unwrap().unwrap().key.raw(), "dGVzdA==");
/// assert_eq!(it.next().unwrap(), Err(Error::InvalidBase64));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The key (never empty).
    pub key: Field<'a>,
    /// The value.
    pub value: Field<'a>,
}

/// Iterates the entries of an `sw8-correlation` value: each item is an entry
/// or why it is invalid. Empty list items are skipped; SP/HTAB around an entry
/// are ignored.
///
/// ```
/// use traceprop::{sw8, Error};
/// let items: Vec<_> = sw8::correlation("dGVzdA==:dmFsdWU=, bad, :dg==").collect();
/// let mut buf = [0u8; 8];
/// assert_eq!(items[0].unwrap().value.decode_into(&mut buf), Ok(&b"value"[..]));
/// assert_eq!(items[1], Err(Error::Malformed));
/// assert_eq!(items[2], Err(Error::InvalidKey));
/// ```
pub fn correlation(value: &str) -> impl Iterator<Item = Result<Entry<'_>, Error>> {
    value
        .split(',')
        .map(trim_ows)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (key, value) = item.split_once(':').ok_or(Error::Malformed)?;
            if key.is_empty() {
                return Err(Error::InvalidKey);
            }
            Ok(Entry {
                key: Field::new(key)?,
                value: Field::new(value)?,
            })
        })
}

/// Writes `baggage` as an `sw8-correlation` value: `base64(key):base64(value)`
/// per member (the decoded value, padded base64), in order, joined by `,`;
/// properties are dropped, and so is a member with an empty key (which
/// [`correlation`] would reject). Returns the length (0 for no members).
///
/// ```
/// use traceprop::{sw8, Baggage, Error};
/// let b = Baggage::parse("test=value;p=1,k=a%20b");
/// let mut buf = [0u8; 64];
/// let n = sw8::encode_correlation(&b, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"dGVzdA==:dmFsdWU=,aw==:YSBi");
/// assert_eq!(sw8::encode_correlation(&b, &mut [0u8; 10]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`].
pub fn encode_correlation(baggage: &Baggage<'_>, out: &mut [u8]) -> Result<usize, Error> {
    let short = |m: &Member<'_>| m.value.raw().len() <= SHORT_MEMBER;
    if baggage.members().iter().all(short) {
        encode_correlation_with(baggage, out, &mut [0u8; SHORT_MEMBER])
    } else {
        encode_long_correlation(baggage, out)
    }
}

#[inline(never)]
fn encode_long_correlation(baggage: &Baggage<'_>, out: &mut [u8]) -> Result<usize, Error> {
    encode_correlation_with(baggage, out, &mut [0u8; MAX_BYTES])
}

/// [`encode_correlation`], decoding values in `scratch` (room for the
/// longest raw value).
fn encode_correlation_with(
    baggage: &Baggage<'_>,
    out: &mut [u8],
    scratch: &mut [u8],
) -> Result<usize, Error> {
    let mut w = Writer::new(out);
    for m in baggage.members().iter().filter(|m| !m.key.is_empty()) {
        let value = m.value.decode_into(scratch)?;
        if !w.is_empty() {
            w.push_byte(b',')?;
        }
        base64::encode(m.key.as_bytes(), Padding::Padded, &mut w)?;
        w.push_byte(b':')?;
        base64::encode(value.as_bytes(), Padding::Padded, &mut w)?;
    }
    Ok(w.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const S: &str = "00f067aa0ba902b7";
    /// The W3C context `T`/`S` sampled, as `encode` writes it.
    const FROM_W3C: &str = "1-NGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3MzY=-MDBmMDY3YWEwYmE5MDJiNw==-0-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==-dW5rbm93bg==";
    /// A Java agent's ids: `a4ec…0009` / `a4ec…0008`, span 3.
    const REAL: &str = "1-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDk=-YTRlYzZmYzhjY2FiNGJiNGI2ODIwNjQ2OThjYzk3ZTYuNzQuMTYyMTgzODExMDQ1NTAwMDg=-3-c2VydmljZQ==-aW5zdGFuY2U=-L2FwaQ==-MTI3LjAuMC4xOjgwODA=";

    fn ctx() -> SpanContext<'static> {
        SpanContext::new(TraceId::from_hex(T).unwrap(), SpanId::from_hex(S).unwrap())
            .with_sampled(Some(true))
    }

    #[test]
    fn max_len_is_what_encode_writes() {
        let mut buf = [0u8; 256];
        let n = encode(&ctx(), &mut buf).unwrap();
        assert_eq!(n, MAX_LEN);
        assert_eq!(&buf[..n], FROM_W3C.as_bytes());
        assert_eq!(
            encode(&ctx(), &mut buf[..MAX_LEN - 1]),
            Err(Error::BufferTooSmall)
        );
    }

    #[test]
    fn w3c_round_trip_is_lossless() {
        let back = parse(FROM_W3C).unwrap().context().unwrap();
        assert_eq!(back, ctx());
        let not_sampled = ctx().with_sampled(None);
        let mut buf = [0u8; MAX_LEN];
        encode(&not_sampled, &mut buf).unwrap();
        assert_eq!(buf[0], b'0');
        let back = parse(core::str::from_utf8(&buf).unwrap()).unwrap();
        assert_eq!(back.context().unwrap().sampled, Some(false));
    }

    #[test]
    fn fnv_reference_values() {
        // FNV-1a test vectors (draft-eastlake-fnv): "" and "a", 64 and 128 bits.
        assert_eq!(Mapper::new().fnv64, 0xcbf2_9ce4_8422_2325);
        let mut m = Mapper::new();
        m.write(b'a');
        assert_eq!(m.fnv64, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(m.fnv128, 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn real_ids_are_hashed_deterministically() {
        let v = parse(REAL).unwrap();
        let c = v.context().unwrap();
        assert_eq!(
            c.trace_id,
            trace_id_of(b"a4ec6fc8ccab4bb4b682064698cc97e6.74.16218381104550009").unwrap()
        );
        assert_eq!(
            c.span_id,
            span_id_of(b"a4ec6fc8ccab4bb4b682064698cc97e6.74.16218381104550008", 3).unwrap()
        );
        let mut m = Mapper::new();
        b"a4ec6fc8ccab4bb4b682064698cc97e6.74.16218381104550008.3"
            .iter()
            .for_each(|&b| m.write(b));
        assert_eq!(c.span_id.to_u64(), m.fnv64);
        assert!(!c.random);
    }

    #[test]
    fn hex_forms_need_exact_shape() {
        // Uppercase, or a 16-hex segment with a non-zero index, is hashed.
        let upper = trace_id_of(b"4BF92F3577B34DA6A3CE929D0E0E4736").unwrap();
        assert_ne!(upper.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
        let mut m = Mapper::new();
        b"4BF92F3577B34DA6A3CE929D0E0E4736"
            .iter()
            .for_each(|&b| m.write(b));
        assert_eq!(upper.to_u128(), m.fnv128);
        assert_ne!(span_id_of(S.as_bytes(), 1).unwrap().to_hex().as_str(), S);
        // 33 digits are not 32.
        let long = trace_id_of(b"04bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_ne!(long.to_hex().as_str(), T);
        assert_eq!(
            trace_id_of(b"00000000000000000000000000000000"),
            Err(Error::ZeroId)
        );
    }

    #[test]
    fn parse_errors() {
        let cases: [(&str, Error); 14] = [
            ("", Error::Empty),
            ("  ", Error::Empty),
            ("1-dA==-cw==-0-YQ==-Yg==-Yw==", Error::Malformed),
            ("1-dA==-cw==-0-YQ==-Yg==-Yw==-ZA==-ZQ==", Error::Malformed),
            ("x-dA==-cw==-0-YQ==-Yg==-Yw==-ZA==", Error::InvalidSampling),
            ("-dA==-cw==-0-YQ==-Yg==-Yw==-ZA==", Error::InvalidSampling),
            ("1-dA=-cw==-0-YQ==-Yg==-Yw==-ZA==", Error::InvalidBase64),
            ("1-dA==-cw==-0-Y Q==-Yg==-Yw==-ZA==", Error::InvalidBase64),
            ("1--cw==-0-YQ==-Yg==-Yw==-ZA==", Error::Empty),
            ("1-dA==--0-YQ==-Yg==-Yw==-ZA==", Error::Empty),
            ("1-dA==-cw==-+1-YQ==-Yg==-Yw==-ZA==", Error::InvalidDecimal),
            ("1-dA==-cw==--YQ==-Yg==-Yw==-ZA==", Error::Empty),
            (
                "1-dA==-cw==-2147483648-YQ==-Yg==-Yw==-ZA==",
                Error::OutOfRange,
            ),
            (
                "1-dA==-cw==-99999999999999999999999-YQ==-Yg==-Yw==-ZA==",
                Error::OutOfRange,
            ),
        ];
        for (value, err) in cases {
            assert_eq!(parse(value).map(|_| ()), Err(err), "{value:?}");
        }
        let max = parse("1-dA==-cw==-2147483647-YQ==-Yg==-Yw==-ZA==").unwrap();
        assert_eq!(max.span_index, 2_147_483_647);
        // Descriptive fields may be empty; unpadded base64 is accepted.
        let sparse = parse(" 0-dA-cw-0----").unwrap();
        assert!(sparse.parent_service.is_empty());
        assert_eq!(sparse.trace_id.decoded_len(), 1);
    }

    #[test]
    fn every_single_char_mutation_is_handled() {
        // Parsing never panics, and whatever is accepted is written back as
        // received and maps to a valid context.
        let mut buf = [0u8; 256];
        let mut out = [0u8; 256];
        for i in 0..REAL.len() {
            for c in [b'-', b'=', b'+', b'/', b'0', b'9', b'A', b' ', b'_', 0xc3] {
                buf[..REAL.len()].copy_from_slice(REAL.as_bytes());
                buf[i] = c;
                let Ok(text) = core::str::from_utf8(&buf[..REAL.len()]) else {
                    continue;
                };
                if let Ok(v) = parse(text) {
                    let n = v.encode(&mut out).unwrap();
                    assert_eq!(&out[..n], text.trim_matches(' ').as_bytes(), "{text}");
                    assert!(v.context().is_ok(), "{text}");
                }
            }
        }
    }

    #[test]
    fn encode_as_received() {
        let v = parse(REAL).unwrap();
        let mut buf = [0u8; 256];
        let n = v.encode(&mut buf).unwrap();
        assert_eq!(n, v.encoded_len());
        assert_eq!(&buf[..n], REAL.as_bytes());
        let mut too_big = v;
        too_big.span_index = MAX_SPAN_INDEX + 1;
        assert_eq!(too_big.encode(&mut buf), Err(Error::OutOfRange));
    }

    #[test]
    fn encode_next_keeps_skywalking_fields() {
        let v = parse(REAL).unwrap();
        let mut buf = [0u8; 512];
        // Same span: every field as received, the sample flag from the context.
        let same = v.context().unwrap().with_sampled(Some(false));
        let n = v.encode_next(&same, &mut buf).unwrap();
        assert_eq!(&buf[..1], b"0");
        assert_eq!(&buf[1..n], &REAL.as_bytes()[1..]);
        // New span: the trace id field is kept.
        let mut child = v.context().unwrap();
        child.span_id = SpanId::from_hex(S).unwrap();
        let n = v.encode_next(&child, &mut buf).unwrap();
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        let again = parse(text).unwrap();
        assert_eq!(again.trace_id, v.trace_id);
        assert_eq!(again.context().unwrap(), child);
        // Another trace: plain encode.
        let n = v.encode_next(&ctx(), &mut buf).unwrap();
        assert_eq!(&buf[..n], FROM_W3C.as_bytes());
        assert_eq!(
            v.encode_next(&SpanContext::default(), &mut buf),
            Err(Error::ZeroId)
        );
    }

    #[test]
    fn correlation_round_trip() {
        let b = Baggage::parse("k=v,user=Am%C3%A9lie,empty=");
        let mut buf = [0u8; 128];
        let n = encode_correlation(&b, &mut buf).unwrap();
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        assert_eq!(text, "aw==:dg==,dXNlcg==:QW3DqWxpZQ==,ZW1wdHk=:");
        let mut it = correlation(text);
        let mut k = [0u8; 16];
        let mut v = [0u8; 16];
        let e = it.next().unwrap().unwrap();
        assert_eq!(e.key.decode_into(&mut k), Ok(&b"k"[..]));
        assert_eq!(e.value.decode_into(&mut v), Ok(&b"v"[..]));
        let e = it.next().unwrap().unwrap();
        assert_eq!(e.value.decode_into(&mut v), Ok("Am\u{e9}lie".as_bytes()));
        assert!(it.next().unwrap().unwrap().value.is_empty());
        assert!(it.next().is_none());
        assert_eq!(encode_correlation(&Baggage::EMPTY, &mut [0u8; 4]), Ok(0));
    }

    #[test]
    fn correlation_max_len_holds_full_baggage() {
        // 180 members whose values decode to bytes that base64 pads the most.
        let mut storage = [[0u8; 47]; 180];
        let mut b = Baggage::EMPTY;
        for (i, slot) in storage.iter_mut().enumerate() {
            slot[0] = b'k';
            slot[1] = b'0' + (i / 100) as u8;
            slot[2] = b'0' + (i / 10 % 10) as u8;
            slot[3] = b'0' + (i % 10) as u8;
            slot[4..].fill(b'v');
        }
        for slot in &storage {
            let text = core::str::from_utf8(slot).unwrap();
            let (key, value) = (&text[..4], &text[4..]);
            let value =
                crate::w3c::baggage::Value::new(value, crate::w3c::baggage::Encoding::Raw).unwrap();
            let member = crate::w3c::baggage::Member {
                key,
                value,
                properties: "",
            };
            if b.push(member).is_err() {
                break;
            }
        }
        assert!(b.len() > 100);
        let mut buf = [0u8; CORRELATION_MAX_LEN];
        assert!(encode_correlation(&b, &mut buf).is_ok());
    }

    #[test]
    fn inject_writes_correlation_only_with_baggage() {
        let mut p = Propagation::new(ctx());
        let mut count = 0;
        inject(&p, &mut |_: &str, _: &str| count += 1).unwrap();
        assert_eq!(count, 1);
        p.baggage = Baggage::parse("a=1");
        let mut names = [""; 2];
        let mut i = 0;
        inject(&p, &mut |k: &str, v: &str| {
            names[i] = if k == "sw8-correlation" {
                assert_eq!(v, "YQ==:MQ==");
                "sw8-correlation"
            } else {
                "sw8"
            };
            i += 1;
        })
        .unwrap();
        assert_eq!(names, ["sw8", "sw8-correlation"]);
    }
}
