//! W3C `baggage` (W3C Baggage §Definition), and the baggage list every
//! baggage-carrying format (W3C, Jaeger `uberctx-*`, OT `ot-baggage-*`) fills.
//!
//! Values stay borrowed and encoded as received; [`Value::decode_into`]
//! decodes into a caller buffer (invalid UTF-8 becomes U+FFFD).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::Propagation;
use crate::{Error, Writer};

/// The most members propagated (the ABNF's `0*179`).
pub const MAX_MEMBERS: usize = 180;
/// The most bytes propagated, all members together.
pub const MAX_BYTES: usize = 8192;
/// The longest encoded `baggage` value written.
pub const MAX_LEN: usize = MAX_BYTES;

/// How a raw value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// W3C baggage: RFC 3986 percent-encoding; `+` is a literal plus.
    #[default]
    Percent,
    /// URL query encoding (`uberctx-*`): `%XX`, and `+` is a space.
    Query,
    /// No encoding (`ot-baggage-*`).
    Raw,
}

/// A baggage value as received, with its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Value<'a> {
    raw: &'a str,
    encoding: Encoding,
}

impl<'a> Value<'a> {
    /// Checks `raw` against `encoding`: W3C values must be baggage-octets with
    /// valid `%XX` escapes; query values need valid escapes; raw values anything.
    ///
    /// ```
    /// use traceprop::w3c::baggage::{Encoding, Value};
    /// assert!(Value::new("Am%C3%A9lie", Encoding::Percent).is_ok());
    /// assert!(Value::new("a b", Encoding::Percent).is_err());
    /// assert!(Value::new("%zz", Encoding::Query).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidValue`] or [`Error::InvalidEscape`].
    pub fn new(raw: &'a str, encoding: Encoding) -> Result<Self, Error> {
        let b = raw.as_bytes();
        if encoding == Encoding::Percent && !b.iter().all(|&c| is_baggage_octet(c)) {
            return Err(Error::InvalidValue);
        }
        if encoding != Encoding::Raw {
            let mut i = 0;
            while let Some(&c) = b.get(i) {
                if c == b'%' {
                    let hi = b.get(i + 1).copied().and_then(hex_any);
                    let lo = b.get(i + 2).copied().and_then(hex_any);
                    if hi.is_none() || lo.is_none() {
                        return Err(Error::InvalidEscape);
                    }
                    i += 3;
                } else {
                    i += 1;
                }
            }
        }
        Ok(Value { raw, encoding })
    }

