//! Fixed-capacity output buffers: the itoa-style [`StrBuf`] returned by id
//! formatting, and the bounds-checked [`Writer`] every encoder writes through.

use crate::Error;

/// A small inline string of at most `N` ASCII bytes, returned by formatting
/// functions that cannot fail (ids as hex or decimal).
///
/// ```
/// let hex = traceprop::SpanId::from_u64(255).to_hex();
/// assert_eq!(hex.as_str(), "00000000000000ff");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StrBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StrBuf<N> {
    /// Builds from the first `len` bytes of `bytes`; they must be ASCII.
    pub(crate) const fn new(bytes: [u8; N], len: usize) -> Self {
        StrBuf { bytes, len }
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written, so this never falls back.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text as bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl<const N: usize> core::ops::Deref for StrBuf<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> core::fmt::Debug for StrBuf<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> core::fmt::Display for StrBuf<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Appends to a caller-supplied buffer and fails with
/// [`Error::BufferTooSmall`] instead of panicking when it is full.
///
/// ```
/// use traceprop::{Error, Writer};
/// let mut buf = [0u8; 4];
/// let mut w = Writer::new(&mut buf);
/// w.push_str("ab").unwrap();
/// assert_eq!(w.push_str("cde"), Err(Error::BufferTooSmall));
/// assert_eq!(w.len(), 2);
/// ```
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, len: 0 }
    }

    /// Bytes written so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes`, all or nothing.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when they do not fit.
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self
            .len
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        let dst = self
            .buf
            .get_mut(self.len..end)
            .ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends `s`, all or nothing.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when it does not fit.
    pub fn push_str(&mut self, s: &str) -> Result<(), Error> {
        self.push(s.as_bytes())
    }

    /// Appends one byte.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when it does not fit.
    pub fn push_byte(&mut self, b: u8) -> Result<(), Error> {
        self.push(&[b])
    }

    /// Drops what was written after the first `len` bytes.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    /// The bytes written so far.
    #[must_use]
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// The written part of `buf` as text, for encoders that only write ASCII or
/// valid UTF-8.
pub(crate) fn as_text(buf: &[u8], len: usize) -> &str {
    core::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or_default()
}

/// Baggage members whose key and raw value together take at most this many
/// bytes are written from short stack buffers by the per-member encoders
/// (Jaeger, OT, SkyWalking); a baggage with a longer one uses buffers sized
/// for the limits, in a separate frame.
pub(crate) const SHORT_MEMBER: usize = 128;

/// The stack buffer an injection encodes into first: it holds almost every
/// real value, and costs little to zero.
pub(crate) const SHORT_LEN: usize = 512;

/// Encodes with `encode` into a [`SHORT_LEN`] stack buffer, or, when that is
/// too small ([`Error::BufferTooSmall`]), into an `N`-byte one in a separate
/// frame, so the common case never zeroes `N` bytes; then gives the text to
/// `emit`. `encode` must write ASCII or UTF-8 and fail rather than truncate
/// on a buffer shorter than `N`.
#[inline]
pub(crate) fn encode_tiered<const N: usize>(
    encode: &dyn Fn(&mut [u8]) -> Result<usize, Error>,
    emit: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    let mut short = [0u8; SHORT_LEN];
    match encode(&mut short) {
        Err(Error::BufferTooSmall) if N > SHORT_LEN => encode_long::<N>(encode, emit),
        result => {
            emit(as_text(&short, result?));
            Ok(())
        }
    }
}

#[inline(never)]
fn encode_long<const N: usize>(
    encode: &dyn Fn(&mut [u8]) -> Result<usize, Error>,
    emit: &mut dyn FnMut(&str),
) -> Result<(), Error> {
    let mut long = [0u8; N];
    let n = encode(&mut long)?;
    emit(as_text(&long, n));
    Ok(())
}
