//! W3C `tracestate` (Trace Context Level 2 §3.3): parsing with the Level 2 key
//! grammar, and the mutation rules (put-to-front, 32-member eviction,
//! truncation to 512 characters).

use crate::carrier::{trim_ows, Header, Headers, Sink};
use crate::context::Propagation;
use crate::slots::Slots;
use crate::{text, Error, Writer};

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
#[derive(Clone, Copy)]
pub struct TraceState<'a> {
    members: Slots<Member<'a>, INLINE_MEMBERS, MAX_MEMBERS>,
    len: usize,
    /// The single header line the members were read from when it is their
    /// encoding byte for byte ([`TraceState::push_line`]), else empty:
    /// injection writes it as is. Every change to the members empties it.
    line: &'a str,
}

/// Members stored inline before a tracestate grows to [`MAX_MEMBERS`] slots.
const INLINE_MEMBERS: usize = 8;

impl PartialEq for TraceState<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.members() == other.members()
    }
}

impl Eq for TraceState<'_> {}

impl core::fmt::Debug for TraceState<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TraceState")
            .field("members", &self.members())
            .finish()
    }
}

impl Default for TraceState<'_> {
    /// [`TraceState::EMPTY`].
    fn default() -> Self {
        TraceState::new()
    }
}

impl<'a> TraceState<'a> {
    /// No members.
    pub const EMPTY: TraceState<'static> = TraceState {
        members: Slots::new(Member::EMPTY),
        len: 0,
        line: "",
    };

    /// [`TraceState::EMPTY`], written in place rather than copied.
    #[inline]
    pub(crate) fn new() -> Self {
        TraceState {
            members: Slots::filled(Member::EMPTY),
            len: 0,
            line: "",
        }
    }

    /// A copy made from the inline slots, when the list never grew to
    /// [`MAX_MEMBERS`]: moving a `TraceState` copies room for every member.
    /// `by_item` copies only the members (see [`Slots::small_items`]).
    #[inline(always)]
    pub(crate) fn copy_small(&self, by_item: bool) -> Option<Self> {
        let members = if by_item {
            self.members.small_items(self.len, Member::EMPTY)?
        } else {
            self.members.small()?
        };
        Some(TraceState {
            members: Slots::Small(members),
            len: self.len,
            line: self.line,
        })
    }

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
        let mut ts = TraceState::new();
        ts.parse_lines_into(lines)?;
        Ok(ts)
    }

    /// [`TraceState::parse_lines`] into this (empty) tracestate, which is left
    /// empty on error.
    fn parse_lines_into(&mut self, lines: &[&'a str]) -> Result<(), Error> {
        let parsed = self.push_lines(lines);
        if parsed.is_err() {
            self.clear();
        }
        parsed
    }

    /// Reads a single line in one pass when it can ([`TraceState::push_line`]),
    /// anything else with [`entries`].
    fn push_lines(&mut self, lines: &[&'a str]) -> Result<(), Error> {
        if let [line] = lines {
            if self.push_line(line) {
                return Ok(());
            }
        }
        self.push_entries(lines)
    }

    /// Reads `line` into this empty tracestate when it holds only valid
    /// members with distinct keys, at most 32, joined by `,` with or without
    /// OWS ([`read_line`]), and keeps it when it has no OWS. Returns false
    /// for any other line (an empty or invalid member, a repeated key, too
    /// many members), leaving the tracestate empty.
    fn push_line(&mut self, line: &'a str) -> bool {
        loop {
            let slots = self.members.as_mut_slice();
            let room = slots.len();
            let mut len = 0;
            let read = read_line(line, slots, &mut len);
            self.len = len;
            match read {
                Ok(verbatim) => {
                    self.line = if verbatim { line } else { "" };
                    return true;
                }
                // More members than slots: grow, and read again.
                Err(Stop::Full) if room < MAX_MEMBERS => {
                    let _ = self.members.slot(room, Member::EMPTY);
                }
                Err(_) => {
                    self.clear();
                    return false;
                }
            }
        }
    }

    /// The general parser of [`TraceState::parse_lines`].
    fn push_entries(&mut self, lines: &[&'a str]) -> Result<(), Error> {
        let mut sent = 0usize;
        for line in lines {
            for member in entries(line) {
                let member = member?;
                sent += 1;
                if sent > MAX_MEMBERS {
                    return Err(Error::TooManyMembers);
                }
                if self.get(member.key).is_some() {
                    continue;
                }
                // `len < sent <= MAX_MEMBERS`, so the slot exists.
                if let Some(slot) = self.members.slot(self.len, Member::EMPTY) {
                    *slot = member;
                    self.len += 1;
                }
            }
        }
        Ok(())
    }

    /// Removes every member.
    pub(crate) fn clear(&mut self) {
        for m in self.members.as_mut_slice().iter_mut().take(self.len) {
            *m = Member::EMPTY;
        }
        self.len = 0;
        self.line = "";
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
        // Makes room for `keep + 1` members (`keep < MAX_MEMBERS`).
        let _ = self.members.slot(keep, Member::EMPTY);
        let members = self.members.as_mut_slice();
        members.copy_within(..keep, 1);
        members[0] = Member { key, value };
        self.len = keep + 1;
        self.line = "";
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
        let members = self.members.as_mut_slice();
        members.copy_within(i + 1..self.len, i);
        self.len -= 1;
        members[self.len] = Member::EMPTY;
        self.line = "";
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
    text::split(value, b',')
        .map(trim_ows)
        .filter(|m| !m.is_empty())
        .map(|m| {
            let (key, value) = text::split_once(m, b'=').ok_or(Error::Malformed)?;
            validate_key(key)?;
            validate_value(value)?;
            Ok(Member { key, value })
        })
}

/// Why [`read_line`] stopped before the end of the line.
enum Stop {
    /// Every slot is taken and another member came.
    Full,
    /// The general parser must read the line.
    Other,
}

/// Reads the members of `line` into `slots`, counting them in `len`, when
/// each is valid and not empty and no key repeats; returns whether the line
/// had no OWS, and so is the encoding of its members.
fn read_line<'a>(line: &'a str, slots: &mut [Member<'a>], len: &mut usize) -> Result<bool, Stop> {
    let mut verbatim = true;
    let mut rest = line;
    loop {
        let read = first_member(rest).ok_or(Stop::Other)?;
        let (seen, free) = slots.split_at_mut_checked(*len).ok_or(Stop::Other)?;
        if seen.iter().any(|m| m.key == read.member.key) {
            return Err(Stop::Other);
        }
        *free.first_mut().ok_or(Stop::Full)? = read.member;
        *len += 1;
        verbatim &= !read.ows;
        match read.rest {
            Some(after) => rest = after,
            None => return Ok(verbatim),
        }
    }
}

/// A member read by [`first_member`].
struct FirstMember<'a> {
    member: Member<'a>,
    /// The text after its `,`; `None` at the end.
    rest: Option<&'a str>,
    /// Whether OWS was around it.
    ows: bool,
}

/// The first member of `s`, OWS around it skipped, when it is valid and not
/// empty: keys are checked byte by byte, values 8 bytes at a time.
fn first_member(s: &str) -> Option<FirstMember<'_>> {
    let mut s = s;
    let mut key_len = key_chars(s)?;
    let before = key_len == 0 && s.starts_with([' ', '\t']);
    if before {
        s = s.trim_start_matches([' ', '\t']);
        key_len = key_chars(s)?;
    }
    let (key, rest) = s.split_at_checked(key_len)?;
    let rest = rest.strip_prefix('=')?;
    let (mut value, mut rest) = rest.split_at_checked(value_len(rest.as_bytes()))?;
    // Spaces are value characters, so OWS before the `,` ends the value or
    // stops it at a tab.
    let after = value.ends_with(' ') || rest.starts_with('\t');
    if after {
        value = value.trim_end_matches(' ');
        rest = rest.trim_start_matches([' ', '\t']);
    }
    let rest = match rest.strip_prefix(',') {
        Some(rest) => Some(rest),
        None if rest.is_empty() => None,
        None => return None,
    };
    let valid = s
        .as_bytes()
        .first()
        .is_some_and(|&c| class(c) & KEY_FIRST != 0)
        && key.len() <= MAX_KEY_LEN
        && !value.is_empty()
        && value.len() <= MAX_VALUE_LEN;
    valid.then_some(FirstMember {
        member: Member { key, value },
        rest,
        ows: before || after,
    })
}

/// How many key characters `s` starts with; `None` when nothing else follows.
fn key_chars(s: &str) -> Option<usize> {
    s.bytes().position(|c| class(c) & KEY == 0)
}

/// How many value characters `v` starts with: 8 at a time ([`special`])
/// while all are, then one by one.
fn value_len(v: &[u8]) -> usize {
    let mut words = v.chunks_exact(8);
    let mut n = 0;
    for word in &mut words {
        let found = special(word.try_into().map_or(0, u64::from_le_bytes));
        if found != 0 {
            return n + (found.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let rest = words.remainder();
    n + rest
        .iter()
        .position(|&c| class(c) & VALUE == 0)
        .unwrap_or(rest.len())
}

/// The bytes of `word` that are `,`, `=`, or outside 0x20-0x7E, each
/// marked by its high bit (bit 7 for the first byte, 15 for the second…).
fn special(word: u64) -> u64 {
    const LOW: u64 = u64::from_le_bytes([0x7f; 8]);
    let bytes = |b: u8| u64::from_le_bytes([b; 8]);
    // Each byte's low 7 bits, so that no sum below carries into the next
    // byte: each sets a byte's high bit exactly when the byte passes its test.
    let low = word & LOW;
    let not_comma = (low ^ bytes(b',')) + LOW;
    let not_equals = (low ^ bytes(b'=')) + LOW;
    let not_del = (low ^ LOW) + LOW;
    let at_least_space = low + bytes(0x80 - b' ');
    let ordinary = not_comma & not_equals & not_del & at_least_space & !word;
    !(ordinary | LOW)
}

/// Checks the Level 2 key grammar: `(lcalpha / DIGIT) 0*255(keychar)`.
///
/// # Errors
/// [`Error::InvalidKey`].
pub fn validate_key(key: &str) -> Result<(), Error> {
    let b = key.as_bytes();
    let first_ok = b.first().is_some_and(|&c| class(c) & KEY_FIRST != 0);
    let rest_ok = b.iter().fold(KEY, |all, &c| all & class(c)) != 0;
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
    let chars_ok = b.iter().fold(VALUE, |all, &c| all & class(c)) != 0;
    let last_ok = matches!(b.last(), Some(&c) if c != b' ');
    if chars_ok && last_ok && b.len() <= MAX_VALUE_LEN {
        Ok(())
    } else {
        Err(Error::InvalidValue)
    }
}

/// [`CLASSES`] bit: may start a key (`lcalpha` / `DIGIT`).
const KEY_FIRST: u8 = 1;
/// [`CLASSES`] bit: a key character (`lcalpha` / `DIGIT` / `_-*/@`).
const KEY: u8 = 2;
/// [`CLASSES`] bit: a value character (0x20-0x7E but `,` and `=`).
const VALUE: u8 = 4;

/// The grammar classes of every byte, so each check is one table load and
/// a whole key or value is checked without a branch per byte.
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let first = b.is_ascii_lowercase() || b.is_ascii_digit();
        let key = first || matches!(b, b'_' | b'-' | b'*' | b'/' | b'@');
        let value = matches!(b, 0x20..=0x7e) && b != b',' && b != b'=';
        t[c] = if first { KEY_FIRST } else { 0 }
            | if key { KEY } else { 0 }
            | if value { VALUE } else { 0 };
        c += 1;
    }
    t
};

fn class(c: u8) -> u8 {
    CLASSES[usize::from(c)]
}

/// The tracestate of the request: all lines combined. Callers must ignore it
/// when the traceparent is invalid (W3C §Processing Model).
///
/// # Errors
/// [`Error::TooManyMembers`] when more lines came than members allowed, or
/// [`TraceState::parse_lines`]' error.
pub fn extract<'a>(headers: &Headers<'a>) -> Result<TraceState<'a>, Error> {
    let mut ts = TraceState::new();
    extract_into(headers, &mut ts)?;
    Ok(ts)
}