    /// The value as received.
    #[must_use]
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Its encoding.
    #[must_use]
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Decodes into `out`, which needs `self.raw().len()` bytes (decoding never
    /// grows a value); invalid UTF-8 becomes U+FFFD.
    ///
    /// ```
    /// use traceprop::w3c::baggage::{Encoding, Value};
    /// let mut buf = [0u8; 16];
    /// let v = Value::new("a+b%20%C3", Encoding::Percent).unwrap();
    /// assert_eq!(v.decode_into(&mut buf).unwrap(), "a+b \u{fffd}");
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn decode_into<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, Error> {
        let raw = self.raw.as_bytes();
        let out = out.get_mut(..raw.len()).ok_or(Error::BufferTooSmall)?;
        if self.encoding == Encoding::Raw {
            out.copy_from_slice(raw);
            return Ok(core::str::from_utf8(out).unwrap_or_default());
        }
        // Decode into the tail of `out`, then repair UTF-8 forwards: each
        // decoded byte came from at least one raw byte, so writes never
        // overtake reads.
        let n = decoded_len(raw);
        let start = raw.len() - n;
        let mut w = start;
        let mut i = 0;
        while let Some(&c) = raw.get(i) {
            let (byte, used) = match c {
                b'%' => {
                    let hi = raw.get(i + 1).copied().and_then(hex_any).unwrap_or(0);
                    let lo = raw.get(i + 2).copied().and_then(hex_any).unwrap_or(0);
                    ((hi << 4) | lo, 3)
                }
                b'+' if self.encoding == Encoding::Query => (b' ', 1),
                _ => (c, 1),
            };
            out[w] = byte;
            w += 1;
            i += used;
        }
        let len = repair_utf8(out, start);
        Ok(core::str::from_utf8(&out[..len]).unwrap_or_default())
    }
}

/// Counts the bytes a valid escaped value decodes to.
fn decoded_len(raw: &[u8]) -> usize {
    let escapes = raw.iter().filter(|&&c| c == b'%').count();
    raw.len() - 2 * escapes
}

/// Moves `buf[start..]` to the front, replacing invalid UTF-8 with U+FFFD;
/// returns the new length. Requires `start` >= 2 * (the number of invalid bytes),
/// which holds for percent-decoded data placed at the tail.
fn repair_utf8(buf: &mut [u8], start: usize) -> usize {
    let end = buf.len();
    let (mut r, mut w) = (start, 0);
    while r < end {
        match core::str::from_utf8(&buf[r..end]) {
            Ok(s) => {
                let n = s.len();
                buf.copy_within(r..end, w);
                return w + n;
            }
            Err(e) => {
                let good = e.valid_up_to();
                buf.copy_within(r..r + good, w);
                w += good;
                r += good + e.error_len().unwrap_or(end - r - good);
                buf[w..w + 3].copy_from_slice("\u{fffd}".as_bytes());
                w += 3;
            }
        }
    }
    w
}

/// One baggage member, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Member<'a> {
    /// The key (a token; never decoded).
    pub key: &'a str,
    /// The value.
    pub value: Value<'a>,
    /// The properties as received after the first `;`, trimmed; empty when
    /// there is none (see [`Member::properties`]).
    pub properties: &'a str,
}

impl<'a> Member<'a> {
    /// Iterates the properties as `(key, value)`, trimmed.
    ///
    /// ```
    /// use traceprop::Baggage;
    /// let b = Baggage::parse("k=v; p1 ;p2 = x");
    /// let props: Vec<_> = b.members()[0].properties().collect();
    /// assert_eq!(props, [("p1", None), ("p2", Some("x"))]);
    /// ```
    pub fn properties(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> {
        properties(self.properties)
    }

    /// The size this member counts against [`MAX_BYTES`]: `key=value` as
    /// received plus its canonical properties.
    #[must_use]
    pub fn size(&self) -> usize {
        let props: usize = self
            .properties()
            .map(|(k, v)| 1 + k.len() + v.map_or(0, |v| 1 + v.len()))
            .sum();
        self.key.len() + 1 + self.value.raw.len() + props
    }

    /// Writes the canonical properties (`p1;p2=x`) into `w`.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn write_properties(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        for (i, (k, v)) in self.properties().enumerate() {
            if i > 0 {
                w.push_byte(b';')?;
            }
            w.push_str(k)?;
            if let Some(v) = v {
                w.push_byte(b'=')?;
                w.push_str(v)?;
            }
        }
        Ok(())
    }
}

fn properties(raw: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    raw.split(';')
        .map(trim_ows)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (trim_ows(k), Some(trim_ows(v))),
            None => (p, None),
        })
}

/// The baggage list: at most [`MAX_MEMBERS`] members and [`MAX_BYTES`] bytes,
/// one value per key (a later member replaces an earlier one in place).
///
/// ```
/// use traceprop::Baggage;
/// let b = Baggage::parse("userId=Am%C3%A9lie, bad key=1, k=1, k=2");
/// assert_eq!(b.len(), 2);
/// assert_eq!(b.get("k").unwrap().raw(), "2");
/// let mut buf = [0u8; 64];
/// let n = b.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"userId=Am%C3%A9lie,k=2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Baggage<'a> {
    members: [Member<'a>; MAX_MEMBERS],
    len: usize,
    bytes: usize,
}

