//! Trace and span ids, and their conversions between every format's encoding.
//!
//! | encoding | trace id | span id |
//! |---|---|---|
//! | W3C, B3, Jaeger, OT hex | [`TraceId::from_hex`], [`TraceId::to_hex`] (32) or [`TraceId::from_hex_short`] (16, left-padded) | [`SpanId::from_hex`], [`SpanId::to_hex`] |
//! | 64-bit hex field | [`TraceId::low_hex`] (says whether bits were dropped via [`TraceId::to_u64`]) | same |
//! | Datadog decimal + `_dd.p.tid` | [`TraceId::from_datadog`], [`TraceId::to_datadog`] | [`SpanId::from_decimal`], [`SpanId::to_decimal`] |
//! | AWS X-Ray `Root` | [`TraceId::from_xray_root`], [`TraceId::to_xray_root`] | [`SpanId::from_hex`] |
//! | Google Cloud span id | - | [`SpanId::from_decimal`], [`SpanId::to_decimal`] |
//!
//! No conversion truncates silently: narrowing a trace id to 64 bits is either
//! checked ([`TraceId::to_u64`] fails with [`Error::Truncation`]) or explicit in
//! its name ([`TraceId::low`], [`TraceId::low_hex`]).

use crate::buffer::StrBuf;
use crate::hex::{self, Case};
use crate::Error;

/// A 128-bit trace id. The all-zero value is invalid in every format.
///
/// ```
/// use traceprop::TraceId;
/// const T: TraceId = match TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736") {
///     Ok(id) => id,
///     Err(_) => panic!(),
/// };
/// assert_eq!(T.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert!(TraceId::from_hex("00000000000000000000000000000000").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TraceId([u8; 16]);

/// A 64-bit span (parent) id. The all-zero value is invalid in every format.
///
/// ```
/// use traceprop::SpanId;
/// let s = SpanId::from_hex("00f067aa0ba902b7").unwrap();
/// assert_eq!(s.to_decimal().as_str(), "67667974448284343");
/// assert!(SpanId::from_hex("00F067AA0BA902B7").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SpanId([u8; 8]);

impl TraceId {
    /// The all-zero (invalid) id.
    pub const INVALID: TraceId = TraceId([0; 16]);

