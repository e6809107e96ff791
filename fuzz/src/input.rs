//! How fuzz input bytes become codec input: text lines for the single-codec
//! targets, and [`HeaderSet`] (built with `arbitrary`) for the composite ones.

use arbitrary::{Arbitrary, Unstructured};
use traceprop::propagator::{Config, Format, Policy};
use traceprop::Header;

/// The input as UTF-8 text, `None` when it is not (header values reach the
/// core as `&str`).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// The input's `\n`-separated lines (one line when there is no `\n`).
pub fn lines(data: &[u8]) -> Option<Vec<&str>> {
    text(data).map(|t| t.split('\n').collect())
}

/// Headers written by an injection, in order.
pub type Written = Vec<(String, String)>;

/// A sink that records what it is given.
pub fn recorder(out: &mut Written) -> impl FnMut(&str, &str) + '_ {
    move |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()))
}

/// Borrowed `(name, value)` pairs, a carrier.
pub fn pairs(lines: &[(String, String)]) -> Vec<(&str, &str)> {
    lines
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// A configuration and the header lines of one request.
///
/// Byte layout (so that seeds can be written from the vectors, see
/// [`HeaderSet::encode`]): one byte with the format count in its low 4 bits
/// (0 means every format) and the policy in bit 7 (`first` when set), then
/// that many format bytes (index into [`Format::ALL`], modulo its length),
/// then lines until the input ends. A line is a kind byte, then a name, then
/// a value. Kind `k % 8`: 0 to 4 is a known header (`Header::ALL[(k / 8) % 25]`,
/// followed by a byte whose bits upper-case letters of the name), 5 an
/// `uberctx-{key}` name, 6 an `ot-baggage-{key}` name, 7 any name. Strings
/// are a length byte (255: a 2-byte little-endian length follows) and that
/// many bytes, read as lossy UTF-8.
#[derive(Debug, Clone)]
pub struct HeaderSet {
    /// The formats and the policy.
    pub config: Config,
    /// The lines, in order, names in the case sent.
    pub lines: Vec<(String, String)>,
}

const KNOWN: u8 = 0;
const UBERCTX: u8 = 5;
const OT_BAGGAGE: u8 = 6;
const OTHER: u8 = 7;

fn byte(u: &mut Unstructured<'_>) -> u8 {
    u8::arbitrary(u).unwrap_or(0)
}

fn string(u: &mut Unstructured<'_>) -> String {
    let mut len = usize::from(byte(u));
    if len == 255 {
        len = usize::from(u16::from_le_bytes([byte(u), byte(u)]));
    }
    let bytes = u.bytes(len.min(u.len())).unwrap_or_default();
    String::from_utf8_lossy(bytes).into_owned()
}

/// `name` with the letters at positions whose bit (position mod 8) is set in
/// `mask` upper-cased.
fn recase(name: &str, mask: u8) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 8) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

impl<'a> Arbitrary<'a> for HeaderSet {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let head = byte(u);
        let count = usize::from(head & 0x0f);
        let formats: Vec<Format> = if count == 0 {
            Format::ALL.to_vec()
        } else {
            (0..count)
                .map(|_| Format::ALL[usize::from(byte(u)) % Format::COUNT])
                .collect()
        };
        let policy = if head & 0x80 != 0 {
            Policy::First
        } else {
            Policy::Last
        };
        let config = Config::from_formats(&formats).with_policy(policy);
        let mut lines = Vec::new();
        while !u.is_empty() {
            let kind = byte(u);
            let name = match kind % 8 {
                UBERCTX => format!("uberctx-{}", string(u)),
                OT_BAGGAGE => format!("ot-baggage-{}", string(u)),
                OTHER => string(u),
                _ => {
                    let header = Header::ALL[usize::from(kind / 8) % Header::COUNT];
                    recase(header.name(), byte(u))
                }
            };
            lines.push((name, string(u)));
        }
        Ok(HeaderSet { config, lines })
    }
}

fn push_string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let len = b.len().min(usize::from(u16::MAX));
    if len < 255 {
        out.push(len as u8);
    } else {
        out.push(255);
        out.extend_from_slice(&(len as u16).to_le_bytes());
    }
    out.extend_from_slice(&b[..len]);
}

impl HeaderSet {
    /// The bytes that [`HeaderSet::arbitrary`] reads back as `formats`,
    /// `policy` and `lines` (names are matched case-insensitively, so a known
    /// name is written lowercase; `uberctx-`/`ot-baggage-` keys keep their case).
    pub fn encode(formats: &[Format], policy: Policy, lines: &[(String, String)]) -> Vec<u8> {
        let formats = &formats[..formats.len().min(15)];
        let mut out = vec![formats.len() as u8 | if policy == Policy::First { 0x80 } else { 0 }];
        for f in formats {
            let i = Format::ALL.iter().position(|x| x == f).unwrap_or(0);
            out.push(i as u8);
        }
        for (name, value) in lines {
            if let Some(h) = Header::lookup(name) {
                let i = Header::ALL.iter().position(|x| *x == h).unwrap_or(0) as u8;
                out.extend_from_slice(&[i * 8 + KNOWN, 0]);
            } else if let Some(key) = strip_prefix_ignore_case(name, "uberctx-") {
                out.push(UBERCTX);
                push_string(&mut out, key);
            } else if let Some(key) = strip_prefix_ignore_case(name, "ot-baggage-") {
                out.push(OT_BAGGAGE);
                push_string(&mut out, key);
            } else {
                out.push(OTHER);
                push_string(&mut out, name);
            }
            push_string(&mut out, value);
        }
        out
    }
}

/// `name` without `prefix` (matched ignoring ASCII case).
pub(crate) fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &name[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_is_read_back() {
        let lines = vec![
            ("TraceParent".to_owned(), "00-x".to_owned()),
            ("uberctx-User".to_owned(), "a b".to_owned()),
            ("OT-Baggage-k".to_owned(), "v".repeat(300)),
            ("user-agent".to_owned(), "curl".to_owned()),
        ];
        let formats = [Format::Jaeger, Format::TraceContext];
        let bytes = HeaderSet::encode(&formats, Policy::First, &lines);
        let set = HeaderSet::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        assert_eq!(set.config.formats(), &formats);
        assert_eq!(set.config.policy(), Policy::First);
        let names: Vec<&str> = set.lines.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["traceparent", "uberctx-User", "ot-baggage-k", "user-agent"]
        );
        assert_eq!(set.lines[2].1.len(), 300);
    }

    #[test]
    fn empty_input_is_every_format_and_no_line() {
        let set = HeaderSet::arbitrary(&mut Unstructured::new(&[])).unwrap();
        assert_eq!(set.config.formats(), &Format::ALL);
        assert!(set.lines.is_empty());
    }
}