/// [`extract`] into `into` (empty), which is left empty on error.
pub(crate) fn extract_into<'a>(
    headers: &Headers<'a>,
    into: &mut TraceState<'a>,
) -> Result<(), Error> {
    if headers.tracestate_overflowed() {
        return Err(Error::TooManyMembers);
    }
    into.parse_lines_into(headers.tracestate_lines())
}

/// Writes the `tracestate` header of `p`, unless it is empty: the received
/// line as is when the members are still the ones read from it, else their
/// encoding.
///
/// # Errors
/// [`Error::BufferTooSmall`] cannot happen (the stack buffer holds
/// [`MAX_LEN`]), but is passed on for uniformity.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let ts = &p.tracestate;
    if !ts.line.is_empty() {
        sink.set(Header::Tracestate.name(), ts.line);
        return Ok(());
    }
    if ts.is_empty() {
        return Ok(());
    }
    inject_encoded(ts, sink)
}

/// [`inject`] by encoding the members, out of line: the common case needs no
/// buffer.
#[inline(never)]
fn inject_encoded(ts: &TraceState<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    crate::buffer::encode_tiered::<MAX_LEN>(&|buf| ts.encode(buf), &mut |value| {
        sink.set(Header::Tracestate.name(), value);
    })
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
    fn equal_whatever_the_storage() {
        // Grown past the inline slots, then back to two members.
        let mut buf = [0u8; 512];
        let mut ts = TraceState::parse(members(20, 0, &mut buf)).unwrap();
        for i in 2..20 {
            let mut key = [0u8; 3];
            let (digits, n) = crate::hex::format_decimal(i);
            key[0] = b'k';
            key[1..=n].copy_from_slice(&digits[..n]);
            assert!(ts.remove(core::str::from_utf8(&key[..=n]).unwrap()));
        }
        assert_eq!(ts, TraceState::parse("k0=v,k1=v").unwrap());
        assert_ne!(ts, TraceState::parse("k1=v,k0=v").unwrap());
        assert_eq!(TraceState::default(), TraceState::EMPTY);
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

    /// The general parser alone.
    fn general(line: &str) -> Result<TraceState<'_>, Error> {
        let mut ts = TraceState::new();
        ts.push_entries(&[line]).map(|()| ts)
    }

    /// Whether the one-pass reader takes `line`. When it does, it must read
    /// what the general parser reads, and keep `line` exactly when `line` is
    /// the encoding of its members; when it does not, it must leave the
    /// tracestate empty.
    pub(super) fn read_fast(line: &str) -> bool {
        let mut fast = TraceState::new();
        if !fast.push_line(line) {
            let cleared = fast.members.as_slice().iter().all(Member::is_empty);
            assert!(
                fast.is_empty() && fast.line.is_empty() && cleared,
                "{line:?}"
            );
            return false;
        }
        assert_eq!(Ok(fast), general(line), "{line:?}");
        let mut buf = [0u8; MAX_LEN];
        let n = fast.encode(&mut buf).unwrap();
        let verbatim = &buf[..n] == line.as_bytes();
        assert_eq!(fast.line, if verbatim { line } else { "" }, "{line:?}");
        true
    }

    /// `line` with the byte at `at` replaced by `with`, in `buf`.
    fn splice<'b>(line: &str, at: usize, with: &str, buf: &'b mut [u8]) -> &'b str {
        let mut w = Writer::new(buf);
        w.push(&line.as_bytes()[..at]).unwrap();
        w.push_str(with).unwrap();
        w.push(&line.as_bytes()[at + 1..]).unwrap();
        let n = w.len();
        core::str::from_utf8(&buf[..n]).unwrap()
    }

    #[test]
    fn single_lines_read_as_the_general_parser_does() {
        // A multi-tenant key, a value with leading spaces, a word-long value,
        // and a `dd` member.
        let base = "k@sys=  a b,0x=00f067aa0ba902b7,dd=s:2;o:rum~x";
        assert!(read_fast(base));
        let mut read = 0;
        for at in 0..base.len() {
            for with in [
                " ", "\t", ",", "=", "@", "a", "0", "_", "A", "\x7f", "\x01", "\u{e9}", "",
            ] {
                let mut buf = [0u8; 64];
                if read_fast(splice(base, at, with, &mut buf)) {
                    read += 1;
                }
            }
        }
        // At least: every byte set to itself; key bytes but the first to
        // `@`, `a`, `0`, `_`; value bytes to ` `, `@`, `a`, `0`, `_`, `A`;
        // each `,` to ` ` or a tab after it.
        assert!(read >= 46 + 3 * 4 + 32 * 6 + 2, "{read}");
        for (line, fast) in [
            ("a=1", true),
            ("a=  1", true),
            ("1a-_*/@x=v", true),
            ("a=1, b=2", true),
            ("a=1 \t ,\tb=2 ", true),
            (" a=1", true),
            ("a=1\t", true),
            ("a=1,a=2", false),
            ("a=1,,b=2", false),
            ("a=1,", false),
            (",a=1", false),
            ("a=1 , ", false),
            ("a=  ,b=2", false),
            ("a=1 \t 2", false),
            ("A=1", false),
            ("@a=1", false),
            ("a =1", false),
            ("a=b=c", false),
            ("a", false),
            ("a=", false),
            ("", false),
            (" ", false),
        ] {
            assert_eq!(read_fast(line), fast, "{line:?}");
        }
    }

    #[test]
    fn single_line_limits() {
        let mut buf = [0u8; 512];
        // Past the inline slots, the storage grows and the line is read again.
        for n in [1, 8, 9, 20, 32] {
            assert!(read_fast(members(n, 0, &mut buf)), "{n}");
        }
        assert!(!read_fast(members(33, 0, &mut buf)));
        assert!(!read_fast(members(9, 1, &mut buf)));
        let mut long = [b'k'; 2 + 2 * (MAX_KEY_LEN + 1)];
        for (key_len, value_len, fast) in [(256, 256, true), (257, 1, false), (1, 257, false)] {
            long[key_len] = b'=';
            let line = core::str::from_utf8(&long[..key_len + 1 + value_len]).unwrap();
            assert_eq!(read_fast(line), fast, "{key_len} {value_len}");
            long[key_len] = b'k';
        }
    }

    #[test]
    fn special_marks_the_bytes_values_cannot_hold() {
        for c in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', b' ', b',', b'=', 0x7f, 0xff, 0x80, 0] {
                    let mut word = [fill; 8];
                    word[at] = c;
                    let expected = (0..8)
                        .filter(|&i| class(word[i]) & VALUE == 0)
                        .fold(0u64, |m, i| m | 0x80 << (8 * i));
                    assert_eq!(special(u64::from_le_bytes(word)), expected, "{word:?}");
                }
            }
        }
    }

    fn injected<'b>(ts: TraceState<'_>, out: &'b mut [u8]) -> &'b str {
        let ctx = crate::SpanContext::new(crate::TraceId::from_u64(1), crate::SpanId::from_u64(2));
        let mut p = Propagation::new(ctx);
        p.tracestate = ts;
        let mut n = 0;
        inject(&p, &mut |_: &str, v: &str| {
            out[..v.len()].copy_from_slice(v.as_bytes());
            n = v.len();
        })
        .unwrap();
        core::str::from_utf8(&out[..n]).unwrap()
    }

    #[test]
    fn inject_writes_the_received_line_until_a_change() {
        let line = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
        let ts = TraceState::parse(line).unwrap();
        let mut sent = None;
        let p = Propagation {
            tracestate: ts,
            ..Propagation::new(crate::SpanContext::new(
                crate::TraceId::from_u64(1),
                crate::SpanId::from_u64(2),
            ))
        };
        inject(&p, &mut |_: &str, v: &str| sent = Some(v.as_ptr())).unwrap();
        assert_eq!(sent, Some(line.as_ptr()));
        let mut out = [0u8; 64];
        let mut changed = ts;
        changed.put("a", "1").unwrap();
        assert_eq!(
            injected(changed, &mut out),
            "a=1,congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
        );
        let mut removed = ts;
        assert!(removed.remove("congo"));
        assert_eq!(injected(removed, &mut out), "rojo=00f067aa0ba902b7");
        let mut truncated = ts;
        truncated.truncate(20);
        assert_eq!(injected(truncated, &mut out), "congo=t61rcWkgMzE");
        let mut cleared = ts;
        cleared.clear();
        assert_eq!(injected(cleared, &mut out), "");
        let ows = TraceState::parse("congo=t61rcWkgMzE , rojo=00f067aa0ba902b7").unwrap();
        assert_eq!(injected(ows, &mut out), line);
        let lines = TraceState::parse_lines(&["congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7"]);
        assert_eq!(injected(lines.unwrap(), &mut out), line);
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

#[cfg(test)]
mod agreement {
    use super::tests::read_fast;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn single_lines_agree_with_the_general_parser(
            line in "[a-z0-9][a-z0-9@_*/-]{0,4}=[ -+\\--<>-~]{1,18}(\t?,[ \t]?[a-z0-9][a-z0-9@_*/-]{0,3}=[ -+\\--<>-~]{1,12}){0,3}",
        ) {
            read_fast(&line);
        }
    }
}
