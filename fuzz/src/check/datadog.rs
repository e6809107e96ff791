//! Datadog: the `x-datadog-*` headers, `x-datadog-tags`, and the `dd` member
//! of the W3C tracestate.

use crate::input::{lines, pairs, recorder, text, Written};
use traceprop::datadog::{self, member, tags};
use traceprop::w3c::tracestate;
use traceprop::{
    DatadogTags, Error, Headers, Propagation, SpanContext, SpanId, TraceId, TraceState,
};

/// The carried tags other than `_dd.p.tid`, decoded.
fn carried(t: &DatadogTags<'_>) -> Vec<(String, String)> {
    t.iter()
        .filter(|t| t.name != tags::TID)
        .map(|t| (t.name.to_owned(), t.value.to_string()))
        .collect()
}

fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_control() && b != b'\t')
}

/// The `x-datadog-*` headers: lines 1 to 5 are the trace id, parent id,
/// sampling priority, origin and tags (an empty line is an absent header).
/// An extracted context is written as headers that extract to the same
/// 128-bit trace id (low half in decimal, high half in `_dd.p.tid`), span id,
/// priority and decision, origin (dropped only when it holds a control
/// character) and carried `_dd.p.*` tags, and are written identically again.
/// Also: the tags grammar, and priorities written as they were parsed.
pub fn datadog(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    let names = [
        "x-datadog-trace-id",
        "x-datadog-parent-id",
        "x-datadog-sampling-priority",
        "x-datadog-origin",
        "x-datadog-tags",
    ];
    let headers: Vec<(&str, &str)> = names
        .iter()
        .zip(&lines)
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, *v))
        .collect();
    if let Some(all) = text(data) {
        tags_grammar(all);
    }
    for line in &lines {
        if let Ok(p) = datadog::parse_sampling_priority(line) {
            let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(1));
            ctx.sampling_priority = Some(p);
            let mut out = Written::new();
            datadog::inject(&Propagation::new(ctx), &mut recorder(&mut out)).expect("writes");
            let back = datadog::extract(&Headers::collect(pairs(&out).as_slice()));
            assert_eq!(back.expect("extracts").sampling_priority, Some(p));
        }
    }
    let Ok(ctx) = datadog::extract(&Headers::collect(headers.as_slice())) else {
        return;
    };
    assert!(ctx.is_valid() && ctx.trace_id.low() != 0);
    assert_eq!(ctx.sampled, ctx.sampling_priority.map(|p| p > 0));
    let mut out = Written::new();
    datadog::inject(&Propagation::new(ctx), &mut recorder(&mut out)).expect("writes");
    let back = datadog::extract(&Headers::collect(pairs(&out).as_slice())).expect("extracts");
    assert_eq!((back.trace_id, back.span_id), (ctx.trace_id, ctx.span_id));
    assert_eq!(back.sampling_priority, ctx.sampling_priority);
    assert_eq!(back.sampled, ctx.sampled);
    match ctx.origin {
        Some(o) if !has_control(&o.to_string()) => assert_eq!(back.origin, Some(o)),
        _ => assert_eq!(back.origin, None),
    }
    assert_eq!(carried(&back.dd_tags), carried(&ctx.dd_tags));
    let mut again = Written::new();
    datadog::inject(&Propagation::new(back), &mut recorder(&mut again)).expect("writes");
    assert_eq!(again, out, "injection is not stable");
}

/// `x-datadog-tags`: an accepted value is at most 512 bytes and its tags are
/// what [`DatadogTags::iter`] yields; encoding never panics on any buffer,
/// and what it writes is itself accepted.
fn tags_grammar(value: &str) {
    match tags::parse(value) {
        Ok(t) => {
            assert!(value.len() <= tags::MAX_LEN);
            assert_eq!(t, DatadogTags::Header(value));
        }
        Err(_) => assert_eq!(DatadogTags::Header(value).iter().count(), 0),
    }
    let mut ctx = SpanContext::new(TraceId::from_halves(7, 1), SpanId::from_u64(1));
    ctx.dd_tags = DatadogTags::Header(value);
    let mut buf = [0u8; tags::MAX_LEN];
    let n = tags::encode(&ctx, &mut buf).expect("MAX_LEN suffices");
    let written = std::str::from_utf8(&buf[..n]).expect("UTF-8");
    assert!(
        tags::parse(written).is_ok(),
        "wrote invalid tags {written:?}"
    );
    for short in [0, n / 2] {
        if short < n {
            assert_eq!(
                tags::encode(&ctx, &mut buf[..short]),
                Err(Error::BufferTooSmall)
            );
        }
    }
}

/// The `dd` tracestate member: the input is a tracestate (lines). Applied to
/// a context, then written back with [`datadog::inject_tracestate`]: the
/// result is a valid tracestate; with Datadog state it starts with `dd` and
/// fits 512 characters, without it is the tracestate unchanged; reading it
/// back gives the same priority, and writing again gives the same header.
pub fn datadog_member(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    for line in &lines {
        let m = member::Member::parse(line);
        if let Some(o) = m.origin {
            assert!(!o.is_empty());
        }
    }
    let Ok(ts) = TraceState::parse_lines(&lines) else {
        return;
    };
    let sampled = Some(data.len().is_multiple_of(2));
    let base =
        SpanContext::new(TraceId::from_halves(3, 4), SpanId::from_u64(5)).with_sampled(sampled);
    let mut ctx = base;
    datadog::apply_tracestate(&ts, &mut ctx);
    assert_eq!(
        ctx.sampling_priority.is_some(),
        ts.get(member::KEY).is_some()
    );
    if let Some(p) = ctx.sampling_priority {
        assert_eq!(p > 0, ctx.is_sampled(), "priority contradicts the flag");
    }
    let p = Propagation {
        context: ctx,
        tracestate: ts,
        baggage: traceprop::Baggage::EMPTY,
    };
    let mut out = Written::new();
    datadog::inject_tracestate(&p, &mut recorder(&mut out)).expect("writes");
    let Some((_, value)) = out.first() else {
        assert!(ts.is_empty() && !member::carries_datadog(&ctx));
        return;
    };
    let written = TraceState::parse(value).expect("a valid tracestate");
    if member::carries_datadog(&ctx) {
        assert_eq!(written.members()[0].key, member::KEY);
        assert!(value.len() <= tracestate::TRUNCATE_LEN);
        let mut back = base;
        datadog::apply_tracestate(&written, &mut back);
        assert_eq!(back.sampling_priority, ctx.sampling_priority);
        let p2 = Propagation {
            context: back,
            tracestate: written,
            baggage: traceprop::Baggage::EMPTY,
        };
        let mut again = Written::new();
        datadog::inject_tracestate(&p2, &mut recorder(&mut again)).expect("writes");
        assert_eq!(again, out, "injection is not stable");
    } else {
        assert_eq!(written.members(), ts.members());
    }
}