impl Default for Baggage<'_> {
    fn default() -> Self {
        Baggage::EMPTY
    }
}

impl<'a> Baggage<'a> {
    /// No members.
    pub const EMPTY: Baggage<'static> = Baggage {
        members: [Member {
            key: "",
            value: Value {
                raw: "",
                encoding: Encoding::Percent,
            },
            properties: "",
        }; MAX_MEMBERS],
        len: 0,
        bytes: 0,
    };

    /// Parses one header value; see [`Baggage::parse_lines`].
    #[must_use]
    pub fn parse(value: &'a str) -> Self {
        Baggage::parse_lines(&[value])
    }

    /// Parses several header lines as one list. Invalid members are dropped
    /// alone; members past the limits are dropped whole.
    ///
    /// ```
    /// use traceprop::Baggage;
    /// let b = Baggage::parse_lines(&["a=1", "b=%zz,c="]);
    /// let keys: Vec<_> = b.members().iter().map(|m| m.key).collect();
    /// assert_eq!(keys, ["a", "c"]);
    /// ```
    #[must_use]
    pub fn parse_lines(lines: &[&'a str]) -> Self {
        let mut b = Baggage::EMPTY;
        for line in lines {
            for member in entries(line).flatten() {
                // A member over the limits is dropped; the rest still count.
                let _ = b.push(member);
            }
        }
        b
    }

    /// Adds `member`, replacing the value of an existing key in place.
    ///
    /// # Errors
    /// [`Error::TooManyMembers`] or [`Error::TooLong`] when it does not fit the
    /// limits; the list is unchanged.
    pub fn push(&mut self, member: Member<'a>) -> Result<(), Error> {
        let size = member.size();
        let existing = self.members().iter().position(|m| m.key == member.key);
        let (freed, comma) = match existing {
            Some(i) => (self.members[i].size(), 0),
            None => (0, usize::from(self.len > 0)),
        };
        let bytes = self.bytes - freed + size + comma;
        if bytes > MAX_BYTES {
            return Err(Error::TooLong);
        }
        match existing {
            Some(i) => self.members[i] = member,
            None => {
                *self
                    .members
                    .get_mut(self.len)
                    .ok_or(Error::TooManyMembers)? = member;
                self.len += 1;
            }
        }
        self.bytes = bytes;
        Ok(())
    }

    /// The members, in order.
    #[must_use]
    pub fn members(&self) -> &[Member<'a>] {
        self.members.get(..self.len).unwrap_or_default()
    }

    /// How many members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.members()
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value)
    }

    /// Writes the W3C `baggage` value: members in order, joined by `,`, values
    /// percent-encoded (everything outside baggage-octet, plus `%` and `+`),
    /// canonical properties. A member that is not a valid W3C member (its key
    /// is not a token, or a property is malformed), or that would take the
    /// value past [`MAX_LEN`], is left out whole. Returns the length.
    ///
    /// ```
    /// use traceprop::{Baggage, Error};
    /// use traceprop::w3c::baggage::{Encoding, Member, Value};
    /// let mut b = Baggage::EMPTY;
    /// for (key, raw, properties) in [("a", "x y", " p ; q = 1 "), ("bad key", "1", ""), ("c", "2", "bad prop")] {
    ///     let value = Value::new(raw, Encoding::Raw).unwrap();
    ///     b.push(Member { key, value, properties }).unwrap();
    /// }
    /// let mut buf = [0u8; traceprop::w3c::baggage::MAX_LEN];
    /// let n = b.encode(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], b"a=x%20y;p;q=1");
    /// assert_eq!(b.encode(&mut [0u8; 4]), Err(Error::BufferTooSmall));
    /// ```
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] when `out` is shorter than [`MAX_LEN`] and the
    /// value does not fit.
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        let capped = out.len() >= MAX_LEN;
        let mut scratch = [0u8; MAX_BYTES];
        let cap = out.len().min(MAX_LEN);
        let mut w = Writer::new(out.get_mut(..cap).unwrap_or_default());
        for m in self.members() {
            if !is_token(m.key) || check_properties(m.properties).is_err() {
                continue;
            }
            let value = m.value.decode_into(&mut scratch)?;
            let mark = w.len();
            let written = write_member(&mut w, m, value);
            if written.is_err() {
                if !capped {
                    return Err(Error::BufferTooSmall);
                }
                w.truncate(mark);
            }
        }
        Ok(w.len())
    }
}

