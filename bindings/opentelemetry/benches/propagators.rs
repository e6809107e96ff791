//! traceprop's composite against the OpenTelemetry Rust propagators, on one
//! realistic 15-header request, in one run:
//!
//! - `tracecontext`: traceprop's core vs `opentelemetry_sdk`'s
//!   `TraceContextPropagator`;
//! - `composite` (`tracecontext,baggage,b3,xray`, every format the
//!   OpenTelemetry Rust propagators published for OpenTelemetry 0.33 cover):
//!   traceprop's core vs `TextMapCompositePropagator` of `TraceContextPropagator`,
//!   `BaggagePropagator`, `opentelemetry_zipkin`'s B3 and `opentelemetry_aws`'s
//!   X-Ray, and traceprop through this crate's `TracepropPropagator` (same
//!   OpenTelemetry API, so the same `Context`, `HashMap` and `String` costs);
//! - `all`: traceprop's core with every format configured.
//!
//! The core's extraction is timed twice: `extract` returning an `Extraction`,
//! and `extract_into` refilling one the caller keeps (`traceprop-into`).
//!
//! Extraction reads the request (a slice of borrowed pairs for the core, the
//! `HashMap<String, String>` OpenTelemetry's `Extractor` is implemented for);
//! injection writes the extracted context to a sink that drops every header
//! (the core's values are borrowed; OpenTelemetry's `Injector` takes owned
//! `String`s). A counting global allocator reports allocations per operation,
//! printed after criterion's timings.
//!
//! `cargo bench -p traceprop-opentelemetry` (or `make bench-rust`).

use core::alloc::{GlobalAlloc, Layout};
use core::hint::black_box;
use core::sync::atomic::{AtomicU64, Ordering};
use std::alloc::System;
use std::cell::RefCell;
use std::collections::HashMap;

use criterion::{criterion_group, Criterion};
use opentelemetry::propagation::{
    Extractor, Injector, TextMapCompositePropagator, TextMapPropagator,
};
use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
use opentelemetry_aws::trace::XrayPropagator;
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
// The whole opentelemetry-zipkin crate is deprecated in favour of OTLP
// export, but its B3 propagator is still OpenTelemetry Rust's only one.
#[allow(deprecated)]
use opentelemetry_zipkin::{B3Encoding, Propagator as B3Propagator};
use traceprop::propagator::{self, Config, Extraction};
use traceprop_opentelemetry::TracepropPropagator;

