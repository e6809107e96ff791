//! Standard-alphabet base64 (RFC 4648 §4: `A-Z a-z 0-9 + /`, `=` padding),
//! encoded and decoded into caller buffers, never allocating.
//!
//! The two formats that use it disagree on padding, so the choice is the
//! caller's on encode and both spellings are accepted on decode:
//!
//! - SkyWalking `sw8`/`sw8-correlation`: every agent writes padded values
//!   (Java `Base64.getEncoder()`, Go `StdEncoding`, Python `b64encode`), and the
//!   Go and Python agents refuse unpadded ones, so `sw8` writes [`Padding::Padded`].
//! - gRPC `-bin` metadata (`grpc-trace-bin`): "implementations MUST accept padded
//!   and un-padded values and should emit un-padded values" (gRPC over HTTP/2),
//!   so `grpc-trace-bin` writes [`Padding::Unpadded`].
//!
//! Decoding accepts a value with or without padding; when `=` is present it must
//! complete the last 4-character group exactly (`QQ==`, `QUI=`). Rejected with
//! [`Error::InvalidBase64`]: any byte outside the alphabet (white space, the
//! URL-safe `-`/`_`), `=` anywhere but the end, a wrong amount of padding, and a
//! length that leaves a single character in the last group. Non-zero bits left
//! over in the last character are ignored, as the default decoders of Go, Java
//! and Python ignore them. The empty string is the empty byte string.
//!
//! The module is private; its behaviour is shown by the unit tests below and by
//! the public `sw8` and `grpc_trace_bin` APIs that use it.

use crate::{Error, Writer};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Whether an encoder writes `=` padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// Pad the last group to 4 characters with `=`.
    Padded,
    /// Leave the last group short.
    Unpadded,
}

/// The length of `n` bytes encoded with `padding`.
pub(crate) const fn encoded_len(n: usize, padding: Padding) -> usize {
    let full = n / 3 * 4;
    match (n % 3, padding) {
        (0, _) => full,
        (_, Padding::Padded) => full + 4,
        (rest, Padding::Unpadded) => full + rest + 1,
    }
}

/// Appends `input` encoded with `padding` to `w`, all or nothing.
///
/// # Errors
/// [`Error::BufferTooSmall`] when it does not fit.
pub(crate) fn encode(input: &[u8], padding: Padding, w: &mut Writer<'_>) -> Result<(), Error> {
    let mark = w.len();
    let written = encode_groups(input, padding, w);
    if written.is_err() {
        w.truncate(mark);
    }
    written
}

fn encode_groups(input: &[u8], padding: Padding, w: &mut Writer<'_>) -> Result<(), Error> {
    let sym = |v: u32| ALPHABET[(v & 0x3f) as usize];
    let mut whole = input.chunks_exact(3);
    for chunk in &mut whole {
        // Four characters of a known length: copied without a `memcpy` call.
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let v = (b(0) << 16) | (b(1) << 8) | b(2);
        w.push(&[sym(v >> 18), sym(v >> 12), sym(v >> 6), sym(v)])?;
    }
    let chunk = whole.remainder();
    if !chunk.is_empty() {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let v = (b(0) << 16) | (b(1) << 8) | b(2);
        let group = [sym(v >> 18), sym(v >> 12), sym(v >> 6), sym(v)];
        // A chunk of n bytes needs n + 1 characters.
        let used = chunk.len() + 1;
        w.push(group.get(..used).unwrap_or_default())?;
        if padding == Padding::Padded {
            w.push(b"==".get(..4 - used).unwrap_or_default())?;
        }
    }
    Ok(())
}

/// The value of one alphabet character.
const fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `input` without its padding, after checking the padding is well formed.
fn unpadded(input: &[u8]) -> Result<&[u8], Error> {
    let pads = input.iter().rev().take_while(|&&c| c == b'=').count();
    let body = input
        .get(..input.len() - pads)
        .ok_or(Error::InvalidBase64)?;
    let well_formed = match pads {
        0 => body.len() % 4 != 1,
        1 => body.len() % 4 == 3,
        2 => body.len() % 4 == 2,
        _ => false,
    };
    if well_formed {
        Ok(body)
    } else {
        Err(Error::InvalidBase64)
    }
}

/// The number of bytes `input` decodes to.
///
/// # Errors
/// [`Error::InvalidBase64`] when `input` is not valid base64.
pub(crate) fn decoded_len(input: &[u8]) -> Result<usize, Error> {
    validate(input)?;
    let body = unpadded(input)?;
    Ok(body.len() / 4 * 3 + (body.len() % 4).saturating_sub(1))
}

/// Checks `input` is valid base64 without decoding it.
///
/// # Errors
/// [`Error::InvalidBase64`].
pub(crate) fn validate(input: &[u8]) -> Result<(), Error> {
    let body = unpadded(input)?;
    if body.iter().all(|&c| value(c).is_some()) {
        Ok(())
    } else {
        Err(Error::InvalidBase64)
    }
}

