//! Conversions between OpenTelemetry's context types and `traceprop`'s.

use opentelemetry::baggage::{Baggage as OtelBaggage, BaggageExt, KeyValueMetadata};
use opentelemetry::trace::{
    SpanContext as OtelSpanContext, SpanId as OtelSpanId, TraceContextExt, TraceFlags,
    TraceId as OtelTraceId, TraceState as OtelTraceState,
};
use opentelemetry::Context;
use traceprop::w3c::baggage::{self, Encoding, Member, Value};
use traceprop::{Baggage, Propagation, SpanContext, SpanId, TraceId, TraceState, Writer};

use crate::Extracted;

/// The W3C random flag, which OpenTelemetry's `TraceFlags` has no name for.
const RANDOM: TraceFlags = TraceFlags::new(0x02);

/// The OpenTelemetry span context of an extracted `ctx` (remote).
pub(crate) fn span_context(ctx: &SpanContext<'_>, tracestate: &TraceState<'_>) -> OtelSpanContext {
    let mut flags = TraceFlags::default().with_sampled(ctx.is_sampled());
    if ctx.random {
        flags = flags | RANDOM;
    }
    // traceprop validated every member against the W3C grammar, which
    // OpenTelemetry's own check accepts; should it ever refuse one, the
    // context is still worth more than its tracestate.
    let state = if tracestate.is_empty() {
        OtelTraceState::NONE
    } else {
        OtelTraceState::from_key_value(tracestate.members().iter().map(|m| (m.key, m.value)))
            .unwrap_or_default()
    };
    OtelSpanContext::new(
        OtelTraceId::from_bytes(ctx.trace_id.to_bytes()),
        OtelSpanId::from_bytes(ctx.span_id.to_bytes()),
        flags,
        true,
        state,
    )
}

/// OpenTelemetry baggage of `b`: values decoded, properties as metadata.
pub(crate) fn baggage(b: &Baggage<'_>) -> OtelBaggage {
    let mut value_buf = [0u8; baggage::MAX_BYTES];
    let mut prop_buf = [0u8; baggage::MAX_BYTES];
    b.members()
        .iter()
        .filter_map(|m| {
            let value = m.value.decode_into(&mut value_buf).ok()?.to_owned();
            let mut w = Writer::new(&mut prop_buf);
            m.write_properties(&mut w).ok()?;
            let properties = String::from_utf8_lossy(w.written()).into_owned();
            Some(KeyValueMetadata::new(m.key.to_owned(), value, properties))
        })
        .collect()
}

/// Calls `f` with the [`Propagation`] of `cx`: its span, tracestate and
/// baggage, plus what [`Extracted`] carried for the same trace.
pub(crate) fn with_propagation(cx: &Context, f: impl FnOnce(&Propagation<'_>)) {
    let span = cx.span();
    let sc = span.span_context();
    let mut ctx = SpanContext::new(
        TraceId::from_bytes(sc.trace_id().to_bytes()),
        SpanId::from_bytes(sc.span_id().to_bytes()),
    )
    .with_sampled(Some(sc.is_sampled()));
    ctx.random = sc.trace_flags() & RANDOM == RANDOM;
    if let Some(x) = cx.get::<Extracted>() {
        x.apply(sc, &mut ctx);
    }

    let header = sc.trace_state().header();
    let mut p = Propagation::new(ctx);
    // OpenTelemetry validated the members; one traceprop rejects (a rule the
    // two read differently) drops the tracestate, as W3C says for invalid ones.
    p.tracestate = TraceState::parse(&header).unwrap_or_default();

    let otel_baggage = cx.baggage();
    let mut members: Vec<_> = otel_baggage.iter().collect();
    members.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    for (key, (value, metadata)) in members {
        if let Ok(value) = Value::new(value.as_str(), Encoding::Raw) {
            // Over the limits: the member is left out, the others still go.
            let _ = p.baggage.push(Member {
                key: key.as_str(),
                value,
                properties: metadata.as_str(),
            });
        }
    }
    f(&p);
}
