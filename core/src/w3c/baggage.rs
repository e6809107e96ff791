//! W3C `baggage` (W3C Baggage §Definition), and the baggage list every
//! baggage-carrying format (W3C, Jaeger `uberctx-*`, OT `ot-baggage-*`) fills.
//!
//! Values stay borrowed and encoded as received; [`Value::decode_into`]
//! decodes into a caller buffer (invalid UTF-8 becomes U+FFFD).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::Propagation;
use crate::slots::Slots;
use crate::{text, Error, Writer};

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
#[derive(Clone, Copy, Eq, Default)]
pub struct Value<'a> {
    raw: &'a str,
    encoding: Encoding,
    /// Known to be written as it is by [`Baggage::encode`] (see
    /// [`is_canonical`]); `false` when unknown. Not part of the value.
    canonical: bool,
}

impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw && self.encoding == other.encoding
    }
}

impl core::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Value")
            .field("raw", &self.raw)
            .field("encoding", &self.encoding)
            .finish()
    }
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
        if encoding == Encoding::Raw {
            return Ok(Value {
                raw,
                encoding,
                canonical: false,
            });
        }
        // One pass: every byte a baggage-octet (W3C), every `%` followed by
        // two hex digits; a bad octet anywhere wins over a bad escape.
        let b = raw.as_bytes();
        let octets = encoding == Encoding::Percent;
        let (mut bad_octet, mut bad_escape) = (false, false);
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            if c == b'%' {
                let hi = b.get(i + 1).copied().and_then(hex_any);
                let lo = b.get(i + 2).copied().and_then(hex_any);
                if hi.is_some() && lo.is_some() {
                    // Hex digits are baggage-octets: skip them.
                    i += 3;
                    continue;
                }
                bad_escape = true;
            } else if octets && class(c) & OCTET == 0 {
                bad_octet = true;
            }
            i += 1;
        }
        if bad_octet {
            Err(Error::InvalidValue)
        } else if bad_escape {
            Err(Error::InvalidEscape)
        } else {
            Ok(Value {
                raw,
                encoding,
                canonical: false,
            })
        }
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
        let escaped = |c: &u8| *c == b'%' || (*c == b'+' && self.encoding == Encoding::Query);
        if self.encoding == Encoding::Raw || !raw.iter().any(escaped) {
            // Nothing to decode: the value is its own text.
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
        if self.properties.is_empty() {
            return self.key.len() + 1 + self.value.raw.len();
        }
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
    text::split(raw, b';')
        .map(trim_ows)
        .filter(|p| !p.is_empty())
        .map(|p| match text::split_once(p, b'=') {
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
#[derive(Clone, Copy)]
pub struct Baggage<'a> {
    members: Slots<Member<'a>, INLINE_MEMBERS, MAX_MEMBERS>,
    len: usize,
    bytes: usize,
    /// The single header line the members were read from when it is their
    /// encoding byte for byte ([`Baggage::push_line`]), else empty: injected
    /// as received.
    line: &'a str,
}

/// Members stored inline before a list grows to [`MAX_MEMBERS`] slots.
const INLINE_MEMBERS: usize = 8;

const NO_MEMBER: Member<'static> = Member {
    key: "",
    value: Value {
        raw: "",
        encoding: Encoding::Percent,
        canonical: false,
    },
    properties: "",
};

impl Default for Baggage<'_> {
    /// [`Baggage::EMPTY`].
    fn default() -> Self {
        Baggage::new()
    }
}

impl PartialEq for Baggage<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.members() == other.members()
    }
}

impl Eq for Baggage<'_> {}

