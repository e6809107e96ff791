//! The demo's gateway hop (Rust, on the core crate directly): extracts
//! `datadog,tracecontext` (policy `first`, as a Datadog-instrumented edge
//! would) and the baggage, starts its own child span, and injects
//! `tracecontext,b3multi` and the baggage to the next hop. Conflicts between
//! formats go to a conflict log (stderr).
//!
//! `gateway <port> <next-hop-url>`; with `DEMO_NAIVE=1` it reads only
//! `traceparent`, as a W3C-only gateway that ignores `x-datadog-*` would.

mod http;

use serde_json::{json, Value};
use std::net::TcpListener;
use traceprop::propagator::{self, Config, Policy};
use traceprop::{Propagation, SpanContext, SpanId, TraceId};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(port), Some(next)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: gateway <port> <next-hop-url>");
        std::process::exit(2);
    };
    let naive = std::env::var_os("DEMO_NAIVE").is_some_and(|v| v == "1");
    let listener = TcpListener::bind(("127.0.0.1", port.parse().unwrap_or(0)))
        .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1:{port}: {e}"));
    for stream in listener.incoming().flatten() {
        let next = next.clone();
        std::thread::spawn(move || http::serve(stream, |req| handle(req, &next, naive)));
    }
}

fn handle(req: &http::Request, next: &str, naive: bool) -> (u16, Value) {
    match req.path.as_str() {
        "/health" => (200, json!({"ok": true})),
        "/hop" => hop(req, next, naive),
        _ => (404, json!({"error": "not found"})),
    }
}

fn hop(req: &http::Request, next: &str, naive: bool) -> (u16, Value) {
    let from = if naive {
        Config::parse("tracecontext,baggage")
    } else {
        Config::parse("datadog,tracecontext,baggage").with_policy(Policy::First)
    };
    let to = Config::parse("tracecontext,b3multi,baggage");
    let carrier: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let found = propagator::extract(&from, carrier.as_slice());
    if found.conflict() {
        let ids: Vec<String> = found
            .matched()
            .iter()
            .map(|(f, c)| format!("{}={}", f.name(), c.trace_id))
            .collect();
        eprintln!(
            "gateway conflict log: trace ids disagree: {}",
            ids.join(" ")
        );
    }
    let span_id = http::random_span_id();
    let (trace_id, parent) = match found.context {
        Some(ctx) => (ctx.trace_id, Some(ctx.span_id)),
        None => (TraceId::from_u128(http::random_u128()), None),
    };
    let mut ctx = found
        .context
        .unwrap_or_else(|| SpanContext::new(trace_id, span_id).with_sampled(Some(true)));
    ctx.trace_id = trace_id;
    ctx.span_id = span_id;
    let mut out = Propagation::new(ctx);
    out.baggage = found.baggage;
    out.tracestate = found.tracestate;
    let mut sent = Vec::new();
    propagator::inject(&to, &out, &mut |k: &str, v: &str| {
        sent.push((k.to_owned(), v.to_owned()));
    });
    let downstream = http::get_json(next, &sent);
    let span = json!({
        "service": "gateway",
        "language": "rust",
        "trace_id": trace_id.to_hex().as_str(),
        "span_id": span_id.to_hex().as_str(),
        "parent_id": parent.map(|p: SpanId| p.to_hex().to_string()),
        "extracted_from": found.source.map(|f| f.name()),
        "matched": found.matched().iter().map(|(f, _)| f.name()).collect::<Vec<_>>(),
        "conflict": found.conflict(),
        "received": http::tracing_headers(&req.headers),
        "sent": http::tracing_headers(&sent),
    });
    http::chain(span, downstream)
}
