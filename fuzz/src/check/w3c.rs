//! W3C `traceparent`, `tracestate` and `baggage`.

use crate::input::{lines, text};
use traceprop::w3c::baggage::{self, Encoding, Value};
use traceprop::w3c::{traceparent, tracestate};
use traceprop::{Baggage, Error, Headers, TraceState, Writer};

fn utf8(buf: &[u8]) -> &str {
    std::str::from_utf8(buf).expect("encoders write UTF-8")
}

/// `traceparent`: parse; a valid value encodes to version 00 with the same
/// ids and the known flags, which parses back and encodes identically; the
/// header path agrees with [`traceparent::parse`], and two lines are a
/// duplicate.
pub fn traceparent(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let parsed = traceparent::parse(s);
    let one = traceparent::extract(&Headers::collect(&[("traceparent", s)]));
    assert_eq!(one, parsed.map(|tp| tp.context()));
    let two = traceparent::extract(&Headers::collect(&[("traceparent", s), ("traceparent", s)]));
    assert_eq!(two, Err(Error::Duplicate));
    let Ok(tp) = parsed else { return };
    let ctx = tp.context();
    assert!(ctx.is_valid());
    let mut buf = [0u8; traceparent::MAX_LEN];
    let n = traceparent::encode(&ctx, &mut buf).expect("a parsed context encodes");
    let first = utf8(&buf[..n]).to_owned();
    assert!(first.starts_with("00-"));
    let again = traceparent::parse(&first).expect("the encoding parses");
    assert_eq!((again.trace_id, again.span_id), (tp.trace_id, tp.span_id));
    assert_eq!(again.flags, tp.flags.known());
    let n = traceparent::encode(&again.context(), &mut buf).expect("encodes");
    assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");
}

/// `tracestate` (lines of one request): a valid list has at most 32 distinct
/// keys; it encodes to `encoded_len` bytes, parses back to the same members
/// and encodes identically; a shorter buffer is an error, not a panic;
/// truncation keeps a subsequence within the limit; the header path agrees
/// with [`TraceState::parse_lines`].
pub fn tracestate(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    let parsed = TraceState::parse_lines(&lines);
    let non_empty: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| !l.trim_matches([' ', '\t']).is_empty())
        .map(|l| ("tracestate", *l))
        .collect();
    if non_empty.len() <= tracestate::MAX_MEMBERS {
        assert_eq!(
            tracestate::extract(&Headers::collect(non_empty.as_slice())),
            parsed
        );
    }
    let Ok(ts) = parsed else { return };
    assert!(ts.len() <= tracestate::MAX_MEMBERS);
    for (i, m) in ts.members().iter().enumerate() {
        assert!(
            ts.members()[..i].iter().all(|x| x.key != m.key),
            "repeated key"
        );
    }
    let mut buf = vec![0u8; tracestate::MAX_LEN];
    let n = ts.encode(&mut buf).expect("MAX_LEN suffices");
    assert_eq!(n, ts.encoded_len());
    let first = utf8(&buf[..n]).to_owned();
    if n > 0 {
        assert_eq!(ts.encode(&mut buf[..n - 1]), Err(Error::BufferTooSmall));
    }
    let again = TraceState::parse(&first).expect("the encoding parses");
    assert_eq!(again.members(), ts.members());
    let n = again.encode(&mut buf).expect("fits");
    assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");

    let mut cut = ts;
    cut.truncate(tracestate::TRUNCATE_LEN);
    assert!(cut.encoded_len() <= tracestate::TRUNCATE_LEN);
    if ts.encoded_len() <= tracestate::TRUNCATE_LEN {
        assert_eq!(cut, ts);
    }
    let mut rest = ts.members().iter();
    for m in cut.members() {
        assert!(
            rest.any(|x| x == m),
            "truncation reordered or changed members"
        );
    }
    let mut put = ts;
    put.put("fuzz", "v").expect("a valid member");
    assert_eq!(put.members()[0].key, "fuzz");
    assert!(put.len() <= tracestate::MAX_MEMBERS);
}

fn decoded(v: &Value<'_>) -> String {
    let mut buf = vec![0u8; v.raw().len()];
    v.decode_into(&mut buf)
        .expect("raw length suffices")
        .to_owned()
}