impl core::fmt::Debug for Baggage<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Baggage")
            .field("members", &self.members())
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl<'a> Baggage<'a> {
    /// No members.
    pub const EMPTY: Baggage<'static> = Baggage {
        members: Slots::new(NO_MEMBER),
        len: 0,
        bytes: 0,
        line: "",
    };

    /// [`Baggage::EMPTY`], written in place: copying the constant would copy
    /// room for every member.
    #[inline]
    pub(crate) fn new() -> Self {
        Baggage {
            members: Slots::filled(NO_MEMBER),
            len: 0,
            bytes: 0,
            line: "",
        }
    }

    /// Removes every member, keeping the room it has.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.bytes = 0;
        self.line = "";
    }

    /// A copy made from the inline slots, when the list never grew to
    /// [`MAX_MEMBERS`]: moving a `Baggage` copies room for every member.
    /// `by_item` copies only the members (see [`Slots::small_items`]).
    #[inline(always)]
    pub(crate) fn copy_small(&self, by_item: bool) -> Option<Self> {
        let members = if by_item {
            self.members.small_items(self.len, NO_MEMBER)?
        } else {
            self.members.small()?
        };
        Some(Baggage {
            members: Slots::Small(members),
            len: self.len,
            bytes: self.bytes,
            line: self.line,
        })
    }

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
        let mut b = Baggage::new();
        for line in lines {
            b.push_line(line);
        }
        b
    }

    /// Adds the members of one header line, dropping the invalid ones and
    /// those over the limits (the rest still count). [`next_member`] inlined:
    /// plain members go in without the copy its `Result` costs. A line that
    /// is the whole list and that encoding would give back (every member
    /// plain, [canonical](is_canonical) and new) is kept, to be injected as
    /// received.
    fn push_line(&mut self, line: &'a str) {
        let mut verbatim = self.len == 0 && !line.is_empty();
        let mut at = 0;
        while at <= line.len() {
            if let Some((member, end)) = plain_member(line, at) {
                let size = member.key.len() + 1 + member.value.raw.len();
                let len = self.len;
                let _ = self.push_sized(member, size);
                verbatim &= member.value.canonical && self.len > len;
                at = end + 1;
                continue;
            }
            verbatim = false;
            let member;
            (member, at) = next_member_parts(line, at);
            if let Some(Ok(member)) = member {
                let _ = self.push(member);
            }
        }
        self.line = if verbatim { line } else { "" };
    }

    /// Adds `member`, replacing the value of an existing key in place.
    ///
    /// # Errors
    /// [`Error::TooManyMembers`] or [`Error::TooLong`] when it does not fit the
    /// limits; the list is unchanged.
    pub fn push(&mut self, member: Member<'a>) -> Result<(), Error> {
        self.push_sized(member, member.size())
    }

    /// [`Baggage::push`] for a member of [`Member::size`] `size`.
    #[inline(always)]
    fn push_sized(&mut self, member: Member<'a>, size: usize) -> Result<(), Error> {
        self.line = "";
        let len = self.len;
        let slots = self.members.as_mut_slice();
        let (members, free) = slots.split_at_mut_checked(len).unwrap_or_default();
        if let Some(i) = members.iter().position(|m| m.key == member.key) {
            return self.replace(i, member, size);
        }
        let bytes = self.bytes + size + usize::from(len > 0);
        if bytes > MAX_BYTES {
            return Err(Error::TooLong);
        }
        let slot = match free.first_mut() {
            Some(slot) => slot,
            // Past the small slots: grow, or fail at `MAX_MEMBERS`.
            None => self
                .members
                .slot(len, NO_MEMBER)
                .ok_or(Error::TooManyMembers)?,
        };
        *slot = member;
        self.len = len + 1;
        self.bytes = bytes;
        Ok(())
    }

    /// Replaces member `i` (of the same key) with `member`, of size `size`.
    #[inline(never)]
    fn replace(&mut self, i: usize, member: Member<'a>, size: usize) -> Result<(), Error> {
        let old = self
            .members
            .as_mut_slice()
            .get_mut(i)
            .ok_or(Error::TooManyMembers)?;
        let bytes = self.bytes - old.size() + size;
        if bytes > MAX_BYTES {
            return Err(Error::TooLong);
        }
        *old = member;
        self.bytes = bytes;
        Ok(())
    }

    /// The members, in order.
    #[must_use]
    pub fn members(&self) -> &[Member<'a>] {
        self.members.as_slice().get(..self.len).unwrap_or_default()
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
        let cap = out.len().min(MAX_LEN);
        let mut w = Writer::new(out.get_mut(..cap).unwrap_or_default());
        for m in self.members() {
            let props_valid = m.properties.is_empty() || check_properties(m.properties).is_ok();
            if !is_token(m.key) || !props_valid {
                continue;
            }
            let mark = w.len();
            let written = write_member(&mut w, m);
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

fn write_member(w: &mut Writer<'_>, m: &Member<'_>) -> Result<(), Error> {
    if !w.is_empty() {
        w.push_byte(b',')?;
    }
    w.push_str(m.key)?;
    w.push_byte(b'=')?;
    write_value(w, m.value)?;
    if !m.properties.is_empty() && m.properties().next().is_some() {
        w.push_byte(b';')?;
        m.write_properties(w)?;
    }
    Ok(())
}

/// Values up to this long are decoded on a small stack buffer when writing.
const SHORT_VALUE: usize = 256;

/// Writes `value` decoded, then percent-encoded for W3C.
fn write_value(w: &mut Writer<'_>, value: Value<'_>) -> Result<(), Error> {
    let raw = value.raw.as_bytes();
    if value.canonical || is_canonical(value) {
        // Decoding and encoding would give it back.
        return w.push(raw);
    }
    if value.encoding == Encoding::Raw {
        // Already text (valid UTF-8): encode it as it is.
        return percent_encode(raw, w, is_unreserved_in_baggage);
    }
    let mark = w.len();
    if recode_ascii(raw, value.encoding, w)? {
        return Ok(());
    }
    // An escape decodes to a non-ASCII byte, which may be invalid UTF-8 to
    // repair: decode first.
    w.truncate(mark);
    if raw.len() <= SHORT_VALUE {
        let mut scratch = [0u8; SHORT_VALUE];
        let decoded = value.decode_into(&mut scratch)?;
        percent_encode(decoded.as_bytes(), w, is_unreserved_in_baggage)
    } else {
        write_long_value(w, value)
    }
}

/// Whether decoding `value` and encoding it again gives its raw text: every
/// byte is unreserved or (in an escaped encoding) starts a
/// canonical [escape].
fn is_canonical(value: Value<'_>) -> bool {
    let raw = value.raw.as_bytes();
    let mut i = 0;
    loop {
        i = skip(raw, i, UNRESERVED);
        match raw.get(i) {
            None => return true,
            Some(b'%') if value.encoding != Encoding::Raw && escape(raw, i) == Some(true) => {
                i += 3;
            }
            Some(_) => return false,
        }
    }
}

/// Decodes and re-encodes a valid escaped value byte by byte, as long as
/// every decoded byte is ASCII; returns `false` (having written part of it)
/// at the first one that is not.
fn recode_ascii(raw: &[u8], encoding: Encoding, w: &mut Writer<'_>) -> Result<bool, Error> {
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        let (byte, used) = match c {
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex_any).unwrap_or(0);
                let lo = raw.get(i + 2).copied().and_then(hex_any).unwrap_or(0);
                ((hi << 4) | lo, 3)
            }
            b'+' if encoding == Encoding::Query => (b' ', 1),
            _ => (c, 1),
        };
        if !byte.is_ascii() {
            return Ok(false);
        }
        percent_encode(&[byte], w, is_unreserved_in_baggage)?;
        i += used;
    }
    Ok(true)
}

