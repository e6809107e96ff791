//! Invariants of the whole core (docs/security.md states them), as property
//! tests and bounded-work tests:
//!
//! 1. No panic: every non-W3C parser, extractor and injector on any input
//!    (`no_panic.rs` covers the W3C codecs and the composite), and no
//!    injected value ever holds a control character, whatever the carried
//!    strings hold (no header injection).
//! 2. Bounded work: 1 MiB and 2 MiB values and 10,000-member lists are
//!    handled in one pass and rejected or capped per SEMANTICS. Linearity is
//!    by construction (docs/security.md explains it): the carrier is walked
//!    once whatever the number of formats, every list is capped, and no test
//!    measures time. A quadratic parser would need more than 10^12
//!    steps on these inputs and hang the test run instead of passing.
//! 3. Kept fields: unknown tracestate members, X-Ray fields, `_dd.p.*` tags
//!    and baggage properties survive extract -> inject unchanged.
//! 4. No id is silently truncated: a 128-bit trace id survives every format
//!    (Datadog via `_dd.p.tid`; OT, 64-bit only, as SEMANTICS §5 says, and
//!    `TraceId::to_u64` refuses), and over-long ids are rejected, never cut.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use std::cell::Cell;
use traceprop::datadog::{self, member, tags, Text};
use traceprop::propagator::{self, Config, Extraction, Format, Policy};
use traceprop::w3c::baggage::{self, Encoding, Member, Value};
use traceprop::w3c::tracestate;
use traceprop::{
    b3, cloudtrace, grpc_trace_bin, jaeger, sw8, xray, Baggage, Carrier, DatadogTags, Error,
    Header, Propagation, SpanContext, SpanId, TraceId, TraceState,
};

type Lines = Vec<(String, String)>;

const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const S: &str = "00f067aa0ba902b7";
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn every_format() -> Config {
    Config::from_formats(&Format::ALL)
}

fn extract<'a>(config: &Config, lines: &'a [(String, String)]) -> Extraction<'a> {
    let pairs: Vec<(&str, &str)> = lines
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    propagator::extract(config, pairs.as_slice())
}

fn inject(config: &Config, p: &Propagation<'_>) -> Lines {
    let mut out = Lines::new();
    propagator::inject(config, p, &mut |k: &str, v: &str| {
        out.push((k.to_owned(), v.to_owned()))
    });
    out
}

fn lines(pairs: &[(&str, &str)]) -> Lines {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn value<'a>(written: &'a Lines, name: &str) -> Option<&'a str> {
    written
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn ctx() -> SpanContext<'static> {
    SpanContext::new(TraceId::from_hex(T).unwrap(), SpanId::from_hex(S).unwrap())
        .with_sampled(Some(true))
}

/// No injected header value holds a control character other than HTAB
/// (RFC 9110 §5.5): nothing carried from a request can split a header.
fn no_control_characters(written: &Lines) -> Result<(), TestCaseError> {
    for (name, v) in written {
        prop_assert!(
            !v.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f),
            "{name}: {v:?}"
        );
        prop_assert!(
            name.bytes()
                .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase()),
            "{name:?}"
        );
    }
    Ok(())
}

// ------------------------------------------------------------ 1. no panic

/// Any text: random, header-ish, or a known value with one byte changed.
fn any_text() -> impl Strategy<Value = String> {
    const KNOWN: &[&str] = &[
        "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
        "4bf92f3577b34da6a3ce929d0e0e4736%3A00f067aa0ba902b7%3A0%3A3",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?;Lineage=a87bd80c:1",
        "105445aa7843bc8bf206b12000100000/18446744073709551615;o=1",
        "1-dHJhY2U=-c2Vn-3-YQ==-Yg==-Yw==-ZA==",
        "AABL+S81d7NNpqPOkp0ADkc2ATTwZ6oLqQK3AgE",
        "_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000",
        "s:2;o:synthetics~browser;p:00f067aa0ba902b7;t.dm:-4",
        "tracecontext, b3 single header ,none,DATADOG",
    ];
    let mutated = (
        proptest::sample::select(KNOWN),
        any::<proptest::sample::Index>(),
        any::<char>(),
    )
        .prop_map(|(s, i, c)| {
            let mut chars: Vec<char> = s.chars().collect();
            let at = i.index(chars.len());
            chars[at] = c;
            chars.into_iter().collect()
        });
    prop_oneof![
        2 => mutated,
        1 => any::<String>(),
        1 => "[0-9a-fA-F=,;:~ \t%+/.?_-]{0,80}",
    ]
}