    /// From big-endian bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        TraceId(bytes)
    }

    /// The big-endian bytes.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// From a number.
    #[must_use]
    pub const fn from_u128(v: u128) -> Self {
        TraceId(v.to_be_bytes())
    }

    /// As a number.
    #[must_use]
    pub const fn to_u128(self) -> u128 {
        u128::from_be_bytes(self.0)
    }

    /// From the high and low 64-bit halves (Datadog's `_dd.p.tid` and trace id).
    #[must_use]
    pub const fn from_halves(high: u64, low: u64) -> Self {
        TraceId::from_u128(((high as u128) << 64) | low as u128)
    }

    /// A 64-bit id, left-padded with zeros to 128 bits (W3C Trace Context §
    /// "Interoperating with existing systems which use shorter identifiers").
    #[must_use]
    pub const fn from_u64(low: u64) -> Self {
        TraceId::from_halves(0, low)
    }

    /// The high 64 bits.
    #[must_use]
    pub const fn high(self) -> u64 {
        (self.to_u128() >> 64) as u64
    }

    /// The low 64 bits: what a 64-bit-only field carries. This drops the high
    /// half on purpose; use [`TraceId::to_u64`] to refuse instead.
    #[must_use]
    pub const fn low(self) -> u64 {
        self.to_u128() as u64
    }

    /// The id as 64 bits, only if its high half is zero.
    ///
    /// ```
    /// use traceprop::{Error, TraceId};
    /// assert_eq!(TraceId::from_u64(7).to_u64(), Ok(7));
    /// assert_eq!(TraceId::from_halves(1, 7).to_u64(), Err(Error::Truncation));
    /// ```
    ///
    /// # Errors
    /// [`Error::Truncation`] when the high 64 bits are not zero.
    pub const fn to_u64(self) -> Result<u64, Error> {
        if self.high() == 0 {
            Ok(self.low())
        } else {
            Err(Error::Truncation)
        }
    }

    /// Whether the id is not all zeros.
    #[must_use]
    pub const fn is_valid(self) -> bool {
        self.to_u128() != 0
    }

    /// Parses exactly 32 lowercase hex digits (W3C), non-zero.
    ///
    /// ```
    /// use traceprop::{Error, TraceId};
    /// assert_eq!(TraceId::from_hex("abc"), Err(Error::InvalidLength));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidLength`], [`Error::InvalidHex`] or [`Error::ZeroId`].
    #[inline]
    pub const fn from_hex(s: &str) -> Result<Self, Error> {
        match hex::parse_fixed(s.as_bytes(), 32, Case::Lower) {
            Ok(v) => TraceId::from_u128(v).checked(),
            Err(e) => Err(e),
        }
    }

    /// Parses 16 or 32 lowercase hex digits (B3, OT); 16 digits are left-padded.
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_hex_short("a3ce929d0e0e4736").unwrap();
    /// assert_eq!(t.to_hex().as_str(), "0000000000000000a3ce929d0e0e4736");
    /// assert!(TraceId::from_hex_short("a3ce929d0e0e473").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidLength`], [`Error::InvalidHex`] or [`Error::ZeroId`].
    pub const fn from_hex_short(s: &str) -> Result<Self, Error> {
        if s.len() != 16 && s.len() != 32 {
            return Err(Error::InvalidLength);
        }
        match hex::parse_u128(s.as_bytes(), Case::Lower) {
            Ok(v) => TraceId::from_u128(v).checked(),
            Err(e) => Err(e),
        }
    }

    /// The id as 32 lowercase hex digits.
    #[must_use]
    pub fn to_hex(self) -> StrBuf<32> {
        let mut out = [0u8; 32];
        hex::encode_into(&self.0, &mut out);
        StrBuf::new(out, 32)
    }

    /// The low 64 bits as 16 lowercase hex digits (B3/OT/Jaeger 64-bit fields);
    /// the high half is dropped, as [`TraceId::low`] says.
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// assert_eq!(t.low_hex().as_str(), "a3ce929d0e0e4736");
    /// ```
    #[must_use]
    pub fn low_hex(self) -> StrBuf<16> {
        SpanId::from_u64(self.low()).to_hex()
    }

    /// Writes the 32 hex digits into `out`; returns 32.
    ///
    /// ```
    /// use traceprop::{Error, TraceId};
    /// let t = TraceId::from_u64(1);
    /// assert_eq!(t.write_hex(&mut [0u8; 31]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than 32 bytes.
    pub fn write_hex(self, out: &mut [u8]) -> Result<usize, Error> {
        let dst = out.get_mut(..32).ok_or(Error::BufferTooSmall)?;
        hex::encode_into(&self.0, dst);
        Ok(32)
    }

    /// From Datadog's decimal 64-bit trace id and the optional `_dd.p.tid` tag
    /// (16 lowercase hex digits, the high 64 bits).
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_datadog("11803532876627986230", Some("4bf92f3577b34da6")).unwrap();
    /// assert_eq!(t.to_hex().as_str(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!(TraceId::from_datadog("0", None).is_err());
    /// ```
    ///
    /// # Errors
    /// The decimal's or the tid's error; [`Error::ZeroId`] when either half that
    /// must be non-zero is zero.
    pub fn from_datadog(decimal: &str, tid: Option<&str>) -> Result<Self, Error> {
        let low = hex::parse_decimal(decimal.as_bytes())?;
        if low == 0 {
            return Err(Error::ZeroId);
        }
        let high = match tid {
            Some(t) => parse_tid(t)?,
            None => 0,
        };
        Ok(TraceId::from_halves(high, low))
    }

    /// Datadog's encoding: the low 64 bits in decimal, and the high 64 bits as
    /// `_dd.p.tid` hex when they are not zero. Nothing is lost.
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    /// let (dec, tid) = t.to_datadog();
    /// assert_eq!(dec.as_str(), "11803532876627986230");
    /// assert_eq!(tid.unwrap().as_str(), "4bf92f3577b34da6");
    /// assert!(TraceId::from_u64(5).to_datadog().1.is_none());
    /// ```
    #[must_use]
    pub fn to_datadog(self) -> (StrBuf<20>, Option<StrBuf<16>>) {
        let (digits, n) = hex::format_decimal(self.low());
        let tid = (self.high() != 0).then(|| SpanId::from_u64(self.high()).to_hex());
        (StrBuf::new(digits, n), tid)
    }

    /// From an AWS X-Ray `Root` value `1-{8 hex}-{24 hex}` (the 8 digits are the
    /// epoch seconds, the 24 random; together they are the 32-hex trace id).
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_xray_root("1-5759e988-bd862e3fe1be46a994272793").unwrap();
    /// assert_eq!(t.to_hex().as_str(), "5759e988bd862e3fe1be46a994272793");
    /// assert!(TraceId::from_xray_root("2-5759e988-bd862e3fe1be46a994272793").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidLength`], [`Error::UnsupportedVersion`] (not `1-`),
    /// [`Error::Malformed`], [`Error::InvalidHex`] or [`Error::ZeroId`].
    pub fn from_xray_root(root: &str) -> Result<Self, Error> {
        let b = root.as_bytes();
        if b.len() != 35 {
            return Err(Error::InvalidLength);
        }
        if b[0] != b'1' {
            return Err(Error::UnsupportedVersion);
        }
        if b[1] != b'-' || b[10] != b'-' {
            return Err(Error::Malformed);
        }
        let epoch = hex::parse_fixed(&b[2..10], 8, Case::Lower)?;
        let rest = hex::parse_fixed(&b[11..35], 24, Case::Lower)?;
        TraceId::from_u128((epoch << 96) | rest).checked()
    }

    /// The AWS X-Ray `Root` value, `1-{8 hex}-{24 hex}`.
    ///
    /// ```
    /// use traceprop::TraceId;
    /// let t = TraceId::from_hex("5759e988bd862e3fe1be46a994272793").unwrap();
    /// assert_eq!(t.to_xray_root().as_str(), "1-5759e988-bd862e3fe1be46a994272793");
    /// ```
    #[must_use]
    pub fn to_xray_root(self) -> StrBuf<35> {
        let hex = self.to_hex();
        let h = hex.as_bytes();
        let mut out = [0u8; 35];
        out[0] = b'1';
        out[1] = b'-';
        out[2..10].copy_from_slice(&h[..8]);
        out[10] = b'-';
        out[11..].copy_from_slice(&h[8..]);
        StrBuf::new(out, 35)
    }

    const fn checked(self) -> Result<Self, Error> {
        if self.is_valid() {
            Ok(self)
        } else {
            Err(Error::ZeroId)
        }
    }
}