#[inline(never)]
fn write_long_value(w: &mut Writer<'_>, value: Value<'_>) -> Result<(), Error> {
    let mut scratch = [0u8; MAX_BYTES];
    let decoded = value.decode_into(&mut scratch)?;
    percent_encode(decoded.as_bytes(), w, is_unreserved_in_baggage)
}

/// Iterates the members of one header value: each item is a member or the
/// reason it is invalid. Empty list members are skipped.
pub fn entries(value: &str) -> impl Iterator<Item = Result<Member<'_>, Error>> {
    Entries { line: value, at: 0 }
}

/// The iterator of [`entries`]: the next member starts at `line[at]`.
struct Entries<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Member<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.at <= self.line.len() {
            let member;
            (member, self.at) = next_member(self.line, self.at);
            if member.is_some() {
                return member;
            }
        }
        None
    }
}

/// Reads the list member of `line` that starts at `at`: `None` when it is
/// empty, else the member or the reason it is invalid; and where the next
/// one starts (past the end of `line` when there is none).
fn next_member(line: &str, at: usize) -> (Option<Result<Member<'_>, Error>>, usize) {
    match plain_member(line, at) {
        Some((member, end)) => (Some(Ok(member)), end + 1),
        None => next_member_parts(line, at),
    }
}

/// [`next_member`] for any member, OWS and properties included.
#[inline(never)]
fn next_member_parts(line: &str, at: usize) -> (Option<Result<Member<'_>, Error>>, usize) {
    let rest = line.get(at..).unwrap_or_default();
    let len = text::split_once(rest, b',').map_or(rest.len(), |(piece, _)| piece.len());
    let piece = trim_ows(rest.get(..len).unwrap_or_default());
    let member = (!piece.is_empty()).then(|| parse_member_parts(piece));
    (member, at + len + 1)
}