/// Every non-W3C parser on `v` (and its parts), and every result re-encoded.
fn parse_everything(v: &str) -> Result<(), TestCaseError> {
    let mut buf = vec![0u8; 4096];
    if let Ok(single) = b3::parse_single(v) {
        if let Some(c) = single.context() {
            prop_assert!(b3::encode_single(&c, &mut buf).is_ok());
        }
    }
    if let Ok(id) = jaeger::parse(v) {
        prop_assert!(jaeger::encode(&id.context(), &mut buf).is_ok());
    }
    let parts: Vec<&str> = v.splitn(5, '\n').collect();
    let part = |i: usize| parts.get(i).copied();
    let _ = datadog::parse(v, v, part(2), part(3), part(4));
    let _ = datadog::parse_sampling_priority(v);
    let _ = tags::parse(v);
    let _ = DatadogTags::Header(v).iter().count();
    let _ = DatadogTags::TraceState(v).iter().count();
    let _ = member::Member::parse(v);
    if let Ok(h) = xray::parse(v) {
        prop_assert!(xray::encode(&h.context(), &mut buf).is_ok());
    }
    let _ = xray::extra_fields(v).count();
    if let Ok(c) = cloudtrace::parse(v) {
        prop_assert!(cloudtrace::encode(&c.context(), &mut buf).is_ok());
    }
    if let Ok(s) = sw8::parse(v) {
        prop_assert!(s.encode(&mut buf).is_ok());
        let _ = s.context();
    }
    let _ = sw8::correlation(v).count();
    let _ = grpc_trace_bin::parse(v.as_bytes());
    let _ = grpc_trace_bin::parse_text(v);
    let _ = Config::parse(v);
    let _ = Config::parse_datadog(v, propagator::DatadogB3::Multi);
    let _ = Config::unknown_names(v).count();
    let _ = every_format().reads(v);
    let _ = Format::from_name(v);
    let _ = TraceId::from_datadog(v, part(1));
    let _ = TraceId::from_xray_root(v);
    let _ = SpanId::from_decimal(v);
    Ok(())
}

/// A context carrying `v` in every borrowed field, injected in every format.
fn inject_carried(v: &str) -> Result<(), TestCaseError> {
    for (dd_tags, origin) in [
        (DatadogTags::Header(v), Text::new(v)),
        (DatadogTags::TraceState(v), Text::from_tracestate(v)),
    ] {
        let mut c = ctx();
        c.xray_extra = v;
        c.sw8 = v;
        c.dd_tags = dd_tags;
        c.origin = Some(origin);
        c.sampling_priority = Some(1);
        let mut p = Propagation::new(c);
        p.tracestate = TraceState::parse(v).unwrap_or_default();
        for encoding in [Encoding::Percent, Encoding::Query, Encoding::Raw] {
            if let Ok(value) = Value::new(v, encoding) {
                let _ = p.baggage.push(Member {
                    key: "k",
                    value,
                    properties: "",
                });
            }
        }
        let written = inject(&every_format(), &p);
        no_control_characters(&written)?;
        // Every trace format still wrote its headers.
        prop_assert!(value(&written, "traceparent").is_some());
        prop_assert!(value(&written, "x-amzn-trace-id").is_some());
        prop_assert!(value(&written, "x-datadog-trace-id").is_some());
        prop_assert!(value(&written, "sw8").is_some());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn vendor_parsers_accept_any_value(v in any_text()) {
        parse_everything(&v)?;
    }

    #[test]
    fn vendor_extractors_accept_any_value_under_any_name(v in any_text(), i in 0..Header::COUNT) {
        let name = Header::ALL[i].name();
        let set = lines(&[(name, v.as_str()), (name, v.as_str()), ("uberctx-k", v.as_str()), ("ot-baggage-k", v.as_str())]);
        let x = extract(&every_format(), &set);
        no_control_characters(&inject(&every_format(), &x.propagation()))?;
    }

    #[test]
    fn carried_strings_never_reach_a_header_unescaped(v in any_text()) {
        inject_carried(&v)?;
    }
}

// ------------------------------------------------------------ 2. bounded work

const MIB: usize = 1 << 20;

/// A carrier that counts how often it is walked and how many lines it gives.
struct Counting<'a> {
    lines: &'a [(String, String)],
    walks: Cell<usize>,
    given: Cell<usize>,
}