fn write_member(w: &mut Writer<'_>, m: &Member<'_>, value: &str) -> Result<(), Error> {
    if !w.is_empty() {
        w.push_byte(b',')?;
    }
    w.push_str(m.key)?;
    w.push_byte(b'=')?;
    percent_encode(value.as_bytes(), w, is_unreserved_in_baggage)?;
    if m.properties().next().is_some() {
        w.push_byte(b';')?;
        m.write_properties(w)?;
    }
    Ok(())
}

/// Iterates the members of one header value: each item is a member or the
/// reason it is invalid. Empty list members are skipped.
pub fn entries(value: &str) -> impl Iterator<Item = Result<Member<'_>, Error>> {
    value
        .split(',')
        .map(trim_ows)
        .filter(|m| !m.is_empty())
        .map(|m| {
            let (kv, props) = m.split_once(';').unwrap_or((m, ""));
            let (key, value) = kv.split_once('=').ok_or(Error::Malformed)?;
            let key = trim_ows(key);
            if !is_token(key) {
                return Err(Error::InvalidKey);
            }
            let value = Value::new(trim_ows(value), Encoding::Percent)?;
            check_properties(props)?;
            // `k=v;` and `k=v; ;` carry no property: keep none.
            let props = trim_ows(props);
            let props = if properties(props).next().is_some() {
                props
            } else {
                ""
            };
            Ok(Member {
                key,
                value,
                properties: props,
            })
        })
}

/// Checks raw properties (`p1;p2=x`, OWS allowed): each key a token, each value
/// baggage-octets with valid `%XX` escapes.
fn check_properties(raw: &str) -> Result<(), Error> {
    for (k, v) in properties(raw) {
        if !is_token(k) {
            return Err(Error::InvalidKey);
        }
        if let Some(v) = v {
            Value::new(v, Encoding::Percent)?;
        }
    }
    Ok(())
}

/// Whether `s` is an RFC 9110 token (the baggage key grammar).
#[must_use]
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// `baggage-octet`: printable ASCII except SP, `"`, `,`, `;` and `\`.
#[must_use]
pub const fn is_baggage_octet(c: u8) -> bool {
    matches!(c, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// The bytes written unescaped in a W3C baggage value.
fn is_unreserved_in_baggage(c: u8) -> bool {
    is_baggage_octet(c) && c != b'%' && c != b'+'
}

/// Writes `bytes`, escaping as `%XX` (uppercase) each byte `keep` refuses.
///
/// # Errors
/// [`Error::BufferTooSmall`].
pub fn percent_encode(
    bytes: &[u8],
    w: &mut Writer<'_>,
    keep: impl Fn(u8) -> bool,
) -> Result<(), Error> {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    for &c in bytes {
        if keep(c) {
            w.push_byte(c)?;
        } else {
            w.push(&[
                b'%',
                UPPER[usize::from(c >> 4)],
                UPPER[usize::from(c & 0xf)],
            ])?;
        }
    }
    Ok(())
}

fn hex_any(c: u8) -> Option<u8> {
    crate::hex::nibble(c, crate::hex::Case::Any)
}

/// The W3C baggage of the request: all `baggage` lines as one list.
#[must_use]
pub fn extract<'a>(headers: &Headers<'a>) -> Baggage<'a> {
    Baggage::parse_lines(headers.baggage_lines())
}

