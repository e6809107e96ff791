//! Hex and decimal digit handling shared by the codecs (lowercase hex only on
//! output; input case is each codec's choice).

use crate::Error;

const LOWER: &[u8; 16] = b"0123456789abcdef";

/// Which hex digits a parser accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// `0-9a-f` only (W3C, B3, OT, Datadog, X-Ray).
    Lower,
    /// `0-9a-fA-F` (Jaeger clients accept either).
    Any,
}

/// The value of one hex digit.
pub(crate) const fn nibble(c: u8, case: Case) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' if matches!(case, Case::Any) => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parses 1 to 32 hex digits as a number (shorter values are left-padded).
pub(crate) const fn parse_u128(s: &[u8], case: Case) -> Result<u128, Error> {
    if s.is_empty() {
        return Err(Error::Empty);
    }
    if s.len() > 32 {
        return Err(Error::InvalidLength);
    }
    let mut v: u128 = 0;
    let mut i = 0;
    while i < s.len() {
        match nibble(s[i], case) {
            Some(n) => v = (v << 4) | n as u128,
            None => return Err(Error::InvalidHex),
        }
        i += 1;
    }
    Ok(v)
}

/// Parses 1 to 16 hex digits as a number.
pub(crate) const fn parse_u64(s: &[u8], case: Case) -> Result<u64, Error> {
    if s.len() > 16 {
        return Err(Error::InvalidLength);
    }
    match parse_u128(s, case) {
        Ok(v) => Ok(v as u64),
        Err(e) => Err(e),
    }
}

/// Parses exactly `width` hex digits.
pub(crate) const fn parse_fixed(s: &[u8], width: usize, case: Case) -> Result<u128, Error> {
    if s.len() != width {
        return Err(Error::InvalidLength);
    }
    parse_u128(s, case)
}

/// Writes `bytes` as lowercase hex into `out` (which must be twice as long).
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = LOWER[usize::from(b >> 4)];
        pair[1] = LOWER[usize::from(b & 0x0f)];
    }
}

/// Parses 1 to 20 ASCII digits (no sign, no space) as a `u64`.
pub(crate) const fn parse_decimal(s: &[u8]) -> Result<u64, Error> {
    if s.is_empty() {
        return Err(Error::Empty);
    }
    if s.len() > 20 {
        return Err(Error::OutOfRange);
    }
    let mut v: u64 = 0;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if !c.is_ascii_digit() {
            return Err(Error::InvalidDecimal);
        }
        v = match v.checked_mul(10) {
            Some(m) => match m.checked_add((c - b'0') as u64) {
                Some(a) => a,
                None => return Err(Error::OutOfRange),
            },
            None => return Err(Error::OutOfRange),
        };
        i += 1;
    }
    Ok(v)
}

/// Writes `v` in decimal; returns the digits in a 20-byte array and their count.
pub(crate) fn format_decimal(mut v: u64) -> ([u8; 20], usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let n = tmp.len() - i;
    let mut out = [0u8; 20];
    out[..n].copy_from_slice(&tmp[i..]);
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bounds() {
        assert_eq!(parse_decimal(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_decimal(b"18446744073709551616"),
            Err(Error::OutOfRange)
        );
        assert_eq!(parse_decimal(b"00000000000000000001"), Ok(1));
        assert_eq!(parse_decimal(b"+1"), Err(Error::InvalidDecimal));
        let (d, n) = format_decimal(u64::MAX);
        assert_eq!(&d[..n], b"18446744073709551615");
        let (d, n) = format_decimal(0);
        assert_eq!(&d[..n], b"0");
    }

    #[test]
    fn hex_case() {
        assert_eq!(parse_u128(b"Ab", Case::Lower), Err(Error::InvalidHex));
        assert_eq!(parse_u128(b"Ab", Case::Any), Ok(0xab));
        assert_eq!(
            parse_u64(b"12345678901234567", Case::Lower),
            Err(Error::InvalidLength)
        );
    }
}