/// Reads a plain list member of `line` at `at` in one pass: a token, `=`,
/// baggage-octets with valid escapes (no OWS, no properties), ending at a `,`
/// or at the end of `line`. Returns it (its value marked when it is
/// [canonical](is_canonical)) and where it ends, or `None` for anything else,
/// which [`next_member_parts`] reads (to the same member when this one
/// succeeds).
#[inline(always)]
fn plain_member(line: &str, at: usize) -> Option<(Member<'_>, usize)> {
    let b = line.as_bytes();
    let eq = skip(b, at, TOKEN);
    if eq == at || b.get(eq) != Some(&b'=') {
        return None;
    }
    let mut end = skip(b, eq + 1, UNRESERVED);
    let mut canonical = true;
    if !matches!(b.get(end), None | Some(b',')) {
        (end, canonical) = escaped_value_end(b, end)?;
    }
    let value = Value {
        raw: line.get(eq + 1..end)?,
        encoding: Encoding::Percent,
        canonical,
    };
    let key = line.get(at..eq)?;
    Some((
        Member {
            key,
            value,
            properties: "",
        },
        end,
    ))
}

/// Goes on reading the value of a plain member from `b[i]`, the first byte
/// that is not unreserved: returns where it ends and whether it is
/// [canonical](is_canonical), or `None` at a byte that is not a
/// baggage-octet or at a bad escape.
#[inline(always)]
fn escaped_value_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut canonical = true;
    loop {
        match b.get(i) {
            None | Some(b',') => return Some((i, canonical)),
            Some(b'%') => {
                canonical &= escape(b, i)?;
                i += 3;
            }
            Some(b'+') => {
                canonical = false;
                i += 1;
            }
            Some(_) => return None,
        }
        i = skip(b, i, UNRESERVED);
    }
}

/// The index of the first byte of `b` from `i` on whose [`CLASSES`] lack
/// `bit`, or `b.len()`. Four bytes a step, which costs little more than one.
#[inline(always)]
fn skip(b: &[u8], i: usize, bit: u8) -> usize {
    let mut chunks = b.get(i..).unwrap_or_default().chunks_exact(4);
    let mut at = i;
    for chunk in &mut chunks {
        for &c in chunk {
            if class(c) & bit == 0 {
                return at;
            }
            at += 1;
        }
    }
    for &c in chunks.remainder() {
        if class(c) & bit == 0 {
            return at;
        }
        at += 1;
    }
    at
}

/// Reads the escape at `b[i]` (a `%`): `None` unless two hex digits follow,
/// else whether it is the one W3C encoding writes for its byte (uppercase
/// digits, of an ASCII byte that is not unreserved).
#[inline]
fn escape(b: &[u8], i: usize) -> Option<bool> {
    let &[hi, lo] = b.get(i + 1..i + 3)? else {
        return None;
    };
    let byte = (hex_any(hi)? << 4) | hex_any(lo)?;
    let upper = class(hi) & class(lo) & UPPER_HEX != 0;
    Some(upper && byte.is_ascii() && !is_unreserved_in_baggage(byte))
}

/// Parses one trimmed, non-empty list member, OWS and properties included.
fn parse_member_parts(m: &str) -> Result<Member<'_>, Error> {
    let (kv, props) = text::split_once(m, b';').unwrap_or((m, ""));
    let (key, value) = text::split_once(kv, b'=').ok_or(Error::Malformed)?;
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
}

/// Checks raw properties (`p1;p2=x`, OWS allowed): each key a token, each value
/// baggage-octets with valid `%XX` escapes.
fn check_properties(raw: &str) -> Result<(), Error> {
    if raw.is_empty() {
        return Ok(());
    }
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
    !s.is_empty() && s.bytes().fold(TOKEN, |all, c| all & class(c)) != 0
}

