//! The adapter against the real `opentelemetry_sdk`: spans made by an SDK
//! tracer provider are injected by traceprop and extracted by the SDK's own
//! propagators, and back, plus a round trip through every format.

use std::collections::HashMap;

use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::{
    Span, SpanContext, TraceContextExt, TraceFlags, TraceState, Tracer, TracerProvider,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use traceprop_opentelemetry::{Extracted, Format, TracepropPropagator};

type Carrier = HashMap<String, String>;

/// A context holding a fresh span of an SDK tracer (random 128-bit trace
/// id), with a tracestate and baggage.
fn sdk_context(sampled: bool) -> Context {
    let sampler = if sampled {
        Sampler::AlwaysOn
    } else {
        Sampler::AlwaysOff
    };
    let provider = SdkTracerProvider::builder().with_sampler(sampler).build();
    let tracer = provider.tracer("traceprop-test");
    let parent = SpanContext::new(
        opentelemetry::trace::TraceId::from_bytes(rand_bytes()),
        opentelemetry::trace::SpanId::from_bytes([1; 8]),
        TraceFlags::SAMPLED,
        true,
        TraceState::from_key_value([("vendor", "value"), ("other", "x")]).unwrap(),
    );
    let parent_cx = Context::new().with_remote_span_context(parent);
    let span = tracer.start_with_context("op", &parent_cx);
    parent_cx.with_span(span).with_baggage([
        KeyValue::new("user", "alice smith"),
        KeyValue::new("tenant", "a+b%c"),
    ])
}

/// Bytes that differ between calls, from the SDK's own id generator.
fn rand_bytes() -> [u8; 16] {
    let provider = SdkTracerProvider::builder().build();
    let span = provider.tracer("ids").start("ids");
    span.span_context().trace_id().to_bytes()
}

fn inject(p: &dyn TextMapPropagator, cx: &Context) -> Carrier {
    let mut carrier = Carrier::new();
    p.inject_context(cx, &mut carrier);
    carrier
}

fn sdk_composite() -> TextMapCompositePropagator {
    TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
    ])
}

fn baggage_of(cx: &Context) -> Vec<(String, String)> {
    let mut b: Vec<_> = cx
        .baggage()
        .iter()
        .map(|(k, (v, _))| (k.to_string(), v.to_string()))
        .collect();
    b.sort();
    b
}

#[test]
fn sdk_span_injected_by_us_extracted_by_sdk() {
    for sampled in [true, false] {
        let cx = sdk_context(sampled);
        let ours = inject(&TracepropPropagator::default(), &cx);
        let back = sdk_composite().extract(&ours);
        let want = cx.span().span_context().clone();
        let got = back.span().span_context().clone();
        assert_eq!(got.trace_id(), want.trace_id());
        assert_eq!(got.span_id(), want.span_id());
        assert_eq!(got.is_sampled(), sampled);
        assert_eq!(got.trace_state().header(), "vendor=value,other=x");
        assert_eq!(baggage_of(&back), baggage_of(&cx));
    }
}

#[test]
fn sdk_injection_extracted_by_us() {
    for sampled in [true, false] {
        let cx = sdk_context(sampled);
        let sdk = inject(&sdk_composite(), &cx);
        let back = TracepropPropagator::default().extract(&sdk);
        let want = cx.span().span_context().clone();
        let got = back.span().span_context().clone();
        assert_eq!(got.trace_id(), want.trace_id());
        assert_eq!(got.span_id(), want.span_id());
        assert_eq!(got.trace_flags(), want.trace_flags());
        assert!(got.is_remote());
        assert_eq!(got.trace_state(), want.trace_state());
        // The SDK leaves `%` unencoded (`tenant=a+b%c`): an invalid escape,
        // so that member alone is dropped (SEMANTICS §2).
        assert!(sdk["baggage"].split(',').any(|m| m == "tenant=a+b%c"));
        assert_eq!(baggage_of(&back), [("user".into(), "alice smith".into())]);
    }
}

#[test]
fn same_headers_as_the_sdk() {
    let cx = sdk_context(true);
    let ours = inject(&TracepropPropagator::default(), &cx);
    let sdk = inject(&sdk_composite(), &cx);
    assert_eq!(ours["traceparent"], sdk["traceparent"]);
    assert_eq!(ours["tracestate"], sdk["tracestate"]);
    // Baggage: the same members, percent-encoded so every peer decodes them
    // alike (SEMANTICS §2); the SDK's order is its hash map's.
    let members = |v: &str| {
        let mut m: Vec<String> = v.split(',').map(str::to_owned).collect();
        m.sort();
        m
    };
    assert_eq!(
        members(&ours["baggage"]),
        ["tenant=a%2Bb%25c", "user=alice%20smith"]
    );
    assert_eq!(
        BaggagePropagator::new().extract(&ours).baggage().len(),
        cx.baggage().len()
    );
}

#[test]
fn every_format_round_trips_an_sdk_span() {
    for format in Format::ALL.into_iter().filter(|f| f.carries_context()) {
        for sampled in [true, false] {
            let cx = sdk_context(sampled);
            let prop = TracepropPropagator::format(format);
            let carrier = inject(&prop, &cx);
            assert!(!carrier.is_empty(), "{format:?} wrote nothing");
            assert!(
                carrier.keys().all(|k| prop.fields().any(|f| f == k)
                    || k.starts_with("uberctx-")
                    || k.starts_with("ot-baggage-")),
                "{format:?} wrote a header fields() does not list: {carrier:?}"
            );
            let back = prop.extract(&carrier);
            let want = cx.span().span_context().clone();
            let got = back.span().span_context().clone();
            let want_trace = want.trace_id().to_bytes();
            let got_trace = got.trace_id().to_bytes();
            if format == Format::OtTrace {
                // 64-bit format: the low half travels, left-padded (SEMANTICS §5).
                assert_eq!(got_trace[8..], want_trace[8..], "{format:?}");
                assert_eq!(got_trace[..8], [0; 8], "{format:?}");
            } else {
                assert_eq!(got_trace, want_trace, "{format:?}");
            }
            assert_eq!(got.span_id(), want.span_id(), "{format:?}");
            assert_eq!(got.is_sampled(), sampled, "{format:?}");
            assert_eq!(back.get::<Extracted>().unwrap().source(), format);
        }
    }
}

