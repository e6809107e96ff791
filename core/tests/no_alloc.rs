//! Proves that the core never allocates: a counting global allocator watches
//! every W3C codec, the id conversions and the composite propagator (every
//! format, both policies) run over the header sets and contexts of every case
//! in every vector file (`TRACEPROP_VECTORS`, default `tests/vectors`).
//!
//! The test data is loaded and the carriers are allocated first; only the
//! calls into `traceprop` run while the counter is watched. The counter is
//! per thread, so the test harness's own threads cannot disturb it.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::hint::black_box;
use serde_json::Value as Json;
use std::alloc::System;
use std::path::PathBuf;
use traceprop::propagator::{self, Config, Format, Policy};
use traceprop::w3c::baggage::{self, Encoding, Member, Value};
use traceprop::w3c::{traceparent, tracestate};
use traceprop::{
    Baggage, Headers, Propagation, Sink, SpanContext, SpanId, TraceId, TraceState, Writer,
};

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn record_allocation() {
    // `try_with`: the allocator may run while this thread's locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees hold; counting touches no allocation.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record_allocation();
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations this thread made while running `f`.
fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A sink that only counts the bytes it is given.
#[derive(Default)]
struct ByteCounter(usize);

impl Sink for ByteCounter {
    fn set(&mut self, name: &str, value: &str) {
        self.0 += name.len() + value.len();
    }
}

// ------------------------------------------------------------------ test data

type Lines = Vec<(String, String)>;

/// Everything the vector files hold that the core can be fed, owned.
struct Corpus {
    /// Per case: its name, its propagators, and its incoming header lines.
    header_sets: Vec<(String, String, Lines)>,
    /// Per inject case: its name, its propagators and its context fields.
    injections: Vec<(String, String, Json)>,
    /// Every header value and inject string, and extra good and bad examples.
    values: Vec<String>,
}

fn vectors_dir() -> PathBuf {
    match std::env::var_os("TRACEPROP_VECTORS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

fn pairs(v: &Json) -> Lines {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str()?.to_owned())))
        .collect()
}

fn load() -> Corpus {
    let mut corpus = Corpus {
        header_sets: Vec::new(),
        injections: Vec::new(),
        values: EXTRA_VALUES.iter().map(|s| (*s).to_owned()).collect(),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("vector directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files");
    for file in files {
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&file).expect("readable"))
            .expect("valid JSON");
        for case in doc["cases"].as_array().expect("cases") {
            let file_name = file.file_name().unwrap_or_default().to_string_lossy();
            let name = format!("{file_name} :: {}", case["name"].as_str().unwrap_or("?"));
            let propagators = case["propagators"].as_str().unwrap_or("").to_owned();
            for lines in [&case["extract"], &case["expect"]["headers"]] {
                corpus
                    .values
                    .extend(pairs(lines).into_iter().map(|(_, v)| v));
            }
            if case.get("extract").is_some() {
                corpus.header_sets.push((
                    name.clone(),
                    propagators.clone(),
                    pairs(&case["extract"]),
                ));
            }
            if let Some(input) = case.get("inject") {
                for key in ["tracestate", "dd_tags", "xray_extra", "origin"] {
                    corpus.values.extend(input[key].as_str().map(str::to_owned));
                }
                corpus.injections.push((name, propagators, input.clone()));
            }
        }
    }
    assert!(!corpus.header_sets.is_empty() && !corpus.injections.is_empty());
    corpus
}

/// Good and bad inputs for the id parsers, which the header values rarely hit.
const EXTRA_VALUES: &[&str] = &[
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "a3ce929d0e0e4736",
    "00f067aa0ba902b7",
    "00000000000000000000000000000000",
    "4BF92F3577B34DA6A3CE929D0E0E4736",
    "18446744073709551615",
    "18446744073709551616",
    "11803532876627986230",
    "0",
    "-1",
    "1-5759e988-bd862e3fe1be46a994272793",
    "2-5759e988-bd862e3fe1be46a994272793",
    "Am%C3%A9lie%zz%",
    "a+b%2B%C3%28",
    "",
];

