//! W3C `tracestate` (Trace Context Level 2 §3.3): parsing with the Level 2 key
//! grammar, and the mutation rules (put-to-front, 32-member eviction,
//! truncation to 512 characters).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::Propagation;
use crate::{Error, Writer};

/// The most list members a tracestate may have.
pub const MAX_MEMBERS: usize = 32;
/// The longest key (Level 2: 1 + 255 characters).
pub const MAX_KEY_LEN: usize = 256;
/// The longest value.
pub const MAX_VALUE_LEN: usize = 256;
/// The longest encoded tracestate: 32 members of maximal key and value.
pub const MAX_LEN: usize = MAX_MEMBERS * (MAX_KEY_LEN + 1 + MAX_VALUE_LEN) + MAX_MEMBERS - 1;
/// The length the spec asks every vendor to propagate, and the truncation target.
pub const TRUNCATE_LEN: usize = 512;
/// Entries longer than this are removed first when truncating.
pub const LONG_ENTRY_LEN: usize = 128;

/// One `key=value` list member, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Member<'a> {
    /// The key.
    pub key: &'a str,
    /// The value, leading spaces included (Level 2 §value).
    pub value: &'a str,
}

impl Member<'_> {
    /// An empty member, to fill arrays.
    pub const EMPTY: Member<'static> = Member { key: "", value: "" };

    /// Length of `key=value`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.key.len() + 1 + self.value.len()
    }

    /// Whether this is [`Member::EMPTY`].
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }
}

/// A valid tracestate: at most 32 members with distinct keys, in order.
///
/// ```
/// use traceprop::TraceState;
/// let mut ts = TraceState::parse("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE").unwrap();
/// ts.put("congo", "new").unwrap();
/// let mut buf = [0u8; 64];
/// let n = ts.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"congo=new,rojo=00f067aa0ba902b7");
/// assert!(TraceState::parse("FOO=1").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceState<'a> {
    members: [Member<'a>; MAX_MEMBERS],
    len: usize,
}

impl Default for TraceState<'_> {
    fn default() -> Self {
        TraceState::EMPTY
    }
}

impl<'a> TraceState<'a> {
    /// No members.
    pub const EMPTY: TraceState<'static> = TraceState {
        members: [Member::EMPTY; MAX_MEMBERS],
        len: 0,
    };

    /// Parses one header value. See [`TraceState::parse_lines`].
    ///
    /// # Errors
    /// As [`TraceState::parse_lines`].
    pub fn parse(value: &'a str) -> Result<Self, Error> {
        TraceState::parse_lines(&[value])
    }

    /// Parses several header lines as one list (RFC 9110 §5.3 combining).
    /// OWS around members is ignored and empty members are skipped; a repeated
    /// key keeps its first occurrence. Any invalid member, or more than 32
    /// non-empty members as sent (repeated keys count: the list grammar allows
    /// `list-member 0*31(…)`), makes the whole tracestate invalid.
    ///
    /// ```
    /// use traceprop::{Error, TraceState};
    /// let ts = TraceState::parse_lines(&["foo=1 \t , \t bar=2", "", "foo=3,baz=4"]).unwrap();
    /// assert_eq!(ts.len(), 3);
    /// assert_eq!(ts.get("foo"), Some("1"));
    /// assert_eq!(TraceState::parse("foo=bar=baz"), Err(Error::InvalidValue));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidKey`], [`Error::InvalidValue`], [`Error::Malformed`] (no
    /// `=`) or [`Error::TooManyMembers`].
    pub fn parse_lines(lines: &[&'a str]) -> Result<Self, Error> {
        let mut ts = TraceState::EMPTY;
        let mut sent = 0usize;
        for line in lines {
            for member in entries(line) {
                let member = member?;
                sent += 1;
                if sent > MAX_MEMBERS {
                    return Err(Error::TooManyMembers);
                }
                if ts.get(member.key).is_some() {
                    continue;
                }
                // `len < sent <= MAX_MEMBERS`, so the slot exists.
                if let Some(slot) = ts.members.get_mut(ts.len) {
                    *slot = member;
                    ts.len += 1;
                }
            }
        }
        Ok(ts)
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
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.members()
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value)
    }

    /// Sets `key` to `value` at the front (Level 2 §Mutating: a modified or new
    /// key moves to the front), removing its old position; when that makes 33
    /// members, the right-most is evicted.
    ///
    /// ```
    /// use traceprop::TraceState;
    /// let mut ts = TraceState::parse("a=1,b=2").unwrap();
    /// ts.put("b", "3").unwrap();
    /// assert_eq!(ts.members()[0].value, "3");
    /// assert!(ts.put("B", "x").is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidKey`] or [`Error::InvalidValue`]; the state is unchanged.
    pub fn put(&mut self, key: &'a str, value: &'a str) -> Result<(), Error> {
        validate_key(key)?;
        validate_value(value)?;
        self.remove(key);
        let keep = self.len.min(MAX_MEMBERS - 1);
        self.members.copy_within(..keep, 1);
        self.members[0] = Member { key, value };
        self.len = keep + 1;
        Ok(())
    }

    /// Removes `key`; returns whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        match self.members().iter().position(|m| m.key == key) {
            Some(i) => {
                self.remove_at(i);
                true
            }
            None => false,
        }
    }

    fn remove_at(&mut self, i: usize) {
        self.members.copy_within(i + 1..self.len, i);
        self.len -= 1;
        self.members[self.len] = Member::EMPTY;
    }

    /// The length of the encoded value.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        let sum: usize = self.members().iter().map(Member::len).sum();
        sum + self.len.saturating_sub(1)
    }

    /// Removes whole entries until the encoded value is at most `max_len`
    /// characters: first entries longer than 128 characters (right-most first),
    /// then entries from the right (Level 2 §tracestate Limits).
    ///
    /// ```
    /// use traceprop::TraceState;
    /// let long = "x".repeat(200);
    /// let header = format!("a=1,b={long},c=3");
    /// let mut ts = TraceState::parse(&header).unwrap();
    /// ts.truncate(100);
    /// assert_eq!(ts.encoded_len(), 7); // a=1,c=3
    /// ```
    pub fn truncate(&mut self, max_len: usize) {
        while self.encoded_len() > max_len {
            let long = self
                .members()
                .iter()
                .rposition(|m| m.len() > LONG_ENTRY_LEN);
            self.remove_at(long.unwrap_or(self.len - 1));
        }
    }

    /// Writes the members joined by `,` (no spaces); returns the length, 0 when
    /// empty (an empty tracestate is never sent).
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(out);
        for (i, m) in self.members().iter().enumerate() {
            if i > 0 {
                w.push_byte(b',')?;
            }
            w.push_str(m.key)?;
            w.push_byte(b'=')?;
            w.push_str(m.value)?;
        }
        Ok(w.len())
    }
}