/// Decodes `input`, calling `f` with each byte in order; returns how many
/// bytes were decoded. On an invalid input `f` may have seen a prefix.
///
/// # Errors
/// [`Error::InvalidBase64`].
pub(crate) fn decode_each(input: &[u8], mut f: impl FnMut(u8)) -> Result<usize, Error> {
    let body = unpadded(input)?;
    let mut n = 0;
    for chunk in body.chunks(4) {
        let mut v: u32 = 0;
        for &c in chunk {
            v = (v << 6) | u32::from(value(c).ok_or(Error::InvalidBase64)?);
        }
        // Left-align a short group to 24 bits; its extra low bits are dropped.
        v <<= 6 * (4 - chunk.len() as u32);
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        for &b in bytes.get(..chunk.len() - 1).unwrap_or_default() {
            f(b);
            n += 1;
        }
    }
    Ok(n)
}

/// Decodes `input` into the start of `out`; returns the decoded length.
///
/// # Errors
/// [`Error::InvalidBase64`], or [`Error::BufferTooSmall`] when `out` is
/// shorter than [`decoded_len`].
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let need = decoded_len(input)?;
    let out = out.get_mut(..need).ok_or(Error::BufferTooSmall)?;
    let mut slots = out.iter_mut();
    decode_each(input, |b| {
        if let Some(slot) = slots.next() {
            *slot = b;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes into `buf`, checking [`encoded_len`]; returns the text.
    fn enc<'b>(input: &[u8], padding: Padding, buf: &'b mut [u8; 512]) -> &'b str {
        let mut w = Writer::new(buf);
        encode(input, padding, &mut w).unwrap();
        let n = w.len();
        assert_eq!(n, encoded_len(input.len(), padding));
        core::str::from_utf8(&buf[..n]).unwrap()
    }

    fn dec<'b>(input: &str, buf: &'b mut [u8; 512]) -> Result<&'b [u8], Error> {
        let n = decode(input.as_bytes(), buf)?;
        Ok(&buf[..n])
    }

    /// RFC 4648 §10 test vectors, both spellings.
    const RFC: [(&str, &str, &str); 7] = [
        ("", "", ""),
        ("f", "Zg==", "Zg"),
        ("fo", "Zm8=", "Zm8"),
        ("foo", "Zm9v", "Zm9v"),
        ("foob", "Zm9vYg==", "Zm9vYg"),
        ("fooba", "Zm9vYmE=", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc4648_vectors() {
        let mut buf = [0u8; 512];
        for (plain, padded, bare) in RFC {
            assert_eq!(enc(plain.as_bytes(), Padding::Padded, &mut buf), padded);
            assert_eq!(enc(plain.as_bytes(), Padding::Unpadded, &mut buf), bare);
            assert_eq!(dec(padded, &mut buf), Ok(plain.as_bytes()), "{padded}");
            assert_eq!(dec(bare, &mut buf), Ok(plain.as_bytes()), "{bare}");
            assert_eq!(decoded_len(padded.as_bytes()), Ok(plain.len()));
            assert_eq!(decoded_len(bare.as_bytes()), Ok(plain.len()));
        }
    }

    #[test]
    fn every_byte_round_trips() {
        let mut all = [0u8; 256];
        for (i, b) in all.iter_mut().enumerate() {
            *b = i as u8;
        }
        for chunk in all.chunks(40) {
            for padding in [Padding::Padded, Padding::Unpadded] {
                let mut text_buf = [0u8; 512];
                let mut out = [0u8; 512];
                let text = enc(chunk, padding, &mut text_buf);
                assert_eq!(dec(text, &mut out), Ok(chunk));
            }
        }
        let mut buf = [0u8; 512];
        assert_eq!(enc(&[0xfb, 0xff], Padding::Padded, &mut buf), "+/8=");
    }

    #[test]
    fn rejects_malformed() {
        let mut buf = [0u8; 512];
        for bad in [
            "Z",
            "Zg=",
            "Zg===",
            "Zm8==",
            "Zm9v=",
            "=",
            "==",
            "Zg==Zg==",
            "Z=g=",
            "Zm9v YmFy",
            "Zm9v\tYg",
            "-_8",
            "Zm9v!",
            "Zm9vY",
            "\u{e9}",
        ] {
            assert_eq!(dec(bad, &mut buf), Err(Error::InvalidBase64), "{bad:?}");
            assert_eq!(
                validate(bad.as_bytes()),
                Err(Error::InvalidBase64),
                "{bad:?}"
            );
            assert_eq!(decoded_len(bad.as_bytes()), Err(Error::InvalidBase64));
        }
    }

    #[test]
    fn ignores_trailing_bits_like_peers() {
        // "Zh==" carries the byte of "Zg==" plus non-zero spare bits.
        let mut buf = [0u8; 512];
        assert_eq!(dec("Zh==", &mut buf), Ok(&b"f"[..]));
        assert_eq!(dec("Zm9=", &mut buf), Ok(&b"fo"[..]));
    }

    #[test]
    fn short_buffers_fail_cleanly() {
        assert_eq!(
            decode(b"Zm9vYmFy", &mut [0u8; 5]),
            Err(Error::BufferTooSmall)
        );
        let mut buf = [0u8; 7];
        let mut w = Writer::new(&mut buf);
        w.push_str("x").unwrap();
        assert_eq!(
            encode(b"foobar", Padding::Padded, &mut w),
            Err(Error::BufferTooSmall)
        );
        assert_eq!(w.written(), b"x");
    }

    #[test]
    fn decode_each_streams() {
        let mut seen = [0u8; 8];
        let mut n = 0;
        let count = decode_each(b"Zm9vYg", |b| {
            seen[n] = b;
            n += 1;
        });
        assert_eq!(count, Ok(4));
        assert_eq!(&seen[..n], b"foob");
    }
}
