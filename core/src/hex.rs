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

/// Marks a byte that is not a digit in a [`digit_table`].
const NOT_HEX: u8 = 0x80;

/// The value of every byte as a hex digit, or [`NOT_HEX`].
const fn digit_table(case: Case) -> [u8; 256] {
    let mut t = [NOT_HEX; 256];
    let mut c = 0;
    while c < 256 {
        if let Some(n) = nibble(c as u8, case) {
            t[c] = n;
        }
        c += 1;
    }
    t
}

const LOWER_DIGITS: [u8; 256] = digit_table(Case::Lower);
const ANY_DIGITS: [u8; 256] = digit_table(Case::Any);

/// `0x01` in every byte of a `u64`.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The 8 hex digits `s` as a number, checked and converted in one `u64`
/// (SWAR) instead of digit by digit, and without a branch: the second value
/// is non-zero when one is not a digit. `ANY_CASE` accepts `A-F`
/// ([`Case::Any`]); a constant, so the lowercase parsers carry no test for it.
#[inline(always)]
const fn parse8<const ANY_CASE: bool>(s: &[u8; 8]) -> (u64, u64) {
    // The first (most significant) digit in the highest byte.
    let x = u64::from_be_bytes(*s);
    // What each byte is worth if it is a digit: `0`-`9` are 0x3_, `a`-`f`
    // and `A`-`F` have bit 6 set and a low nibble of 1-6. Any byte gives 0
    // to 24, so nothing carries into the next byte.
    let n = (x & (0x0f * ONES)) + ((x >> 6) & ONES) * 9;
    // Checked by writing the digits back: `0` + n, plus 39 from `a` on
    // (n >= 10), must give the input (lowercased where a letter is
    // written, for `ANY_CASE`); n >= 16 is never a digit.
    let letter = ((n + 6 * ONES) >> 4) & ONES;
    let written = n + 0x30 * ONES + letter * 39;
    let input = if ANY_CASE { x | (letter << 5) } else { x };
    let bad = (written ^ input) | (n & (0xf0 * ONES));
    // Pair the digits into bytes, the bytes into 16-bit and 32-bit values.
    let v = (n | (n >> 4)) & 0x00ff_00ff_00ff_00ff;
    let v = (v | (v >> 8)) & 0x0000_ffff_0000_ffff;
    ((v | (v >> 16)) & 0xffff_ffff, bad)
}

/// Parses 1 to 32 hex digits as a number (shorter values are left-padded).
#[inline(always)]
pub(crate) const fn parse_u128(s: &[u8], case: Case) -> Result<u128, Error> {
    if s.is_empty() {
        return Err(Error::Empty);
    }
    if s.len() > 32 {
        return Err(Error::InvalidLength);
    }
    let table = match case {
        Case::Lower => &LOWER_DIGITS,
        Case::Any => &ANY_DIGITS,
    };
    // The leading `len % 8` digits one by one, then eight at a time; one
    // test at the end.
    let (head, mut words) = s.split_at(s.len() % 8);
    let (mut v, mut seen, mut i) = (0u128, 0u8, 0);
    while i < head.len() {
        let d = table[head[i] as usize];
        seen |= d;
        v = (v << 4) | (d & 0x0f) as u128;
        i += 1;
    }
    let mut bad = (seen & NOT_HEX) as u64;
    while let Some((word, rest)) = words.split_first_chunk::<8>() {
        let (w, b) = match case {
            Case::Lower => parse8::<false>(word),
            Case::Any => parse8::<true>(word),
        };
        v = (v << 32) | w as u128;
        bad |= b;
        words = rest;
    }
    if bad != 0 {
        return Err(Error::InvalidHex);
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
#[inline(always)]
pub(crate) const fn parse_fixed(s: &[u8], width: usize, case: Case) -> Result<u128, Error> {
    if s.len() != width {
        return Err(Error::InvalidLength);
    }
    parse_u128(s, case)
}

/// Writes `bytes` as lowercase hex into `out` (which must be twice as long).
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&PAIRS[usize::from(b)]);
    }
}

/// The two lowercase hex digits of every byte: one load per byte.
const PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [LOWER[b >> 4], LOWER[b & 0x0f]];
        b += 1;
    }
    t
};

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
    fn swar_matches_digit_by_digit() {
        let reference = |s: &[u8], case| -> Option<u128> {
            s.iter()
                .try_fold(0u128, |v, &c| Some((v << 4) | u128::from(nibble(c, case)?)))
        };
        let inputs: [[u8; 8]; 5] = [
            *b"0123abcd",
            *b"89ABCDEF",
            *b"fFfF0000",
            *b"ghijklmn",
            *b"9:;@`fg/",
        ];
        // Every byte value at every position of each input.
        for base in inputs {
            for at in 0..8 {
                for c in 0..=255u8 {
                    let mut s = base;
                    s[at] = c;
                    let words = [
                        (parse8::<false>(&s), Case::Lower),
                        (parse8::<true>(&s), Case::Any),
                    ];
                    for ((word, bad), case) in words {
                        let word = (bad == 0).then_some(u128::from(word));
                        assert_eq!(word, reference(&s, case), "{s:?}");
                    }
                }
            }
        }
        assert_eq!(
            parse_u128(b"1234567890abcdef1", Case::Lower),
            Ok(0x1234567890abcdef1)
        );
        assert_eq!(
            parse_u128(b"1234567890abcdeg1", Case::Lower),
            Err(Error::InvalidHex)
        );
        assert_eq!(
            parse_u128(b"x234567890abcdef1", Case::Lower),
            Err(Error::InvalidHex)
        );
    }

    #[test]
    fn every_byte_encodes() {
        let bytes: [u8; 256] = core::array::from_fn(|i| i as u8);
        let mut out = [0u8; 512];
        encode_into(&bytes, &mut out);
        for (pair, b) in out.chunks_exact(2).zip(bytes) {
            assert_eq!(parse_u128(pair, Case::Lower), Ok(u128::from(b)));
        }
        assert_eq!(&out[..8], b"00010203");
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
