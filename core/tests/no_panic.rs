//! Property tests: no input makes the core panic, and what it accepts keeps
//! its invariants.
//!
//! Inputs are random text, random bytes, the codecs' own alphabet, and random
//! mutations of known-good values: every header value of every vector file
//! (`TRACEPROP_VECTORS`, default `tests/vectors`) plus the examples below.
//! They go to every W3C parser, to the `TraceId`/`SpanId` parsers, and, as
//! random header sets (known names in any case, `uberctx-*`, `ot-baggage-*`,
//! random names, repeated lines), to the composite extract with every format,
//! whose result is injected again.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;
use std::path::PathBuf;
use std::sync::OnceLock;
use traceprop::propagator::{self, Config, Format, Policy};
use traceprop::w3c::baggage::{self, Encoding, Value};
use traceprop::w3c::{traceparent, tracestate};
use traceprop::{Baggage, Error, Header, SpanContext, SpanId, TraceId, TraceState, Writer};

type Check = Result<(), TestCaseError>;

// ------------------------------------------------------------------ seeds

/// Known-good values, so that mutations start from something a parser accepts.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ),
    (
        "traceparent",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-future",
    ),
    ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
    ("tracestate", "foo@bar=  1 , 1a-_*/2b@foo=bar2,,"),
    ("baggage", "userId=Am%C3%A9lie;p1;p2=x, k=a+b%2B , e="),
    ("baggage", "k=%C3%28%E2%82;prop=%41"),
    ("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
    ("x-b3-traceid", "a3ce929d0e0e4736"),
    (
        "uber-trace-id",
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:3",
    ),
    ("uberctx-User", "a+b%20c"),
    ("ot-tracer-traceid", "a3ce929d0e0e4736"),
    ("ot-baggage-k", "v"),
    ("x-datadog-trace-id", "11803532876627986230"),
    ("x-datadog-tags", "_dd.p.tid=4bf92f3577b34da6,_dd.p.dm=-4"),
    (
        "x-amzn-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    ),
    (
        "x-cloud-trace-context",
        "4bf92f3577b34da6a3ce929d0e0e4736/67667974448284343;o=1",
    ),
    ("x-datadog-parent-id", "67667974448284343"),
    ("x-datadog-sampling-priority", "2"),
];

struct Seeds {
    /// Header lines: from the vector files and [`EXAMPLES`].
    lines: Vec<(String, String)>,
    /// Their values alone.
    values: Vec<String>,
}

fn vectors_dir() -> PathBuf {
    match std::env::var_os("TRACEPROP_VECTORS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut lines: Vec<(String, String)> = EXAMPLES
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for entry in std::fs::read_dir(vectors_dir()).expect("vector directory") {
            let path = entry.expect("directory entry").path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).expect("file"))
                .expect("valid JSON");
            for case in doc["cases"].as_array().into_iter().flatten() {
                for list in [&case["extract"], &case["expect"]["headers"]] {
                    for pair in list.as_array().into_iter().flatten() {
                        if let (Some(k), Some(v)) = (pair[0].as_str(), pair[1].as_str()) {
                            lines.push((k.to_owned(), v.to_owned()));
                        }
                    }
                }
            }
        }
        lines.sort();
        lines.dedup();
        let values = lines.iter().map(|(_, v)| v.clone()).collect();
        Seeds { lines, values }
    })
}

// ------------------------------------------------------------------ strategies

/// Characters the codecs give meaning to, plus a few that break them.
const ALPHABET: &[char] = &[
    '0', '1', '9', 'a', 'f', 'g', 'A', 'F', 'z', '-', '_', '=', ',', ';', ':', ' ', '\t', '%', '+',
    '@', '.', '*', '/', '~', '"', '\\', '?', 'é', '\u{fffd}', '\0',
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, char),
    Delete(Index),
    Replace(Index, char),
    Truncate(Index),
    RepeatTail(Index),
    FlipCase(Index),
}