/// The propagation an inject case describes, read as the conformance runner
/// reads it (strings stay borrowed from `input`). A field the core rejects is
/// replaced by an invalid or empty one, so that every case still runs.
fn propagation(input: &Json) -> Propagation<'_> {
    let text = |key: &str| input[key].as_str().unwrap_or("");
    let trace_id = TraceId::from_hex(text("trace_id")).unwrap_or(TraceId::INVALID);
    let span_id = SpanId::from_hex(text("span_id")).unwrap_or(SpanId::INVALID);
    let mut ctx = SpanContext::new(trace_id, span_id);
    ctx.sampled = input["sampled"].as_bool();
    ctx.random = input["random"].as_bool().unwrap_or(false);
    ctx.debug = input["debug"].as_bool().unwrap_or(false);
    ctx.sampling_priority = input["sampling_priority"]
        .as_i64()
        .and_then(|p| i32::try_from(p).ok());
    ctx.origin = input["origin"].as_str().map(traceprop::datadog::Text::new);
    ctx.xray_extra = text("xray_extra");
    if let Some(tags) = input["dd_tags"].as_str() {
        ctx.dd_tags = traceprop::DatadogTags::Header(tags);
    }
    let mut p = Propagation::new(ctx);
    p.tracestate = TraceState::parse(text("tracestate")).unwrap_or_default();
    for member in input["baggage"].as_array().into_iter().flatten() {
        let part = |i: usize| member.get(i).and_then(Json::as_str).unwrap_or("");
        if let Ok(value) = Value::new(part(1), Encoding::Raw) {
            let _ = p.baggage.push(Member {
                key: part(0),
                value,
                properties: part(2),
            });
        }
    }
    p
}

// ------------------------------------------------------------------ the runs

/// Every W3C codec's parse and encode, and every id conversion, on one value.
fn run_codecs(value: &str) {
    let mut buf = [0u8; tracestate::MAX_LEN];

    if let Ok(tp) = black_box(traceparent::parse(value)) {
        let _ = black_box(traceparent::encode(&tp.context(), &mut buf));
    }
    let _ = black_box(traceparent::encode(&SpanContext::default(), &mut buf));

    if let Ok(mut ts) = black_box(TraceState::parse(value)) {
        let _ = black_box(ts.encode(&mut buf));
        let _ = black_box(ts.put("k", "v"));
        ts.truncate(tracestate::LONG_ENTRY_LEN);
    }
    let _ = black_box(TraceState::parse_lines(&[value, value]));
    black_box(tracestate::entries(value).count());
    let _ = black_box(tracestate::validate_key(value));
    let _ = black_box(tracestate::validate_value(value));

    let bag = black_box(Baggage::parse_lines(&[value, value]));
    let _ = black_box(bag.encode(&mut buf));
    let _ = black_box(bag.encode(&mut buf[..8]));
    for m in bag.members() {
        let _ = black_box(m.value.decode_into(&mut buf));
        let mut w = Writer::new(&mut buf);
        let _ = black_box(m.write_properties(&mut w));
    }
    black_box(baggage::entries(value).count());
    black_box(baggage::is_token(value));
    for encoding in [Encoding::Percent, Encoding::Query, Encoding::Raw] {
        if let Ok(v) = Value::new(value, encoding) {
            let _ = black_box(v.decode_into(&mut buf));
        }
    }
    let mut w = Writer::new(&mut buf);
    let _ = black_box(baggage::percent_encode(value.as_bytes(), &mut w, |c| {
        c.is_ascii_alphanumeric()
    }));

    let tid = value.get(..16);
    for t in [
        TraceId::from_hex(value),
        TraceId::from_hex_short(value),
        TraceId::from_datadog(value, None),
        TraceId::from_datadog(value, tid),
        TraceId::from_xray_root(value),
    ] {
        let t = black_box(t).unwrap_or(TraceId::from_u128(u128::MAX));
        black_box((t.to_hex(), t.low_hex(), t.to_datadog(), t.to_xray_root()));
        let _ = black_box((t.to_u64(), t.to_u128(), t.to_bytes(), t.high(), t.low()));
        let _ = black_box(t.write_hex(&mut buf));
    }
    for s in [SpanId::from_hex(value), SpanId::from_decimal(value)] {
        let s = black_box(s).unwrap_or(SpanId::from_u64(u64::MAX));
        black_box((s.to_hex(), s.to_decimal(), s.to_u64(), s.to_bytes()));
        let _ = black_box(s.write_hex(&mut buf));
    }
}