/// `baggage-octet`: printable ASCII except SP, `"`, `,`, `;` and `\`.
#[must_use]
pub const fn is_baggage_octet(c: u8) -> bool {
    matches!(c, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// [`CLASSES`] bit: an RFC 9110 `tchar`.
const TOKEN: u8 = 1;
/// [`CLASSES`] bit: a [`is_baggage_octet`].
const OCTET: u8 = 2;
/// [`CLASSES`] bit: written unescaped in a W3C value (an octet but `%`, `+`).
const UNRESERVED: u8 = 4;
/// [`CLASSES`] bit: a digit or an uppercase hex digit (as written in escapes).
const UPPER_HEX: u8 = 8;

/// The grammar classes of every byte, so each check is one table load.
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let tchar = b.is_ascii_alphanumeric()
            || matches!(
                b,
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
            );
        let octet = is_baggage_octet(b);
        t[c] = if tchar { TOKEN } else { 0 }
            | if octet { OCTET } else { 0 }
            | if octet && b != b'%' && b != b'+' {
                UNRESERVED
            } else {
                0
            }
            | if matches!(b, b'0'..=b'9' | b'A'..=b'F') {
                UPPER_HEX
            } else {
                0
            };
        c += 1;
    }
    t
};

fn class(c: u8) -> u8 {
    CLASSES[usize::from(c)]
}

/// The bytes written unescaped in a W3C baggage value.
fn is_unreserved_in_baggage(c: u8) -> bool {
    class(c) & UNRESERVED != 0
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
    let mut rest = bytes;
    // Each run of kept bytes in one copy, then the byte that ends it escaped.
    while let Some((run, tail)) =
        rest.split_at_checked(rest.iter().take_while(|&&c| keep(c)).count())
    {
        w.push(run)?;
        let Some((&c, after)) = tail.split_first() else {
            break;
        };
        w.push(&[
            b'%',
            UPPER[usize::from(c >> 4)],
            UPPER[usize::from(c & 0xf)],
        ])?;
        rest = after;
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
        into.push_line(line);
    }
}

/// Writes the `baggage` header of `p`, unless no member can be written.
///
/// # Errors
/// [`Error::BufferTooSmall`] cannot happen (the stack buffer holds
/// [`MAX_LEN`]), but is passed on for uniformity.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let b = &p.baggage;
    if !b.line.is_empty() {
        sink.set(Header::Baggage.name(), b.line);
        return Ok(());
    }
    if b.is_empty() {
        return Ok(());
    }
    inject_encoded(b, sink)
}