/// Adds the W3C baggage of the request to `into` (later members win per key).
pub fn extract_into<'a>(headers: &Headers<'a>, into: &mut Baggage<'a>) {
    for line in headers.baggage_lines() {
        for member in entries(line).flatten() {
            let _ = into.push(member);
        }
    }
}

/// Writes the `baggage` header of `p`, unless no member can be written.
///
/// # Errors
/// [`Error::BufferTooSmall`] cannot happen (the stack buffer holds
/// [`MAX_LEN`]), but is passed on for uniformity.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut buf = [0u8; MAX_LEN];
    let n = p.baggage.encode(&mut buf)?;
    if n > 0 {
        sink.set(Header::Baggage.name(), crate::buffer::as_text(&buf, n));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(raw: &str, enc: Encoding) -> ([u8; 64], usize) {
        let mut buf = [0u8; 64];
        let n = Value::new(raw, enc)
            .unwrap()
            .decode_into(&mut buf)
            .unwrap()
            .len();
        (buf, n)
    }

    #[test]
    fn lossy_decoding() {
        let (b, n) = decode("%C3", Encoding::Percent);
        assert_eq!(&b[..n], "\u{fffd}".as_bytes());
        let (b, n) = decode("x%FF%FEy", Encoding::Percent);
        assert_eq!(&b[..n], "x\u{fffd}\u{fffd}y".as_bytes());
        let (b, n) = decode("a+b%2B", Encoding::Query);
        assert_eq!(&b[..n], b"a b+");
    }

    #[test]
    fn encode_escapes() {
        let b = Baggage::parse("a=a%20b,b=a%2Bb,c=100%25,d=a+b");
        let mut buf = [0u8; 64];
        let n = b.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"a=a%20b,b=a%2Bb,c=100%25,d=a%2Bb");
    }

    fn encoded<'b>(b: &Baggage<'_>, buf: &'b mut [u8]) -> &'b str {
        let n = b.encode(buf).unwrap();
        core::str::from_utf8(&buf[..n]).unwrap()
    }

    #[test]
    fn empty_properties_are_not_written() {
        let b = Baggage::parse("k=v;, j=1; ; ;");
        assert!(b.members().iter().all(|m| m.properties.is_empty()));
        let mut buf = [0u8; 64];
        assert_eq!(encoded(&b, &mut buf), "k=v,j=1");
        let m = Member {
            key: "k",
            value: Value::new("v", Encoding::Raw).unwrap(),
            properties: " ;; ",
        };
        let mut b = Baggage::EMPTY;
        b.push(m).unwrap();
        assert_eq!(encoded(&b, &mut buf), "k=v");
    }

    #[test]
    fn encode_leaves_out_members_that_are_not_w3c() {
        let mut b = Baggage::EMPTY;
        for (key, properties) in [
            ("a", "p;q=1"),
            ("bad key", ""),
            ("b", "bad prop"),
            ("c", "p=a b"),
            ("d", "p=%zz"),
            ("e", "=x"),
            ("f", " p = %41 "),
        ] {
            let value = Value::new("1", Encoding::Raw).unwrap();
            b.push(Member {
                key,
                value,
                properties,
            })
            .unwrap();
        }
        let mut buf = [0u8; 64];
        assert_eq!(encoded(&b, &mut buf), "a=1;p;q=1,f=1;p=%41");
    }

    #[test]
    fn limits() {
        let mut b = Baggage::EMPTY;
        let big = Value::new(
            core::str::from_utf8(&[b'x'; MAX_BYTES]).unwrap(),
            Encoding::Raw,
        )
        .unwrap();
        let m = Member {
            key: "k",
            value: big,
            properties: "",
        };
        assert_eq!(b.push(m), Err(Error::TooLong));
        assert!(b.is_empty());
    }
}