/// Parses Datadog's `_dd.p.tid`: exactly 16 lowercase hex digits, non-zero.
pub(crate) fn parse_tid(t: &str) -> Result<u64, Error> {
    let v = hex::parse_fixed(t.as_bytes(), 16, Case::Lower)?;
    if v == 0 {
        return Err(Error::ZeroId);
    }
    Ok(v as u64)
}

impl SpanId {
    /// The all-zero (invalid) id.
    pub const INVALID: SpanId = SpanId([0; 8]);

    /// From big-endian bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 8]) -> Self {
        SpanId(bytes)
    }

    /// The big-endian bytes.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0
    }

    /// From a number.
    #[must_use]
    pub const fn from_u64(v: u64) -> Self {
        SpanId(v.to_be_bytes())
    }

    /// As a number.
    #[must_use]
    pub const fn to_u64(self) -> u64 {
        u64::from_be_bytes(self.0)
    }

    /// Whether the id is not all zeros.
    #[must_use]
    pub const fn is_valid(self) -> bool {
        self.to_u64() != 0
    }

    /// Parses exactly 16 lowercase hex digits, non-zero.
    ///
    /// # Errors
    /// [`Error::InvalidLength`], [`Error::InvalidHex`] or [`Error::ZeroId`].
    #[inline]
    pub const fn from_hex(s: &str) -> Result<Self, Error> {
        match hex::parse_fixed(s.as_bytes(), 16, Case::Lower) {
            Ok(v) => SpanId::from_u64(v as u64).checked(),
            Err(e) => Err(e),
        }
    }

    /// Parses 1 to 20 decimal digits (Datadog parent id, Google Cloud span id),
    /// at most 2^64-1, non-zero.
    ///
    /// ```
    /// use traceprop::{Error, SpanId};
    /// assert_eq!(SpanId::from_decimal("255").unwrap().to_hex().as_str(), "00000000000000ff");
    /// assert_eq!(SpanId::from_decimal("18446744073709551616"), Err(Error::OutOfRange));
    /// ```
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::InvalidDecimal`], [`Error::OutOfRange`] or
    /// [`Error::ZeroId`].
    pub const fn from_decimal(s: &str) -> Result<Self, Error> {
        match hex::parse_decimal(s.as_bytes()) {
            Ok(v) => SpanId::from_u64(v).checked(),
            Err(e) => Err(e),
        }
    }

    /// The id as 16 lowercase hex digits.
    #[must_use]
    pub fn to_hex(self) -> StrBuf<16> {
        let mut out = [0u8; 16];
        hex::encode_into(&self.0, &mut out);
        StrBuf::new(out, 16)
    }

    /// The id in decimal, without leading zeros.
    #[must_use]
    pub fn to_decimal(self) -> StrBuf<20> {
        let (digits, n) = hex::format_decimal(self.to_u64());
        StrBuf::new(digits, n)
    }

    /// Writes the 16 hex digits into `out`; returns 16.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than 16 bytes.
    pub fn write_hex(self, out: &mut [u8]) -> Result<usize, Error> {
        let dst = out.get_mut(..16).ok_or(Error::BufferTooSmall)?;
        hex::encode_into(&self.0, dst);
        Ok(16)
    }

    const fn checked(self) -> Result<Self, Error> {
        if self.is_valid() {
            Ok(self)
        } else {
            Err(Error::ZeroId)
        }
    }
}

impl core::fmt::Debug for TraceId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TraceId({})", self.to_hex())
    }
}

impl core::fmt::Display for TraceId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl core::fmt::Debug for SpanId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SpanId({})", self.to_hex())
    }
}

impl core::fmt::Display for SpanId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_trip() {
        let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(TraceId::from_halves(t.high(), t.low()), t);
        assert_eq!(t.high(), 0x4bf9_2f35_77b3_4da6);
    }

    #[test]
    fn datadog_rejects_bad_tid() {
        assert_eq!(
            TraceId::from_datadog("1", Some("0000000000000000")),
            Err(Error::ZeroId)
        );
        assert_eq!(
            TraceId::from_datadog("1", Some("ABCDEF0123456789")),
            Err(Error::InvalidHex)
        );
        assert_eq!(
            TraceId::from_datadog("1", Some("abc")),
            Err(Error::InvalidLength)
        );
    }

    #[test]
    fn xray_root_rejects() {
        assert_eq!(
            TraceId::from_xray_root("1-00000000-000000000000000000000000"),
            Err(Error::ZeroId)
        );
        assert_eq!(
            TraceId::from_xray_root("1_5759e988-bd862e3fe1be46a994272793"),
            Err(Error::Malformed)
        );
    }
}