#[test]
fn datadog_fields_survive_a_child_span() {
    let prop = TracepropPropagator::parse("datadog,tracecontext");
    let incoming = Carrier::from([
        ("x-datadog-trace-id".into(), "1234".into()),
        ("x-datadog-parent-id".into(), "5678".into()),
        ("x-datadog-sampling-priority".into(), "2".into()),
        ("x-datadog-origin".into(), "synthetics".into()),
        ("x-datadog-tags".into(), "_dd.p.dm=-4".into()),
    ]);
    let extracted = prop.extract(&incoming);
    let provider = SdkTracerProvider::builder().build();
    let span = provider
        .tracer("svc")
        .start_with_context("handler", &extracted);
    let child_span_id = span.span_context().span_id();
    let child = extracted.with_span(span);

    let out = inject(&prop, &child);
    assert_eq!(out["x-datadog-trace-id"], "1234");
    assert_eq!(
        out["x-datadog-parent-id"],
        u64::from_be_bytes(child_span_id.to_bytes()).to_string()
    );
    assert_eq!(out["x-datadog-sampling-priority"], "2");
    assert_eq!(out["x-datadog-origin"], "synthetics");
    assert_eq!(out["x-datadog-tags"], "_dd.p.dm=-4");

    // Another trace gets none of them.
    let other = sdk_context(true).with_value(extracted.get::<Extracted>().unwrap().clone());
    let out = inject(&prop, &other);
    assert_eq!(out["x-datadog-sampling-priority"], "1");
    assert!(!out.contains_key("x-datadog-origin"));
}

#[test]
fn deferred_sampling_survives_forwarding_only() {
    let prop = TracepropPropagator::format(Format::B3);
    let incoming = Carrier::from([(
        "b3".into(),
        "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7".into(),
    )]);
    let cx = prop.extract(&incoming);
    assert_eq!(cx.get::<Extracted>().unwrap().sampled(), None);
    // A gateway forwarding the context keeps "no decision".
    assert_eq!(inject(&prop, &cx), incoming);
    // A child span made its own decision, which is sent.
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOn)
        .build();
    let span = provider.tracer("svc").start_with_context("op", &cx);
    let out = inject(&prop, &cx.with_span(span));
    assert!(out["b3"].ends_with("-1"), "{out:?}");
}

#[test]
fn extraction_report_and_policy() {
    let carrier = Carrier::from([
        (
            "traceparent".into(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into(),
        ),
        ("tracestate".into(), "a=1".into()),
        (
            "x-b3-traceid".into(),
            "0af7651916cd43dd8448eb211c80319c".into(),
        ),
        ("x-b3-spanid".into(), "b7ad6b7169203331".into()),
        ("uber-trace-id".into(), "garbage".into()),
    ]);
    let last = TracepropPropagator::parse("tracecontext,b3multi,jaeger").extract(&carrier);
    let x = last.get::<Extracted>().unwrap();
    assert_eq!(x.source(), Format::B3Multi);
    assert!(x.conflict());
    assert_eq!(
        x.matched().iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        [Format::TraceContext, Format::B3Multi]
    );
    assert_eq!(x.rejected().len(), 1);
    assert_eq!(x.rejected()[0].0, Format::Jaeger);
    // The tracestate belongs to the W3C trace, which lost.
    assert_eq!(last.span().span_context().trace_state().header(), "");

    let first = TracepropPropagator::new(
        traceprop::propagator::Config::parse("tracecontext,b3multi")
            .with_policy(traceprop::propagator::Policy::First),
        traceprop::propagator::Config::default(),
    )
    .extract(&carrier);
    let sc = first.span().span_context().clone();
    assert_eq!(
        sc.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(sc.trace_state().header(), "a=1");
}

#[test]
fn nothing_found_leaves_the_context_alone() {
    let cx = sdk_context(true);
    let out = TracepropPropagator::default().extract_with_context(&cx, &Carrier::new());
    assert_eq!(
        out.span().span_context().span_id(),
        cx.span().span_context().span_id()
    );
    assert!(out.get::<Extracted>().is_none());
    assert_eq!(baggage_of(&out), baggage_of(&cx));
}

#[test]
fn global_propagator_switch_is_one_line() {
    opentelemetry::global::set_text_map_propagator(TracepropPropagator::parse("b3multi"));
    let cx = sdk_context(true);
    let mut carrier = Carrier::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut carrier));
    assert_eq!(
        carrier["x-b3-traceid"],
        cx.span().span_context().trace_id().to_string()
    );
}

#[test]
fn random_flag_and_xray_fields_survive_forwarding() {
    let prop = TracepropPropagator::parse("tracecontext,xray");
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03";
    let cx = prop.extract(&Carrier::from([("traceparent".into(), tp.into())]));
    assert_eq!(inject(&prop, &cx)["traceparent"], tp);

    let xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1|68fd508a:5";
    let cx = prop.extract(&Carrier::from([("x-amzn-trace-id".into(), xray.into())]));
    assert_eq!(
        cx.get::<Extracted>().unwrap().xray_extra(),
        "Lineage=a87bd80c:1|68fd508a:5"
    );
    assert_eq!(inject(&prop, &cx)["x-amzn-trace-id"], xray);
}