fn a_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => select(ALPHABET), 1 => any::<char>()]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), a_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<Index>().prop_map(Edit::Delete),
        (any::<Index>(), a_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        any::<Index>().prop_map(Edit::Truncate),
        any::<Index>().prop_map(Edit::RepeatTail),
        any::<Index>().prop_map(Edit::FlipCase),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len();
        match e {
            Edit::Insert(i, c) => chars.insert(i.index(len + 1), *c),
            Edit::Delete(i) if len > 0 => drop(chars.remove(i.index(len))),
            Edit::Replace(i, c) if len > 0 => chars[i.index(len)] = *c,
            Edit::Truncate(i) => chars.truncate(i.index(len + 1)),
            Edit::RepeatTail(i) => {
                let tail = chars[i.index(len + 1)..].to_vec();
                chars.extend(tail);
            }
            Edit::FlipCase(i) if len > 0 => {
                let c = &mut chars[i.index(len)];
                *c = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Known-good values, some mutated.
fn mutated(values: Vec<String>) -> impl Strategy<Value = String> {
    (select(values), vec(edit(), 0..4)).prop_map(|(seed, edits)| apply(&seed, &edits))
}

/// Mutated values of the `header` lines only, so a parser mostly sees
/// near-valid input of its own format.
fn values_of(header: &str) -> impl Strategy<Value = String> {
    let values: Vec<String> = seeds()
        .lines
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(header))
        .map(|(_, v)| v.clone())
        .collect();
    assert!(!values.is_empty(), "no seed for {header}");
    mutated(values)
}

/// Random text of every kind, and mutated known-good values.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => mutated(seeds().values.clone()),
        1 => any::<String>(),
        1 => "[0-9a-fA-F=,;: \t%+@._*/~-]{0,80}",
        1 => vec(any::<u8>(), 0..96).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// `name` with each ASCII letter's case chosen by `mask`.
fn recase(name: &str, mask: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (select(Header::ALL.to_vec()), any::<u64>()).prop_map(|(h, m)| recase(h.name(), m)),
        1 => ("[a-zA-Z0-9_.%-]{0,12}", any::<u64>()).prop_map(|(k, m)| recase(&format!("uberctx-{k}"), m)),
        1 => ("[a-zA-Z0-9_.%-]{0,12}", any::<u64>()).prop_map(|(k, m)| recase(&format!("ot-baggage-{k}"), m)),
        1 => "[a-zA-Z0-9_.-]{0,24}",
    ]
}

/// One header line: a known line (mutated, name recased) or a random pair,
/// sent 1 to 3 times.
fn header_line() -> impl Strategy<Value = Vec<(String, String)>> {
    let known = (
        select(seeds().lines.clone()),
        vec(edit(), 0..3),
        any::<u64>(),
    )
        .prop_map(|((k, v), edits, m)| (recase(&k, m), apply(&v, &edits)));
    let line = prop_oneof![2 => known, 1 => (header_name(), text())];
    (line, 1..=3usize).prop_map(|(line, times)| vec![line; times])
}

fn header_set() -> impl Strategy<Value = Vec<(String, String)>> {
    vec(header_line(), 0..10).prop_map(|lines| lines.concat())
}

// ------------------------------------------------------------------ checks

fn as_text(buf: &[u8]) -> &str {
    core::str::from_utf8(buf).expect("encoders write UTF-8")
}

fn decoded(v: &Value<'_>) -> String {
    let mut buf = vec![0u8; v.raw().len()];
    v.decode_into(&mut buf)
        .expect("raw length suffices")
        .to_owned()
}

fn canonical_properties(m: &baggage::Member<'_>) -> String {
    let mut buf = vec![0u8; baggage::MAX_BYTES];
    let mut w = Writer::new(&mut buf);
    m.write_properties(&mut w).expect("fits");
    as_text(w.written()).to_owned()
}

fn check_traceparent(value: &str) -> Check {
    let Ok(tp) = traceparent::parse(value) else {
        return Ok(());
    };
    let ctx = tp.context();
    prop_assert!(ctx.is_valid());
    let mut buf = [0u8; traceparent::MAX_LEN];
    let n = traceparent::encode(&ctx, &mut buf).expect("a valid context encodes");
    let again = traceparent::parse(as_text(&buf[..n])).expect("the encoding parses");
    prop_assert_eq!(again.version, 0);
    prop_assert_eq!((again.trace_id, again.span_id), (tp.trace_id, tp.span_id));
    prop_assert_eq!(again.flags, tp.flags.known());
    Ok(())
}

fn check_tracestate(lines: &[&str]) -> Check {
    let Ok(ts) = TraceState::parse_lines(lines) else {
        return Ok(());
    };
    prop_assert!(ts.len() <= tracestate::MAX_MEMBERS);
    let mut buf = vec![0u8; tracestate::MAX_LEN];
    let n = ts.encode(&mut buf).expect("MAX_LEN suffices");
    prop_assert_eq!(n, ts.encoded_len());
    prop_assert_eq!(n == 0, ts.is_empty());
    let again = TraceState::parse(as_text(&buf[..n])).expect("the encoding parses");
    prop_assert_eq!(again.members(), ts.members());

    let mut cut = ts;
    cut.truncate(tracestate::TRUNCATE_LEN);
    prop_assert!(cut.encoded_len() <= tracestate::TRUNCATE_LEN);
    let mut rest = ts.members().iter();
    for m in cut.members() {
        prop_assert!(
            rest.any(|x| x == m),
            "truncation reordered or changed members"
        );
    }
    let mut put = ts;
    if put.put("k", "v").is_ok() {
        prop_assert_eq!(put.members()[0].key, "k");
        prop_assert!(put.len() <= tracestate::MAX_MEMBERS);
    }
    Ok(())
}

fn check_baggage(lines: &[&str]) -> Check {
    let b = Baggage::parse_lines(lines);
    prop_assert!(b.len() <= baggage::MAX_MEMBERS);
    let size: usize = b.members().iter().map(baggage::Member::size).sum();
    prop_assert!(size + b.len().saturating_sub(1) <= baggage::MAX_BYTES);
    let mut buf = vec![0u8; baggage::MAX_LEN];
    let n = b.encode(&mut buf).expect("MAX_LEN suffices");
    let encoded = as_text(&buf[..n]).to_owned();
    let again = Baggage::parse(&encoded);
    // What is written re-parses to the same members (a member the encoding
    // pushed past the limits is left out whole), and writing it again is
    // the identity.
    let mut rest = b.members().iter();
    for m in again.members() {
        let original = rest.find(|x| x.key == m.key);
        prop_assert!(original.is_some(), "member {} reordered or invented", m.key);
        let original = original.expect("checked");
        prop_assert_eq!(decoded(&m.value), decoded(&original.value));
        prop_assert_eq!(canonical_properties(m), canonical_properties(original));
    }
    let mut buf2 = vec![0u8; baggage::MAX_LEN];
    let n2 = again.encode(&mut buf2).expect("MAX_LEN suffices");
    prop_assert_eq!(as_text(&buf2[..n2]), encoded.as_str());
    Ok(())
}

fn check_values(value: &str) -> Check {
    for encoding in [Encoding::Percent, Encoding::Query, Encoding::Raw] {
        let Ok(v) = Value::new(value, encoding) else {
            continue;
        };
        let plain = decoded(&v);
        // Decoding never grows a value.
        prop_assert!(plain.len() <= value.len());
        // Percent-encoding the decoded text round-trips.
        let mut buf = vec![0u8; 3 * plain.len()];
        let mut w = Writer::new(&mut buf);
        baggage::percent_encode(plain.as_bytes(), &mut w, |c| {
            baggage::is_baggage_octet(c) && c != b'%'
        })
        .expect("3 bytes per byte suffice");
        let again = Value::new(as_text(w.written()), Encoding::Percent).expect("encoded is valid");
        prop_assert_eq!(decoded(&again), plain);
    }
    for member in tracestate::entries(value).flatten() {
        prop_assert!(tracestate::validate_key(member.key).is_ok());
        prop_assert!(tracestate::validate_value(member.value).is_ok());
    }
    for member in baggage::entries(value).flatten() {
        prop_assert!(baggage::is_token(member.key));
    }
    Ok(())
}

fn check_ids(value: &str) -> Check {
    if let Ok(t) = TraceId::from_hex(value) {
        prop_assert_eq!(t.to_hex().to_string(), value);
    }
    if let Ok(t) = TraceId::from_hex_short(value) {
        prop_assert!(value.len() == 16 || value.len() == 32);
        prop_assert!(t.to_hex().ends_with(value));
    }
    if let Ok(s) = SpanId::from_hex(value) {
        prop_assert_eq!(s.to_hex().to_string(), value);
    }
    if let Ok(s) = SpanId::from_decimal(value) {
        prop_assert_eq!(s.to_decimal().to_string(), value.trim_start_matches('0'));
    }
    if let Ok(t) = TraceId::from_datadog(value, None) {
        prop_assert_eq!(t.to_datadog().0.to_string(), value.trim_start_matches('0'));
    }
    if let Ok(t) = TraceId::from_xray_root(value) {
        prop_assert_eq!(t.to_xray_root().to_string(), value);
    }
    Ok(())
}

/// The formats whose headers carry the whole 128-bit trace id and span id.
fn lossless(format: Format) -> bool {
    !matches!(format, Format::Baggage | Format::OtTrace)
}

fn check_composite(lines: &[(String, String)], policy: Policy) -> Check {
    let pairs: Vec<(&str, &str)> = lines
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let config = Config::from_formats(&Format::ALL).with_policy(policy);
    let x = propagator::extract(&config, pairs.as_slice());

    for (_, ctx) in x.matched() {
        prop_assert!(ctx.is_valid());
    }
    let expected = match policy {
        Policy::Last => x.matched().last(),
        Policy::First => x.matched().first(),
    };
    prop_assert_eq!(x.context, expected.map(|(_, c)| *c));
    prop_assert_eq!(x.source, expected.map(|(f, _)| *f));
    for r in x.rejected() {
        prop_assert_ne!(r.error, Error::Missing);
        prop_assert!(x.matched().iter().all(|(f, _)| *f != r.format));
    }
    prop_assert!(x.baggage.len() <= baggage::MAX_MEMBERS);
    if !x.tracestate.is_empty() {
        let w3c = x.matched().iter().find(|(f, _)| *f == Format::TraceContext);
        prop_assert_eq!(w3c.map(|(_, c)| c.trace_id), x.context.map(|c| c.trace_id));
    }

    let mut written: Vec<(String, String)> = Vec::new();
    propagator::inject(&config, &x.propagation(), &mut |k: &str, v: &str| {
        written.push((k.to_owned(), v.to_owned()))
    });
    for (name, _) in &written {
        prop_assert_eq!(name, &name.to_ascii_lowercase());
        if x.context.is_none() {
            prop_assert_eq!(name, "baggage", "a trace header without a context");
        }
    }
    if let Some(ctx) = x.context {
        for format in Format::ALL.into_iter().filter(|f| f.carries_context()) {
            check_reextract(format, &x.propagation(), &ctx)?;
        }
    }
    let _ = propagator::translate(
        &config,
        &config,
        pairs.as_slice(),
        &mut |_: &str, _: &str| {},
    );
    Ok(())
}

/// What `format` writes for `p` extracts again to the same ids.
fn check_reextract(format: Format, p: &traceprop::Propagation<'_>, ctx: &SpanContext<'_>) -> Check {
    let mut written: Vec<(String, String)> = Vec::new();
    let _ = format.inject(p, &mut |k: &str, v: &str| {
        written.push((k.to_owned(), v.to_owned()))
    });
    if written.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(&str, &str)> = written
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let x = propagator::extract(&Config::from_formats(&[format]), pairs.as_slice());
    let Some(again) = x.context else {
        return Err(TestCaseError::fail(format!(
            "{} wrote {written:?} for {ctx:?}, which extracts to nothing ({:?})",
            format.name(),
            x.rejected()
        )));
    };
    prop_assert_eq!(again.span_id, ctx.span_id, "{} span id", format.name());
    if lossless(format) {
        prop_assert_eq!(again.trace_id, ctx.trace_id, "{} trace id", format.name());
    } else {
        prop_assert_eq!(
            again.trace_id.low(),
            ctx.trace_id.low(),
            "{}",
            format.name()
        );
    }
    Ok(())
}

// ------------------------------------------------------------------ properties

proptest! {
    // Failures print the minimal input; no regression file is written.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn traceparent_near_valid(value in values_of("traceparent")) {
        check_traceparent(&value)?;
        check_ids(&value)?;
    }

    #[test]
    fn tracestate_near_valid(lines in vec(values_of("tracestate"), 1..4)) {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check_tracestate(&lines)?;
        for line in lines {
            check_values(line)?;
        }
    }

    #[test]
    fn baggage_near_valid(lines in vec(values_of("baggage"), 1..4)) {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check_baggage(&lines)?;
        for line in lines {
            check_values(line)?;
        }
    }

    #[test]
    fn w3c_codecs_and_ids_accept_any_value(value in text()) {
        check_traceparent(&value)?;
        check_tracestate(&[&value])?;
        check_baggage(&[&value])?;
        check_values(&value)?;
        check_ids(&value)?;
    }

    #[test]
    fn w3c_lists_accept_any_lines(lines in vec(text(), 0..5)) {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check_tracestate(&lines)?;
        check_baggage(&lines)?;
    }

    #[test]
    fn id_conversions_round_trip(t in any::<u128>(), s in any::<u64>()) {
        let trace = TraceId::from_u128(t);
        let span = SpanId::from_u64(s);
        prop_assert_eq!(TraceId::from_bytes(trace.to_bytes()), trace);
        prop_assert_eq!(TraceId::from_halves(trace.high(), trace.low()), trace);
        prop_assert_eq!(SpanId::from_bytes(span.to_bytes()), span);
        prop_assert_eq!(trace.to_u64().is_ok(), trace.high() == 0);
        if trace.is_valid() {
            prop_assert_eq!(TraceId::from_hex(&trace.to_hex()), Ok(trace));
            prop_assert_eq!(TraceId::from_xray_root(&trace.to_xray_root()), Ok(trace));
        } else {
            prop_assert_eq!(TraceId::from_hex(&trace.to_hex()), Err(Error::ZeroId));
        }
        if trace.low() != 0 {
            let (decimal, tid) = trace.to_datadog();
            let tid = tid.as_ref().map(|t| t.as_str());
            prop_assert_eq!(TraceId::from_datadog(&decimal, tid), Ok(trace));
        }
        if span.is_valid() {
            prop_assert_eq!(SpanId::from_hex(&span.to_hex()), Ok(span));
            prop_assert_eq!(SpanId::from_decimal(&span.to_decimal()), Ok(span));
            prop_assert_eq!(TraceId::from_hex_short(&span.to_hex()), Ok(TraceId::from_u64(s)));
        }
    }

    #[test]
    fn composite_accepts_any_header_set(lines in header_set()) {
        check_composite(&lines, Policy::Last)?;
        check_composite(&lines, Policy::First)?;
    }
}