fn properties(m: &baggage::Member<'_>) -> String {
    let mut buf = vec![0u8; baggage::MAX_BYTES];
    let mut w = Writer::new(&mut buf);
    m.write_properties(&mut w).expect("fits");
    utf8(w.written()).to_owned()
}

/// Every encoding of a raw value: decoding fits the raw length and fails
/// cleanly with one byte less; re-encoding the decoded text as W3C percent
/// escapes decodes to the same text.
fn values(raw: &str) {
    for encoding in [Encoding::Percent, Encoding::Query, Encoding::Raw] {
        let Ok(v) = Value::new(raw, encoding) else {
            assert_ne!(encoding, Encoding::Raw, "a raw value is always accepted");
            continue;
        };
        let plain = decoded(&v);
        assert!(plain.len() <= raw.len());
        if !raw.is_empty() {
            let mut short = vec![0u8; raw.len() - 1];
            assert_eq!(v.decode_into(&mut short), Err(Error::BufferTooSmall));
        }
        let mut buf = vec![0u8; 3 * plain.len()];
        let mut w = Writer::new(&mut buf);
        baggage::percent_encode(plain.as_bytes(), &mut w, |c| {
            baggage::is_baggage_octet(c) && c != b'%'
        })
        .expect("3 bytes per byte suffice");
        let again = Value::new(utf8(w.written()), Encoding::Percent).expect("encoded is valid");
        assert_eq!(decoded(&again), plain);
    }
}

/// The length of `m` as the W3C encoder writes it: `key=value`, the value
/// percent-encoded (3 bytes for each byte outside baggage-octet, `%`, `+`),
/// then `;` and the canonical properties.
fn encoded_len(m: &baggage::Member<'_>) -> usize {
    let value: usize = decoded(&m.value)
        .bytes()
        .map(|c| {
            if baggage::is_baggage_octet(c) && c != b'%' && c != b'+' {
                1
            } else {
                3
            }
        })
        .sum();
    let props = properties(m);
    m.key.len() + 1 + value + if props.is_empty() { 0 } else { 1 + props.len() }
}

/// `baggage` (lines of one request): the list keeps the limits (180 members,
/// 8192 bytes) and distinct keys; its encoding parses back to a subsequence
/// with the same decoded values and canonical properties (all of it unless
/// escaping pushed a member past the limit) and encodes identically; a
/// buffer of exactly the encoded length suffices and one byte less does not;
/// every line's raw value decodes safely in every encoding.
pub fn baggage(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    let b = Baggage::parse_lines(&lines);
    assert!(b.len() <= baggage::MAX_MEMBERS);
    let size: usize = b.members().iter().map(baggage::Member::size).sum();
    assert!(size + b.len().saturating_sub(1) <= baggage::MAX_BYTES);
    for (i, m) in b.members().iter().enumerate() {
        assert!(
            b.members()[..i].iter().all(|x| x.key != m.key),
            "repeated key"
        );
    }
    let mut buf = vec![0u8; baggage::MAX_LEN];
    let n = b.encode(&mut buf).expect("MAX_LEN suffices");
    let first = utf8(&buf[..n]).to_owned();
    let again = Baggage::parse(&first);
    if again.len() == b.len() {
        // Nothing was left out: exactly `n` bytes suffice, one less does not.
        let mut exact = vec![0u8; n];
        assert_eq!(b.encode(&mut exact), Ok(n));
        if n > 0 {
            assert_eq!(b.encode(&mut exact[..n - 1]), Err(Error::BufferTooSmall));
        }
    }
    let mut rest = b.members().iter();
    for m in again.members() {
        let original = rest
            .find(|x| x.key == m.key)
            .expect("reordered or invented");
        assert_eq!(decoded(&m.value), decoded(&original.value));
        assert_eq!(properties(m), properties(original));
    }
    for m in b.members() {
        if again.get(m.key).is_none() {
            // Left out only because it did not fit after the others.
            let before = if first.is_empty() { 0 } else { first.len() + 1 };
            assert!(
                before + encoded_len(m) > baggage::MAX_LEN,
                "{} dropped",
                m.key
            );
        }
    }
    let n2 = again.encode(&mut buf).expect("fits");
    assert_eq!(utf8(&buf[..n2]), first, "encoding is not stable");
    for line in &lines {
        values(line);
        for member in baggage::entries(line).flatten() {
            assert!(baggage::is_token(member.key));
            values(member.value.raw());
        }
    }
}