impl<'a> Carrier<'a> for Counting<'a> {
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        self.walks.set(self.walks.get() + 1);
        for (k, v) in self.lines {
            self.given.set(self.given.get() + 1);
            f(k, v);
        }
    }
}

#[test]
fn extraction_walks_the_carrier_once_whatever_the_formats() {
    let many: Lines = (0..10_000)
        .map(|i| (format!("uberctx-k{i}"), format!("v{i}")))
        .chain([("traceparent".to_owned(), TRACEPARENT.to_owned())])
        .collect();
    let carrier = Counting {
        lines: &many,
        walks: Cell::new(0),
        given: Cell::new(0),
    };
    let x = propagator::extract(&every_format(), &carrier);
    assert_eq!((carrier.walks.get(), carrier.given.get()), (1, many.len()));
    assert!(x.context.is_some());
    // Capped at the baggage member limit, whatever was sent.
    assert_eq!(x.baggage.len(), baggage::MAX_MEMBERS);
    // Injection writes a bounded number of headers: every format's own,
    // plus one per baggage member for Jaeger and OT.
    let mut writes = 0usize;
    propagator::inject(
        &every_format(),
        &x.propagation(),
        &mut |_: &str, _: &str| writes += 1,
    );
    assert!(writes <= 2 * baggage::MAX_MEMBERS + 30, "{writes}");
}

/// Values with the separators every parser splits on, `len` bytes long.
fn shapes(len: usize) -> Vec<(&'static str, String)> {
    let fill = |unit: &str| unit.repeat(len / unit.len());
    vec![
        ("letters", fill("a")),
        ("hex", fill("f")),
        ("digits", fill("9")),
        ("list members", fill("a=1,")),
        ("empty members", fill(",")),
        ("fields", fill(";F=v")),
        ("dashes", fill("-0")),
        ("colons", fill("0:")),
        ("escaped colons", fill("%3A")),
        ("percent", fill("%")),
        ("base64", fill("QUJD")),
        ("spaces", fill(" ")),
        ("properties", fill("k=v;p")),
        ("distinct members", distinct_members(len)),
    ]
}

/// `k0=1,k1=1,…` up to `len` bytes: the worst case of the baggage list,
/// whose every push past the 180th member compares 180 keys (a constant).
fn distinct_members(len: usize) -> String {
    let mut s = String::with_capacity(len + 16);
    let mut i = 0;
    while s.len() < len {
        s.push_str(&format!("k{i}=1,"));
        i += 1;
    }
    s
}

/// What a request with one huge header and a valid `traceparent` yields,
/// extracted and injected with every format.
struct Outcome {
    matched: Vec<Format>,
    trace_id: Option<TraceId>,
    baggage: usize,
    tracestate: usize,
    written: Lines,
}

fn huge(name: &str, v: &str) -> Outcome {
    let set = lines(&[(name, v), ("traceparent", TRACEPARENT)]);
    let x = extract(&every_format(), &set);
    Outcome {
        matched: x.matched().iter().map(|(f, _)| *f).collect(),
        trace_id: x.context.map(|c| c.trace_id),
        baggage: x.baggage.len(),
        tracestate: x.tracestate.len(),
        written: inject(&every_format(), &x.propagation()),
    }
}