/// The configurations every header set and context runs through.
fn configs(propagators: &str) -> [Config; 4] {
    let all = Config::from_formats(&Format::ALL);
    let own = Config::parse(propagators);
    [
        all,
        all.with_policy(Policy::First),
        own,
        own.with_policy(Policy::First),
    ]
}

/// The composite extract, inject and translate, and each W3C extractor, on one
/// header set.
fn run_header_set(propagators: &str, lines: &[(&str, &str)]) -> usize {
    let mut sink = ByteCounter::default();
    for config in configs(propagators) {
        let x = black_box(propagator::extract(&config, lines));
        black_box((x.matched(), x.rejected(), x.conflict()));
        let mut into = propagator::Extraction::default();
        propagator::extract_into(&config, lines, &mut into);
        black_box(&into);
        propagator::inject(&config, &x.propagation(), &mut sink);
        for format in Format::ALL {
            let _ = format.inject(&x.propagation(), &mut sink);
        }
        black_box(propagator::translate(&config, &config, lines, &mut sink));
    }
    let h = Headers::collect(lines);
    let _ = black_box(traceparent::extract(&h));
    let _ = black_box(tracestate::extract(&h));
    black_box(baggage::extract(&h));
    sink.0
}

/// The composite inject of one context.
fn run_injection(propagators: &str, p: &Propagation<'_>) -> usize {
    let mut sink = ByteCounter::default();
    for config in configs(propagators) {
        propagator::inject(&config, p, &mut sink);
    }
    for format in Format::ALL {
        let _ = format.inject(p, &mut sink);
    }
    let _ = traceparent::inject(p, &mut sink);
    let _ = tracestate::inject(p, &mut sink);
    let _ = baggage::inject(p, &mut sink);
    sink.0
}

#[test]
fn counter_sees_allocations() {
    // Proves the counter works, so that a zero below means something.
    let n = allocations_during(|| drop(black_box(Box::new(black_box(7u64)))));
    assert!(n >= 1, "the counting allocator missed an allocation");
    let n = allocations_during(|| drop(black_box(String::from("x").repeat(3))));
    assert!(n >= 1);
}

#[test]
fn codecs_and_ids_never_allocate() {
    let corpus = load();
    let mut allocating = Vec::with_capacity(corpus.values.len());
    for value in &corpus.values {
        if allocations_during(|| run_codecs(value)) > 0 {
            allocating.push(value);
        }
    }
    assert!(allocating.is_empty(), "allocated on values {allocating:?}");
}

#[test]
fn composite_never_allocates_on_any_vector_case() {
    let corpus = load();
    let mut allocating = Vec::new();
    let mut written = 0;
    for (name, propagators, lines) in &corpus.header_sets {
        let borrowed: Vec<(&str, &str)> = lines
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut bytes = 0;
        if allocations_during(|| bytes = run_header_set(propagators, &borrowed)) > 0 {
            allocating.push(name);
        }
        written += bytes;
    }
    for (name, propagators, input) in &corpus.injections {
        let p = propagation(input);
        let mut bytes = 0;
        if allocations_during(|| bytes = run_injection(propagators, &p)) > 0 {
            allocating.push(name);
        }
        written += bytes;
    }
    assert!(allocating.is_empty(), "allocated in cases {allocating:?}");
    // The sinks really ran: the cases write headers.
    assert!(written > 0);
}