/// Iterates the members of one header value without validating the whole
/// list: empty members are skipped, each item is a member or its error.
///
/// ```
/// use traceprop::w3c::tracestate;
/// let keys: Vec<_> = tracestate::entries("a=1,,b=2").map(|m| m.unwrap().key).collect();
/// assert_eq!(keys, ["a", "b"]);
/// ```
pub fn entries(value: &str) -> impl Iterator<Item = Result<Member<'_>, Error>> {
    value
        .split(',')
        .map(trim_ows)
        .filter(|m| !m.is_empty())
        .map(|m| {
            let (key, value) = m.split_once('=').ok_or(Error::Malformed)?;
            validate_key(key)?;
            validate_value(value)?;
            Ok(Member { key, value })
        })
}

/// Checks the Level 2 key grammar: `(lcalpha / DIGIT) 0*255(keychar)`.
///
/// # Errors
/// [`Error::InvalidKey`].
pub fn validate_key(key: &str) -> Result<(), Error> {
    let b = key.as_bytes();
    let first_ok = matches!(b.first(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = b.iter().skip(1).all(|&c| {
        c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || matches!(c, b'_' | b'-' | b'*' | b'/' | b'@')
    });
    if first_ok && rest_ok && b.len() <= MAX_KEY_LEN {
        Ok(())
    } else {
        Err(Error::InvalidKey)
    }
}

/// Checks the value grammar: 1 to 256 characters of 0x20-0x7E except `,` and
/// `=`, not ending in a space.
///
/// # Errors
/// [`Error::InvalidValue`].
pub fn validate_value(value: &str) -> Result<(), Error> {
    let b = value.as_bytes();
    let chars_ok = b
        .iter()
        .all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=');
    let last_ok = matches!(b.last(), Some(&c) if c != b' ');
    if chars_ok && last_ok && b.len() <= MAX_VALUE_LEN {
        Ok(())
    } else {
        Err(Error::InvalidValue)
    }
}

/// The tracestate of the request: all lines combined. Callers must ignore it
/// when the traceparent is invalid (W3C §Processing Model).
///
/// # Errors
/// [`Error::TooManyMembers`] when more lines came than members allowed, or
/// [`TraceState::parse_lines`]' error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<TraceState<'a>, Error> {
    if headers.tracestate_overflowed() {
        return Err(Error::TooManyMembers);
    }
    TraceState::parse_lines(headers.tracestate_lines())
}

/// Writes the `tracestate` header of `p`, unless it is empty.
///
/// # Errors
/// [`Error::BufferTooSmall`] cannot happen (the stack buffer holds
/// [`MAX_LEN`]), but is passed on for uniformity.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    if p.tracestate.is_empty() {
        return Ok(());
    }
    let mut buf = [0u8; MAX_LEN];
    let n = p.tracestate.encode(&mut buf)?;
    sink.set(Header::Tracestate.name(), crate::buffer::as_text(&buf, n));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_evicts_right_most() {
        let mut ts = TraceState::EMPTY;
        const KEYS: [&str; 33] = [
            "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13",
            "k14", "k15", "k16", "k17", "k18", "k19", "k20", "k21", "k22", "k23", "k24", "k25",
            "k26", "k27", "k28", "k29", "k30", "k31", "k32",
        ];
        for k in KEYS {
            ts.put(k, "v").unwrap();
        }
        assert_eq!(ts.len(), 32);
        assert_eq!(ts.members()[0].key, "k32");
        assert_eq!(ts.get("k0"), None);
        assert_eq!(ts.get("k1"), Some("v"));
    }

    /// `k0=v,k1=v,…` with `n` members, the first `dup` of them repeated at
    /// the end.
    fn members(n: usize, dup: usize, buf: &mut [u8]) -> &str {
        let mut w = Writer::new(buf);
        for i in (0..n).chain(0..dup) {
            if !w.is_empty() {
                w.push_byte(b',').unwrap();
            }
            let (digits, len) = crate::hex::format_decimal(i as u64);
            w.push_byte(b'k').unwrap();
            w.push(&digits[..len]).unwrap();
            w.push_str("=v").unwrap();
        }
        let n = w.len();
        core::str::from_utf8(&buf[..n]).unwrap()
    }

    #[test]
    fn members_are_counted_as_sent() {
        let mut buf = [0u8; 512];
        assert_eq!(
            TraceState::parse(members(32, 0, &mut buf)).unwrap().len(),
            32
        );
        // 33 list-members, one of them a repeated key: over the grammar's 32.
        assert_eq!(
            TraceState::parse(members(32, 1, &mut buf)),
            Err(Error::TooManyMembers)
        );
        assert_eq!(
            TraceState::parse(members(31, 1, &mut buf)).unwrap().len(),
            31
        );
        // Empty list members do not count.
        let lines = [members(16, 0, &mut buf), ", ,,"];
        let mut other = [0u8; 512];
        let more = members(32, 0, &mut other);
        let more = more.get(more.find("k16").unwrap()..).unwrap();
        assert_eq!(
            TraceState::parse_lines(&[lines[0], lines[1], more])
                .unwrap()
                .len(),
            32
        );
    }

    #[test]
    fn put_moves_an_existing_key_to_the_front() {
        let mut ts = TraceState::parse("a=1,b=2,c=3").unwrap();
        ts.put("c", "4").unwrap();
        let mut buf = [0u8; 32];
        let n = ts.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"c=4,a=1,b=2");
        assert_eq!(ts.put("a", "bad "), Err(Error::InvalidValue));
        assert_eq!(ts.len(), 3);
    }

    #[test]
    fn truncate_drops_long_entries_then_from_the_right() {
        // 600 characters: a=<180 x>, then 9 short entries, then b=<200 y>,
        // then short ones; the two long entries go first, right-most first.
        let mut buf = [0u8; 700];
        let mut w = Writer::new(&mut buf);
        w.push_str("a=").unwrap();
        w.push(&[b'x'; 180]).unwrap();
        for key in ["c", "d", "e", "f", "g", "h", "i", "j", "k"] {
            w.push_str(",").unwrap();
            w.push_str(key).unwrap();
            w.push_str("=").unwrap();
            w.push(&[b'v'; 20]).unwrap();
        }
        w.push_str(",b=").unwrap();
        w.push(&[b'y'; 200]).unwrap();
        w.push_str(",l=1,m=2").unwrap();
        let n = w.len();
        let text = core::str::from_utf8(&buf[..n]).unwrap();
        let mut ts = TraceState::parse(text).unwrap();
        assert_eq!(ts.encoded_len(), 600);
        ts.truncate(TRUNCATE_LEN);
        // Removing `b` (202 chars) leaves 600 - 203 = 397: short enough.
        assert_eq!(ts.encoded_len(), 397);
        assert_eq!(ts.get("b"), None);
        assert!(ts.get("a").is_some());
        ts.truncate(200);
        // Then `a` (182 chars), then `m`, `l`, `k` from the right.
        assert_eq!(ts.get("a"), None);
        let keys: [&str; 9] = core::array::from_fn(|i| ts.members().get(i).map_or("", |m| m.key));
        assert_eq!(keys, ["c", "d", "e", "f", "g", "h", "i", "j", ""]);
        assert_eq!(ts.encoded_len(), 8 * 22 + 7);
        ts.truncate(0);
        assert!(ts.is_empty());
    }

    #[test]
    fn grammar_edges() {
        assert!(validate_key("1abc").is_ok());
        assert!(validate_key("foo@@bar").is_ok());
        assert!(validate_key("@foo").is_err());
        assert!(validate_value("  bar").is_ok());
        assert!(validate_value("bar ").is_err());
        assert!(validate_value("").is_err());
        assert!(validate_value("a\tb").is_err());
    }
}