#[test]
fn megabyte_headers_are_rejected_or_capped() {
    let trace = TraceId::from_hex(T).unwrap();
    for len in [MIB, 2 * MIB] {
        for (shape, v) in shapes(len) {
            let names = Header::ALL
                .iter()
                .map(|h| h.name().to_owned())
                .chain(["uberctx-k".to_owned(), "ot-baggage-k".to_owned()]);
            for name in names {
                let out = huge(&name, &v);
                let what = format!("{name}: {len} bytes of {shape}");
                // No huge value is a valid context in any format, so only
                // the traceparent matches (and a second traceparent line
                // makes it invalid): nothing displaces or corrupts its ids.
                if name == "traceparent" {
                    assert!(out.matched.is_empty(), "{what}");
                    assert_eq!(out.trace_id, None, "{what}");
                } else {
                    assert_eq!(out.matched, [Format::TraceContext], "{what}");
                    assert_eq!(out.trace_id, Some(trace), "{what}");
                    assert_eq!(value(&out.written, "traceparent"), Some(TRACEPARENT));
                }
                assert!(out.baggage <= baggage::MAX_MEMBERS, "{what}");
                assert!(out.tracestate <= tracestate::MAX_MEMBERS, "{what}");
                if name == "baggage" && shape == "distinct members" {
                    assert_eq!(out.baggage, baggage::MAX_MEMBERS, "{what}");
                }
                // Every format writes from bounded buffers (per member for
                // baggage): a huge request never makes a huge header set.
                let total: usize = out.written.iter().map(|(k, v)| k.len() + v.len()).sum();
                let bound = 9 * baggage::MAX_BYTES + 16 * 1024;
                assert!(total <= bound, "{what}: wrote {total} bytes");
            }
        }
    }
}

#[test]
fn ten_thousand_baggage_members_are_capped() {
    let members: Vec<String> = (0..10_000).map(|i| format!("k{i}=v{i};p")).collect();
    let header = members.join(",");
    let b = Baggage::parse(&header);
    assert_eq!(b.len(), baggage::MAX_MEMBERS);
    assert_eq!(b.members()[179].key, "k179");
    // Members over the byte limit are dropped whole, never truncated.
    let big: Vec<String> = (0..10_000)
        .map(|i| format!("k{i}={}", "x".repeat(100)))
        .collect();
    let header = big.join(",");
    let b = Baggage::parse(&header);
    assert!(b.members().iter().all(|m| m.value.raw().len() == 100));
    // Sizes only grow (longer keys), so the list is the longest prefix that fits.
    let mut fits = 0;
    let mut bytes = 0;
    for m in &big {
        bytes += m.len() + usize::from(fits > 0);
        if bytes > baggage::MAX_BYTES {
            break;
        }
        fits += 1;
    }
    assert_eq!(b.len(), fits);
    assert!(fits < baggage::MAX_MEMBERS);
    // The same over 10,000 lines, and as 10,000 `uberctx-*`/`ot-baggage-*`
    // headers: the carrier keeps 180 of each, the list 180 members.
    for prefix in ["baggage", "uberctx-", "ot-baggage-"] {
        let set: Lines = (0..10_000)
            .map(|i| match prefix {
                "baggage" => (prefix.to_owned(), format!("k{i}=v")),
                _ => (format!("{prefix}k{i}"), "v".to_owned()),
            })
            .collect();
        let x = extract(&every_format(), &set);
        assert_eq!(x.baggage.len(), baggage::MAX_MEMBERS, "{prefix}");
        assert_eq!(x.baggage.members()[0].key, "k0");
    }
}