/// The system allocator, counting allocations.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds
// `GlobalAlloc`'s contract; the counter has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A browser-ish request through a gateway: 10 ordinary headers and 5 of
/// tracing (W3C traceparent + tracestate + baggage, B3, X-Ray).
const REQUEST: [(&str, &str); 15] = [
    ("host", "api.example.com"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ),
    ("accept", "application/json, text/plain, */*"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("accept-language", "en-US,en;q=0.5"),
    ("content-type", "application/json"),
    ("content-length", "512"),
    ("x-request-id", "f0b5c1a2-8d3e-4f6a-9b7c-2e1d0c9b8a7f"),
    ("x-forwarded-for", "203.0.113.7, 198.51.100.2"),
    (
        "cookie",
        "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark",
    ),
    (
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ),
    ("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
    (
        "baggage",
        "userId=alice,serverNode=DF%2028,isProduction=false",
    ),
    ("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
    (
        "x-amzn-trace-id",
        "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1",
    ),
];

const COMPOSITE: &str = "tracecontext,baggage,b3,xray";
const ALL: &str =
    "tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray,datadog,cloudtrace,sw8,grpc-trace-bin";

fn otel_carrier() -> HashMap<String, String> {
    REQUEST
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[allow(deprecated)]
fn otel_composite() -> TextMapCompositePropagator {
    TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
        Box::new(B3Propagator::with_encoding(B3Encoding::SingleHeader)),
        Box::new(XrayPropagator::new()),
    ])
}

/// An injector that drops what it is given (after OpenTelemetry built it).
struct Discard;

impl Injector for Discard {
    fn set(&mut self, key: &str, value: String) {
        black_box((key, value));
    }
}

/// A core sink that only looks at what it is given.
fn core_sink(name: &str, value: &str) {
    black_box((name, value));
}

fn core_extract(config: &Config) -> Extraction<'static> {
    propagator::extract(config, &REQUEST)
}

/// One benchmarked operation: a name and what to run.
struct Op {
    name: &'static str,
    run: Box<dyn Fn()>,
}

fn ops() -> Vec<Op> {
    let tc = Config::parse("tracecontext");
    let composite = Config::parse(COMPOSITE);
    let all = Config::parse(ALL);
    let carrier = otel_carrier();
    let sdk_tc = TraceContextPropagator::new();
    let otel = otel_composite();
    let adapter = TracepropPropagator::parse(COMPOSITE);
    let otel_cx = otel.extract(&carrier);
    let adapter_cx = adapter.extract(&carrier);
    let tc_cx = sdk_tc.extract(&carrier);
    assert!(core_extract(&composite).context.is_some());
    assert_eq!(
        otel_cx.span().span_context().trace_id(),
        adapter_cx.span().span_context().trace_id()
    );

    // The core's propagations borrow the request, which lives forever.
    let p_tc = core_extract(&tc).propagation();
    let p_composite = core_extract(&composite).propagation();
    let p_all = core_extract(&all).propagation();

    let mut v: Vec<Op> = Vec::new();
    let mut add = |name, run: Box<dyn Fn()>| v.push(Op { name, run });
    // Extraction.
    add(
        "tracecontext/extract/traceprop",
        Box::new(move || {
            // A reference: black-boxing the 12 KiB value would time a copy.
            black_box(&core_extract(black_box(&tc)));
        }),
    );
    let c = carrier.clone();
    let p = sdk_tc.clone();
    add(
        "tracecontext/extract/otel-sdk",
        Box::new(move || {
            black_box(p.extract_with_context(&Context::new(), black_box(&c as &dyn Extractor)));
        }),
    );
    let c = composite;
    add(
        "composite/extract/traceprop",
        Box::new(move || {
            black_box(&core_extract(black_box(&c)));
        }),
    );
    let c = composite;
    let reused = RefCell::new(Extraction::default());
    add(
        "composite/extract/traceprop-into",
        Box::new(move || {
            let mut x = reused.borrow_mut();
            propagator::extract_into(black_box(&c), &REQUEST, &mut x);
            black_box(&*x);
        }),
    );
    let c = carrier.clone();
    let a = adapter.clone();
    add(
        "composite/extract/traceprop-otel-adapter",
        Box::new(move || {
            black_box(a.extract_with_context(&Context::new(), black_box(&c as &dyn Extractor)));
        }),
    );
    let c = carrier.clone();
    let o = otel_composite();
    add(
        "composite/extract/otel-composite",
        Box::new(move || {
            black_box(o.extract_with_context(&Context::new(), black_box(&c as &dyn Extractor)));
        }),
    );
    let a = all;
    add(
        "all/extract/traceprop",
        Box::new(move || {
            black_box(&core_extract(black_box(&a)));
        }),
    );
    // Injection of the extracted context.
    add(
        "tracecontext/inject/traceprop",
        Box::new(move || {
            let mut sink = core_sink;
            propagator::inject(black_box(&tc), black_box(&p_tc), &mut sink);
        }),
    );
    add(
        "tracecontext/inject/otel-sdk",
        Box::new(move || {
            sdk_tc.inject_context(black_box(&tc_cx), &mut Discard);
        }),
    );
    add(
        "composite/inject/traceprop",
        Box::new(move || {
            let mut sink = core_sink;
            propagator::inject(black_box(&composite), black_box(&p_composite), &mut sink);
        }),
    );
    add(
        "composite/inject/traceprop-otel-adapter",
        Box::new(move || {
            adapter.inject_context(black_box(&adapter_cx), &mut Discard);
        }),
    );
    add(
        "composite/inject/otel-composite",
        Box::new(move || {
            otel.inject_context(black_box(&otel_cx), &mut Discard);
        }),
    );
    add(
        "all/inject/traceprop",
        Box::new(move || {
            let mut sink = core_sink;
            propagator::inject(black_box(&all), black_box(&p_all), &mut sink);
        }),
    );
    v
}

fn bench(c: &mut Criterion) {
    for op in ops() {
        c.bench_function(op.name, |b| b.iter(&op.run));
    }
}

/// Allocations per operation, averaged over many runs after a warm-up.
fn allocations() {
    const RUNS: u64 = 10_000;
    println!("\nallocations per operation ({RUNS} runs each):");
    for op in ops() {
        (op.run)();
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..RUNS {
            (op.run)();
        }
        let n = ALLOCATIONS.load(Ordering::Relaxed) - before;
        println!("{:<45} {:>8.2}", op.name, n as f64 / RUNS as f64);
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    allocations();
}