/// [`inject`] by encoding the members, out of line: the common case needs no
/// buffer.
#[inline(never)]
fn inject_encoded(b: &Baggage<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    crate::buffer::encode_tiered::<MAX_LEN>(&|buf| b.encode(buf), &mut |value| {
        if !value.is_empty() {
            sink.set(Header::Baggage.name(), value);
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Checks the plain member of `line` at `at` (when read) against the
    /// general parser on its list member, and its canonical mark; returns
    /// whether it was read.
    pub(super) fn agrees_with_the_parts(line: &str, at: usize) -> bool {
        let Some((fast, end)) = plain_member(line, at) else {
            return false;
        };
        let piece = &line[at..];
        assert_eq!(end - at, piece.find(',').unwrap_or(piece.len()), "{line}");
        assert_eq!(Ok(fast), parse_member_parts(&line[at..end]), "{line}");
        assert_eq!(fast.value.canonical, is_canonical(fast.value), "{line}");
        true
    }

    #[test]
    fn plain_members_read_as_the_parts_do() {
        let base = *b"userId=al%20ce";
        let mut read = 0;
        for at in 0..base.len() {
            for c in *b"= ;,%+a0\t\x7f" {
                let mut m = base;
                m[at] = c;
                read += usize::from(agrees_with_the_parts(core::str::from_utf8(&m).unwrap(), 0));
            }
        }
        // At least: each byte set to itself, key bytes to `a`/`0`/`%`/`+`,
        // value bytes to `=`/`+`/`a`/`,` (escape digits to `a` and `0`).
        assert!(read >= 45, "{read}");
        for m in [
            "k=", "k==v", "=v", "k", "k =v", "k=v;p", "k=%2", "k=%zz", "k=a b", "k=v,", "k=%2,",
        ] {
            agrees_with_the_parts(m, 0);
        }
        assert!(agrees_with_the_parts("k=", 0) && !agrees_with_the_parts("k=v;p", 0));
        assert!(agrees_with_the_parts("a=1,k=v", 4) && !agrees_with_the_parts("a=1, k=v", 4));
        assert_eq!(plain_member("a=1,k=v,", 4).map(|(_, end)| end), Some(7));
    }

    /// What [`write_value`] must write: `value` decoded, then encoded.
    fn reencoded<'b>(value: Value<'_>, out: &'b mut [u8]) -> &'b [u8] {
        let mut scratch = [0u8; 512];
        let decoded = value.decode_into(&mut scratch).unwrap();
        let mut w = Writer::new(out);
        percent_encode(decoded.as_bytes(), &mut w, is_unreserved_in_baggage).unwrap();
        let n = w.len();
        &out[..n]
    }

    /// Checks [`write_value`] and [`is_canonical`] on `raw` in every encoding
    /// it is valid in, and the canonical mark of the plain member `k={raw}`;
    /// returns in how many encodings `raw` is canonical.
    pub(super) fn writes_as_reencoded(raw: &str) -> usize {
        let mut canonical = 0;
        for encoding in [Encoding::Percent, Encoding::Query, Encoding::Raw] {
            let Ok(value) = Value::new(raw, encoding) else {
                continue;
            };
            let mut out = [0u8; 1024];
            let mut w = Writer::new(&mut out);
            write_value(&mut w, value).unwrap();
            let mut buf = [0u8; 1024];
            let expected = reencoded(value, &mut buf);
            assert_eq!(w.written(), expected, "{raw:?} {encoding:?}");
            if is_canonical(value) {
                assert_eq!(expected, raw.as_bytes(), "{raw:?} {encoding:?}");
                canonical += 1;
            }
        }
        let mut member = [0u8; 512];
        let mut w = Writer::new(&mut member);
        w.push_str("k=").and_then(|()| w.push_str(raw)).unwrap();
        let n = w.len();
        agrees_with_the_parts(core::str::from_utf8(&member[..n]).unwrap(), 0);
        canonical
    }

    #[test]
    fn canonical_values_are_written_as_received() {
        let base = *b"a%2C%20~";
        assert_eq!(writes_as_reencoded("a%2C%20~"), 2);
        let mut canonical = 0;
        for at in 0..base.len() {
            for c in *b"%+aA0fF27C ,~\x7f" {
                let mut raw = base;
                raw[at] = c;
                canonical += writes_as_reencoded(core::str::from_utf8(&raw).unwrap());
            }
        }
        // At least: each byte set to itself, `a`/`~`/`A`/`0`/... outside the
        // escapes, escape digits to other uppercase digits (twice: W3C and query).
        assert!(canonical >= 60, "{canonical}");
        for raw in ["%41", "%2c", "%C3%A9", "a+b", "%7F", "", "é"] {
            writes_as_reencoded(raw);
        }
    }

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

    /// What [`inject`] writes for `b` (copied into `out`), and whether it
    /// handed over the text of `line` itself.
    pub(super) fn injected<'o>(b: &Baggage<'_>, line: &str, out: &'o mut [u8]) -> (&'o str, bool) {
        let p = Propagation {
            baggage: *b,
            ..Propagation::new(crate::SpanContext::new(
                crate::TraceId::from_u64(1),
                crate::SpanId::from_u64(2),
            ))
        };
        let (mut n, mut same) = (0, false);
        inject(&p, &mut |_: &str, v: &str| {
            out[..v.len()].copy_from_slice(v.as_bytes());
            n = v.len();
            same = core::ptr::eq(v, line);
        })
        .unwrap();
        (core::str::from_utf8(&out[..n]).unwrap(), same)
    }

    #[test]
    fn inject_writes_the_received_line_until_a_change() {
        let line = "userId=alice,serverNode=DF%2028,isProduction=false";
        let mut out = [0u8; 128];
        let b = Baggage::parse(line);
        assert_eq!(injected(&b, line, &mut out), (line, true));
        let mut pushed = b;
        pushed.push(b.members()[0]).unwrap();
        assert_eq!(injected(&pushed, line, &mut out), (line, false));
        let mut cleared = b;
        cleared.clear();
        assert_eq!(injected(&cleared, line, &mut out), ("", false));
        // Lines that encoding changes, or only might: each is encoded.
        for (line, encoded) in [
            ("a=1, b=2", "a=1,b=2"),
            ("a=1,,b=2", "a=1,b=2"),
            ("a=1,b=2,", "a=1,b=2"),
            ("a=1,a=2", "a=2"),
            ("a=1,b c=2", "a=1"),
            ("a=x+y", "a=x%2By"),
            ("a=%c3%a9", "a=%C3%A9"),
            ("a=1;p", "a=1;p"),
        ] {
            let b = Baggage::parse(line);
            assert_eq!(injected(&b, line, &mut out), (encoded, false), "{line}");
        }
        let two = Baggage::parse_lines(&["a=1", "b=2"]);
        assert_eq!(injected(&two, "a=1", &mut out), ("a=1,b=2", false));
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
    fn value_shortcuts_match_decoding_then_encoding() {
        let long = "%41".repeat(100);
        let values = [
            "plain",
            "a+b",
            "a%20b",
            "%2b%2F",
            "%C3%A9t%C3%A9",
            "%C3",
            "x%FF%FEy",
            "%7E~",
            "",
            "tab\there",
            "é ü",
            &long,
        ];
        for raw in values {
            writes_as_reencoded(raw);
        }
    }

    #[test]
    fn equal_whatever_the_storage() {
        let mut grown = Baggage::EMPTY;
        let mut keys = [[0u8; 3]; MAX_MEMBERS];
        for (i, key) in keys.iter_mut().enumerate() {
            key.copy_from_slice(&[b'k', b'a' + (i / 26) as u8, b'a' + (i % 26) as u8]);
        }
        for key in &keys {
            let key = core::str::from_utf8(key).unwrap();
            let value = Value::new("1", Encoding::Percent).unwrap();
            grown
                .push(Member {
                    key,
                    value,
                    properties: "",
                })
                .unwrap();
        }
        assert_eq!(grown.len(), MAX_MEMBERS);
        let extra = Member {
            key: "x",
            ..grown.members()[0]
        };
        assert_eq!(grown.push(extra), Err(Error::TooManyMembers));
        assert_eq!(grown, grown.clone());
        assert_ne!(grown, Baggage::parse("kaa=1"));
        assert_eq!(Baggage::default(), Baggage::EMPTY);
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

#[cfg(test)]
mod agreement {
    use super::tests::{agrees_with_the_parts, injected, writes_as_reencoded};
    use super::*;
    use proptest::prelude::*;

    /// The members of `line` as read before the fast paths: split, trim, parse.
    fn by_pieces(line: &str) -> impl Iterator<Item = Result<Member<'_>, Error>> {
        line.split(',')
            .map(trim_ows)
            .filter(|m| !m.is_empty())
            .map(parse_member_parts)
    }

    proptest! {
        #[test]
        fn plain_member_agrees_with_the_parts(m in "[a-zA-Z0-9 =;%+]{1,4}=[a-zA-Z0-9 =;%+,\t\\\"]{0,12}") {
            agrees_with_the_parts(&m, 0);
        }

        #[test]
        fn lines_read_as_the_pieces_do(
            line in "(( ?[a-c%]{0,2} ?=[a-zA-Z0-9 =;%+\t]{0,6})?,){0,6}[a-c]?=?[a-f0-9%+;]{0,6}",
        ) {
            prop_assert!(entries(&line).eq(by_pieces(&line)));
            let mut expected = Baggage::EMPTY;
            for member in by_pieces(&line).flatten() {
                let _ = expected.push(member);
            }
            let b = Baggage::parse(&line);
            prop_assert_eq!((&b, b.bytes), (&expected, expected.bytes));
            // Injected as encoding gives it, whether the line was kept or not.
            let (mut out, mut encoded) = ([0u8; 128], [0u8; 128]);
            let n = b.encode(&mut encoded).unwrap();
            let (sent, _) = injected(&b, &line, &mut out);
            prop_assert_eq!(sent.as_bytes(), &encoded[..n]);
            for m in b.members() {
                prop_assert!(!m.value.canonical || is_canonical(m.value));
            }
        }

        #[test]
        fn values_write_as_decoded_and_encoded(raw in "[a-fA-F0-9%+~ ,;é]{0,10}") {
            writes_as_reencoded(&raw);
        }

        #[test]
        fn skip_agrees_with_position(b in proptest::collection::vec(any::<u8>(), 0..12), i in 0usize..14) {
            for bit in [TOKEN, UNRESERVED] {
                let naive = b.get(i..).map_or(i, |t| {
                    i + t.iter().position(|&c| class(c) & bit == 0).unwrap_or(t.len())
                });
                prop_assert_eq!(skip(&b, i, bit), naive);
            }
        }
    }
}