#[test]
fn limits_per_format() {
    // tracestate: 33 members, or 33 lines, discard it; the traceparent stays.
    let members: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
    let set = lines(&[
        ("traceparent", TRACEPARENT),
        ("tracestate", &members.join(",")),
    ]);
    let x = extract(&Config::parse("tracecontext"), &set);
    assert_eq!(x.tracestate_error, Some(Error::TooManyMembers));
    assert!(x.context.is_some() && x.tracestate.is_empty());
    let mut set = lines(&[("traceparent", TRACEPARENT)]);
    set.extend(members.iter().map(|m| ("tracestate".to_owned(), m.clone())));
    let x = extract(&Config::parse("tracecontext"), &set);
    assert_eq!(x.tracestate_error, Some(Error::TooManyMembers));
    assert_eq!(
        TraceState::parse(&members[..32].join(",")).map(|t| t.len()),
        Ok(32)
    );
    // tracestate values over 256 characters are invalid.
    let long = format!("k={}", "v".repeat(257));
    assert_eq!(TraceState::parse(&long), Err(Error::InvalidValue));
    // x-datadog-tags over 512 bytes are ignored whole; the context is kept.
    let tags = format!("_dd.p.a={}", "x".repeat(tags::MAX_LEN - 7));
    let set = lines(&[
        ("x-datadog-trace-id", "1"),
        ("x-datadog-parent-id", "2"),
        ("x-datadog-tags", &tags),
    ]);
    let x = extract(&Config::parse("datadog"), &set);
    assert_eq!(x.context.unwrap().dd_tags, DatadogTags::None);
    assert!(tags::parse(&tags[..tags::MAX_LEN]).is_ok());
    // X-Ray: fields past 256 bytes are not written back; the context is kept.
    let fields: Vec<String> = (0..100).map(|i| format!("F{i}=v")).collect();
    let header = format!(
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;{}",
        fields.join(";")
    );
    let set = lines(&[("x-amzn-trace-id", &header)]);
    let x = extract(&Config::parse("xray"), &set);
    let written = inject(&Config::parse("xray"), &x.propagation());
    assert!(written[0].1.len() <= xray::MAX_LEN);
    // F0-F9 take 5 bytes each of the 256, F10 on 6: F43 is the last that fits.
    assert!(written[0].1.ends_with(";F42=v;F43=v"), "{}", written[0].1);
    // Jaeger: an escaped value longer than any valid one once decoded.
    let escaped = format!("{T}%3A{}%3A0%3A1", "0".repeat(100));
    assert_eq!(jaeger::parse(&escaped), Err(Error::InvalidLength));
}

// ------------------------------------------------------------ 3. kept fields

/// A tracestate key: Level 2 grammar, never `dd`.
fn ts_key() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9_*/-]{0,8}(@[a-z][a-z0-9_-]{0,5})?".prop_filter("not dd", |k| k != "dd")
}

/// A tracestate value: printable, no `,` or `=`, not ending in a space.
fn ts_value() -> impl Strategy<Value = String> {
    "[ -+--<>-~]{0,12}[!-+--<>-~]"
}

fn traceparent_with(ts: &str) -> Lines {
    lines(&[("traceparent", TRACEPARENT), ("tracestate", ts)])
}

/// The same, and a `b3` header with the same trace id.
fn traceparent_and_b3_with(ts: &str) -> Lines {
    let mut set = traceparent_with(ts);
    set.push(("b3".to_owned(), format!("{T}-{S}-1")));
    set
}

/// An X-Ray field other than `Root`, `Parent`, `Sampled`.
fn xray_field() -> impl Strategy<Value = String> {
    ("[A-Za-z][A-Za-z0-9_-]{0,8}", "[!-:<-~]{0,16}")
        .prop_filter("not a known key", |(k, _)| {
            !["Root", "Parent", "Sampled"].contains(&k.as_str())
        })
        .prop_map(|(k, v)| format!("{k}={v}"))
}

/// `_dd.p.*` tags (never `tid`), as `name -> value`.
fn dd_tags(value: &'static str) -> impl Strategy<Value = Vec<(String, String)>> {
    btree_map("[a-z][a-z0-9._]{0,7}", value, 0..6)
        .prop_map(|m| m.into_iter().filter(|(k, _)| k != "tid").collect())
}

fn carried(c: &SpanContext<'_>) -> Vec<(String, String)> {
    c.dd_tags
        .iter()
        .filter(|t| t.name != tags::TID)
        .map(|t| (t.name.to_owned(), t.value.to_string()))
        .collect()
}

/// A baggage member with properties: key, decoded value, properties.
fn baggage_member() -> impl Strategy<Value = (String, String, Vec<(String, Option<String>)>)> {
    (
        "[a-zA-Z0-9!#$&'*+.^_`|~-]{1,8}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
        vec(
            (
                "[a-zA-Z0-9_.-]{1,6}",
                proptest::option::of("[a-zA-Z0-9]{0,6}"),
            ),
            0..3,
        ),
    )
}

