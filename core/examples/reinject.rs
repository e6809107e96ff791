//! Extracts the context of a real request's headers (a Datadog-instrumented
//! caller that also sent W3C headers) and re-injects it in other formats, as a
//! gateway would. Run: `cargo run -p traceprop --example reinject`.

use traceprop::propagator::{self, Config, Policy};

fn main() {
    // Headers as a browser -> gateway request carries them (15 lines).
    let request = [
        ("host", "api.example.com"),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64)"),
        ("accept", "application/json"),
        ("accept-encoding", "gzip, deflate, br"),
        ("accept-language", "en-US,en;q=0.9"),
        ("content-type", "application/json"),
        ("content-length", "42"),
        ("cookie", "session=abc123"),
        ("x-request-id", "f3b1c2d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"),
        ("x-forwarded-for", "203.0.113.7"),
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
        ("baggage", "userId=Am%C3%A9lie,tenant=acme;tier=gold"),
        ("x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("x-b3-spanid", "00f067aa0ba902b7"),
    ];
    let from = Config::parse("b3multi,tracecontext,baggage").with_policy(Policy::Last);
    let found = propagator::extract(&from, &request);
    match (found.context, found.source) {
        (Some(ctx), Some(source)) => println!(
            "extracted from {}: trace {} span {} sampled {:?}",
            source.name(),
            ctx.trace_id,
            ctx.span_id,
            ctx.sampled
        ),
        _ => println!("no valid context"),
    }
    for (format, ctx) in found.matched() {
        println!("  {:<12} matched trace {}", format.name(), ctx.trace_id);
    }
    for r in found.rejected() {
        println!("  {:<12} rejected: {}", r.format.name(), r.error);
    }
    println!("  trace ids agree: {}", !found.conflict());

    let to =
        Config::parse("tracecontext,baggage,b3,b3multi,jaeger,ottrace,datadog,xray,cloudtrace,sw8");
    println!("re-injected:");
    propagator::inject(&to, &found.propagation(), &mut |name: &str, value: &str| {
        println!("  {name}: {value}");
    });
}