fn percent(s: &str) -> String {
    let mut buf = vec![0u8; 3 * s.len()];
    let mut w = traceprop::Writer::new(&mut buf);
    baggage::percent_encode(s.as_bytes(), &mut w, |c| c.is_ascii_alphanumeric()).unwrap();
    String::from_utf8(w.written().to_vec()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn unknown_tracestate_members_survive(
        members in btree_map(ts_key(), ts_value(), 1..=31),
        ows in proptest::bool::ANY,
    ) {
        let canonical: Vec<String> = members.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let sep = if ows { " ,\t" } else { "," };
        let header = canonical.join(sep);
        let canonical = canonical.join(",");
        // Alone, next to other formats, and translated W3C -> W3C + others.
        for config in ["tracecontext", "tracecontext,b3,datadog,xray", "b3,tracecontext"] {
            let config = Config::parse(config);
            let set = traceparent_and_b3_with(&header);
            let x = extract(&config, &set);
            let written = inject(&config, &x.propagation());
            prop_assert_eq!(value(&written, "tracestate"), Some(canonical.as_str()));
        }
        // With Datadog state, `dd` goes first and the others follow in order
        // (truncated from the right past 512 characters, per the spec).
        let set = traceparent_with(&format!("{header},dd=s:2;o:rum"));
        let x = extract(&Config::parse("tracecontext"), &set);
        let written = inject(&Config::parse("tracecontext"), &x.propagation());
        let ts = value(&written, "tracestate").unwrap();
        prop_assert!(ts.starts_with("dd=s:2;o:rum"), "{}", ts);
        let others = ts.split_once(',').map_or("", |(_, rest)| rest);
        prop_assert!(canonical.starts_with(others), "{} vs {}", others, canonical);
        if canonical.len() + 32 <= tracestate::TRUNCATE_LEN {
            prop_assert_eq!(others, canonical.as_str());
        }
    }

    #[test]
    fn xray_fields_survive(fields in vec(xray_field(), 1..8)) {
        let extra = fields.join(";");
        prop_assume!(extra.len() < xray::MAX_EXTRA_LEN);
        let root = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8";
        for header in [format!("{root};{extra}"), format!("{extra};{root};Sampled=1"), format!(" {root} ; {} ", fields.join(" ; "))] {
            let set = lines(&[("x-amzn-trace-id", &header), ("traceparent", TRACEPARENT)]);
            // X-Ray is the winner with policy `last` (listed last) or `first`.
            for (config, policy) in [("tracecontext,xray", Policy::Last), ("xray,b3", Policy::First)] {
                let config = Config::parse(config).with_policy(policy);
                let x = extract(&config, &set);
                prop_assert_eq!(x.source, Some(Format::XRay));
                let written = inject(&Config::parse("xray"), &x.propagation());
                let out = value(&written, "x-amzn-trace-id").unwrap();
                let tail = out.splitn(4, ';').nth(3).unwrap_or("");
                prop_assert_eq!(tail, extra.as_str(), "{}", out);
            }
        }
    }

    #[test]
    fn datadog_tags_survive(
        tags in dd_tags("[!-+--~]([ -+--~]{0,8}[!-+--~])?"),
        high: u64,
        low in 1u64..,
    ) {
        let header = tags.iter().map(|(k, v)| format!("_dd.p.{k}={v}")).collect::<Vec<_>>().join(",");
        prop_assume!(!header.is_empty() && header.len() + 27 <= tags::MAX_LEN);
        let trace = TraceId::from_halves(high, low);
        let (decimal, tid) = trace.to_datadog();
        let mut set = lines(&[
            ("x-datadog-trace-id", &decimal),
            ("x-datadog-parent-id", "5"),
            ("x-datadog-sampling-priority", "2"),
        ]);
        let with_tid = match &tid {
            Some(t) => format!("{header},_dd.p.tid={t}"),
            None => header.clone(),
        };
        set.push(("x-datadog-tags".to_owned(), with_tid));
        let dd = Config::parse("datadog");
        let x = extract(&dd, &set);
        let c = x.context.unwrap();
        prop_assert_eq!(c.trace_id, trace);
        let written = inject(&dd, &x.propagation());
        let back = extract(&dd, &written).context.unwrap();
        prop_assert_eq!(carried(&back), tags.clone());
        prop_assert_eq!(back.trace_id, trace);
    }

    #[test]
    fn datadog_tags_survive_the_tracestate_hop(
        tags in dd_tags("[a-zA-Z0-9._-]{1,8}"),
        high in 1u64..,
        low in 1u64..,
    ) {
        let header = tags.iter().map(|(k, v)| format!("_dd.p.{k}={v}")).collect::<Vec<_>>().join(",");
        let trace = TraceId::from_halves(high, low);
        let (decimal, tid) = trace.to_datadog();
        let tid = tid.unwrap();
        let tags_header = if header.is_empty() { format!("_dd.p.tid={tid}") } else { format!("{header},_dd.p.tid={tid}") };
        let set = lines(&[
            ("x-datadog-trace-id", &decimal),
            ("x-datadog-parent-id", "5"),
            ("x-datadog-sampling-priority", "2"),
            ("x-datadog-origin", "rum"),
            ("x-datadog-tags", &tags_header),
        ]);
        // Datadog -> W3C (tags in the `dd` member) -> Datadog.
        let x = extract(&Config::parse("datadog"), &set);
        let w3c = inject(&Config::parse("tracecontext"), &x.propagation());
        let y = extract(&Config::parse("tracecontext"), &w3c);
        let back = inject(&Config::parse("datadog"), &y.propagation());
        let z = extract(&Config::parse("datadog"), &back).context.unwrap();
        prop_assert_eq!(z.trace_id, trace);
        prop_assert_eq!(z.sampling_priority, Some(2));
        prop_assert_eq!(z.origin.map(|o| o.to_string()), Some("rum".to_owned()));
        prop_assert_eq!(carried(&z), tags);
    }

    #[test]
    fn baggage_properties_and_values_survive(members in vec(baggage_member(), 1..8)) {
        let mut seen = std::collections::HashSet::new();
        let members: Vec<_> = members.into_iter().filter(|(k, _, _)| seen.insert(k.clone())).collect();
        let header: Vec<String> = members.iter().map(|(k, v, props)| {
            let props: String = props.iter().map(|(pk, pv)| match pv {
                Some(pv) => format!(" ; {pk} = {pv}"),
                None => format!(";{pk}"),
            }).collect();
            format!("{k} = {}{props}", percent(v))
        }).collect();
        let set = lines(&[("baggage", &header.join(" , "))]);
        let config = Config::parse("baggage");
        let x = extract(&config, &set);
        let written = inject(&config, &x.propagation());
        let again = extract(&config, &written);
        prop_assert_eq!(again.baggage.len(), members.len());
        for ((k, v, props), m) in members.iter().zip(again.baggage.members()) {
            prop_assert_eq!(m.key, k.as_str());
            let mut buf = vec![0u8; m.value.raw().len()];
            prop_assert_eq!(m.value.decode_into(&mut buf).unwrap(), v.as_str());
            let got: Vec<(String, Option<String>)> = m.properties().map(|(a, b)| (a.to_owned(), b.map(str::to_owned))).collect();
            prop_assert_eq!(&got, props);
        }
        // Written canonically: a second round writes the same bytes.
        prop_assert_eq!(inject(&config, &again.propagation()), written);
        // Jaeger and OT carry the values (not the properties: they have none).
        for format in ["jaeger", "ottrace"] {
            let c = Config::parse(format);
            let mut p = Propagation::new(ctx());
            p.baggage = x.baggage;
            let written = inject(&c, &p);
            let out = extract(&c, &written);
            for (k, v, _) in &members {
                // OT values are raw: a header value cannot hold a control
                // character, nor keep white space at its ends.
                let raw_ok = !v.chars().any(char::is_control) && v.trim_matches([' ', '\t']) == v;
                let clean = format == "jaeger" || raw_ok;
                let got = out.baggage.members().iter().find(|m| m.key.eq_ignore_ascii_case(k));
                if clean && members.iter().filter(|(o, _, _)| o.eq_ignore_ascii_case(k)).count() == 1 {
                    let m = got.unwrap();
                    let mut buf = vec![0u8; m.value.raw().len()];
                    prop_assert_eq!(m.value.decode_into(&mut buf).unwrap(), v.as_str());
                }
            }
        }
    }
}

// ------------------------------------------------------------ 4. no truncation

/// What each format writes and reads back of `c`'s trace id.
fn through(format: Format, c: SpanContext<'static>) -> Option<TraceId> {
    let config = Config::from_formats(&[format]);
    let written = inject(&config, &Propagation::new(c));
    extract(&config, &written).context.map(|x| x.trace_id)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_128_bit_trace_id_is_never_silently_truncated(high: u64, low: u64, span in 1u64..) {
        let trace = TraceId::from_halves(high, low);
        prop_assume!(trace.is_valid());
        let c = SpanContext::new(trace, SpanId::from_u64(span)).with_sampled(Some(true));
        for format in Format::ALL.into_iter().filter(|f| f.carries_context()) {
            let back = through(format, c);
            match format {
                // 64-bit only (SEMANTICS §5): the low half, or all 128 bits
                // when the low half alone would be the invalid zero id.
                Format::OtTrace if low != 0 => prop_assert_eq!(back, Some(TraceId::from_u64(low))),
                // Datadog refuses a zero low half rather than write `0`.
                Format::Datadog if low == 0 => prop_assert_eq!(back, None),
                _ => prop_assert_eq!(back, Some(trace), "{}", format.name()),
            }
        }
        // Narrowing is explicit: `to_u64` refuses, `low` says what it drops.
        prop_assert_eq!(trace.to_u64(), if high == 0 { Ok(low) } else { Err(Error::Truncation) });
        let low_hex = trace.low_hex();
        prop_assert_eq!(low_hex.as_str(), format!("{low:016x}"));
        let (decimal, tid) = trace.to_datadog();
        prop_assert_eq!(decimal.as_str(), low.to_string());
        prop_assert_eq!(tid.map(|t| t.to_string()), (high != 0).then(|| format!("{high:016x}")));
    }

    #[test]
    fn over_long_ids_are_rejected_not_cut(extra in 1usize..40, digit in "[1-9a-f]") {
        let hex = format!("{}{T}", digit.repeat(extra));
        let span = format!("{}{S}", digit.repeat(extra));
        let decimal = format!("{}18446744073709551615", "1".repeat(extra));
        let rejected = [
            TraceId::from_hex_short(&hex).is_err(),
            SpanId::from_hex(&span).is_err(),
            b3::parse_single(&format!("{hex}-{S}-1")).is_err(),
            b3::parse_single(&format!("{T}-{span}-1")).is_err(),
            jaeger::parse(&format!("{hex}:{S}:0:1")).is_err(),
            jaeger::parse(&format!("{T}:{span}:0:1")).is_err(),
            cloudtrace::parse(&format!("{hex}/1;o=1")).is_err(),
            xray::parse(&format!("Root=1-5759e988-bd862e3fe1be46a994272793;Parent={span}")).is_err(),
            datadog::parse(&decimal, "1", None, None, None).is_err(),
            cloudtrace::parse(&format!("{T}/{decimal}")).is_err(),
        ];
        prop_assert_eq!(rejected, [true; 10]);
        prop_assert_eq!(SpanId::from_decimal(&decimal), Err(Error::OutOfRange));
        let sw8 = format!("1-dA==-cw==-{}-YQ==-Yg==-Yw==-ZA==", u64::from(i32::MAX as u32) + extra as u64);
        prop_assert_eq!(sw8::parse(&sw8).map(|_| ()), Err(Error::OutOfRange));
    }
}

#[test]
fn the_largest_ids_survive_exactly() {
    assert_eq!(
        SpanId::from_decimal("18446744073709551615").map(SpanId::to_u64),
        Ok(u64::MAX)
    );
    let max = TraceId::from_u128(u128::MAX);
    let c = SpanContext::new(max, SpanId::from_u64(u64::MAX)).with_sampled(Some(false));
    for format in Format::ALL.into_iter().filter(|f| f.carries_context()) {
        let want = if format == Format::OtTrace {
            TraceId::from_u64(u64::MAX)
        } else {
            max
        };
        assert_eq!(through(format, c), Some(want), "{}", format.name());
    }
}
