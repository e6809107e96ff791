//! The composite propagator over arbitrary header sets ([`HeaderSet`]).

use super::vendor::{baggage_kept, decoded, distinct_ignoring_case};
use crate::input::{pairs, recorder, HeaderSet, Written};
use arbitrary::{Arbitrary, Unstructured};
use traceprop::carrier::{MAX_BAGGAGE_LINES, MAX_TRACESTATE_LINES};
use traceprop::datadog::{member, tags};
use traceprop::propagator::{self, Config, Extraction, Format, Policy};
use traceprop::w3c::baggage;
use traceprop::{xray, Error, Header, Headers, SpanContext, TraceId};

fn header_set(data: &[u8]) -> HeaderSet {
    HeaderSet::arbitrary(&mut Unstructured::new(data)).expect("never fails")
}

fn strip_prefix<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    (name.len() > prefix.len() && name.get(..prefix.len())?.eq_ignore_ascii_case(prefix))
        .then(|| &name[prefix.len()..])
}

/// [`Headers::collect`] against a plain re-statement of its contract: the
/// first line of every known name (trimmed), the line count, the non-empty
/// `tracestate`/`baggage` lines and the prefixed baggage headers, capped.
fn headers_index(lines: &[(String, String)], h: &Headers<'_>) {
    let ows = |v: &str| v.trim_matches([' ', '\t']).to_owned();
    for header in Header::ALL {
        let of: Vec<&(String, String)> = lines
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(header.name()))
            .collect();
        assert_eq!(h.count(header), of.len(), "{}", header.name());
        assert_eq!(
            h.get(header).map(str::to_owned),
            of.first().map(|(_, v)| ows(v))
        );
    }
    let non_empty = |name: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| ows(v))
            .filter(|v| !v.is_empty())
            .collect()
    };
    let ts = non_empty("tracestate");
    let kept = &ts[..ts.len().min(MAX_TRACESTATE_LINES)];
    assert_eq!(h.tracestate_lines(), kept);
    assert_eq!(h.tracestate_overflowed(), ts.len() > MAX_TRACESTATE_LINES);
    let bag = non_empty("baggage");
    assert_eq!(h.baggage_lines(), &bag[..bag.len().min(MAX_BAGGAGE_LINES)]);
    for (prefix, got) in [("uberctx-", h.uberctx()), ("ot-baggage-", h.ot_baggage())] {
        let want: Vec<(&str, String)> = lines
            .iter()
            .filter(|(k, _)| Header::lookup(k).is_none())
            .filter_map(|(k, v)| Some((strip_prefix(k, prefix)?, ows(v))))
            .take(MAX_BAGGAGE_LINES)
            .collect();
        let got: Vec<(&str, String)> = got.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        assert_eq!(got, want, "{prefix}");
    }
}

/// The report of an extraction is consistent: the winner is the last (or
/// first) matched context, every context is valid, a rejected format is
/// neither missing nor matched, the tracestate belongs to the winning trace.
fn report(config: &Config, x: &Extraction<'_>) {
    for (_, ctx) in x.matched() {
        assert!(ctx.is_valid());
    }
    let winner = match config.policy() {
        Policy::Last => x.matched().last(),
        Policy::First => x.matched().first(),
    };
    assert_eq!(x.context, winner.map(|(_, c)| *c));
    assert_eq!(x.source, winner.map(|(f, _)| *f));
    for r in x.rejected() {
        assert_ne!(r.error, Error::Missing);
        assert!(x.matched().iter().all(|(f, _)| *f != r.format));
        assert!(config.formats().contains(&r.format));
    }
    assert!(x.matched().len() + x.rejected().len() <= config.formats().len());
    assert!(x.baggage.len() <= baggage::MAX_MEMBERS);
    if !x.tracestate.is_empty() {
        let w3c = x.matched().iter().find(|(f, _)| *f == Format::TraceContext);
        assert_eq!(w3c.map(|(_, c)| c.trace_id), x.context.map(|c| c.trace_id));
    }
}

/// The composite extract over any header set and configuration: the
/// one-pass header index is right, the report is consistent, and injecting
/// the result (and translating) writes lowercase names, values without
/// control characters and, without a context, only baggage.
pub fn composite_extract(data: &[u8]) {
    let set = header_set(data);
    let carrier = pairs(&set.lines);
    headers_index(&set.lines, &Headers::collect(carrier.as_slice()));
    let x = propagator::extract(&set.config, carrier.as_slice());
    report(&set.config, &x);
    let mut out = Written::new();
    propagator::inject(&set.config, &x.propagation(), &mut recorder(&mut out));
    for (name, value) in &out {
        assert_eq!(name, &name.to_ascii_lowercase());
        // Nothing from the request can split a header (RFC 9110 §5.5).
        let control = |b: u8| (b < 0x20 && b != b'\t') || b == 0x7f;
        assert!(!value.bytes().any(control), "{name}: {value:?}");
        assert!(name.bytes().all(|b| b.is_ascii_graphic()), "{name:?}");
        if x.context.is_none() {
            assert_eq!(name, "baggage", "a trace header without a context");
        }
    }
    let mut translated = Written::new();
    let t = propagator::translate(
        &set.config,
        &set.config,
        carrier.as_slice(),
        &mut recorder(&mut translated),
    );
    assert_eq!(t.context, x.context);
    assert_eq!(
        translated,
        if x.context.is_some() {
            out
        } else {
            Written::new()
        }
    );
}

/// The trace id `format` writes for `t`: all 128 bits, except OT's low 64
/// (all 128 when the low half is zero, which alone would be invalid).
fn written_trace_id(format: Format, t: TraceId) -> TraceId {
    match format {
        Format::OtTrace if t.low() != 0 => TraceId::from_u64(t.low()),
        _ => t,
    }
}

/// What one format promises to keep between `a` (extracted) and `b`
/// (extracted from what was injected for `a`).
fn kept(format: Format, a: &Extraction<'_>, b: &Extraction<'_>) {
    let name = format.name();
    if format == Format::Baggage {
        let mut rest = a.baggage.members().iter();
        for m in b.baggage.members() {
            let o = rest
                .find(|x| x.key == m.key)
                .unwrap_or_else(|| panic!("{name}: {}", m.key));
            assert_eq!(decoded(m), decoded(o), "{name}: {}", m.key);
            assert_eq!(
                m.properties().collect::<Vec<_>>(),
                o.properties().collect::<Vec<_>>()
            );
        }
        return;
    }
    let (x, y) = match (a.context, b.context) {
        (Some(x), Some(y)) => (x, y),
        (None, None) => return,
        (None, Some(y)) => panic!("{name}: {y:?} from nothing"),
        (Some(x), None) => {
            // Only Datadog refuses a valid context: one with zero low 64 bits.
            let refused = format == Format::Datadog && x.trace_id.low() == 0;
            assert!(refused, "{name}: lost {x:?}");
            return;
        }
    };
    assert_eq!(y.trace_id, written_trace_id(format, x.trace_id), "{name}");
    assert_eq!(y.span_id, x.span_id, "{name}");
    match format {
        Format::B3 | Format::B3Multi | Format::XRay => assert_eq!(y.sampled, x.sampled, "{name}"),
        Format::Datadog => {
            assert_eq!(y.sampling_priority, x.sampling_priority);
            assert_eq!(y.sampled, x.sampled);
        }
        _ => assert_eq!(y.sampled, Some(x.is_sampled()), "{name}"),
    }
    if matches!(format, Format::B3 | Format::B3Multi | Format::Jaeger) {
        assert_eq!(y.debug, x.debug, "{name}");
    }
    if matches!(format, Format::TraceContext | Format::GrpcTraceBin) {
        assert_eq!(y.random, x.random, "{name}");
    }
    match format {
        Format::TraceContext => {
            assert_eq!(y.sampling_priority, x.sampling_priority);
            let others = |e: &Extraction<'_>| -> Vec<(String, String)> {
                e.tracestate
                    .members()
                    .iter()
                    .filter(|m| m.key != member::KEY)
                    .map(|m| (m.key.to_owned(), m.value.to_owned()))
                    .collect()
            };
            let (before, after) = (others(a), others(b));
            if member::carries_datadog(&x) {
                assert_eq!(b.tracestate.members()[0].key, member::KEY);
                let mut rest = before.iter();
                assert!(
                    after.iter().all(|m| rest.any(|o| o == m)),
                    "tracestate reordered"
                );
            } else {
                assert_eq!(after, before, "tracestate changed");
            }
        }
        Format::XRay => {
            let f = |c: &SpanContext<'_>| {
                xray::extra_fields(c.xray_extra)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            let (before, after) = (f(&x), f(&y));
            let total: usize = before.iter().map(|s| s.len() + 1).sum();
            let clean = before
                .iter()
                .all(|s| !s.bytes().any(|b| b.is_ascii_control() && b != b'\t'));
            if total < xray::MAX_EXTRA_LEN && clean {
                assert_eq!(after, before, "X-Ray fields lost");
            }
        }
        Format::Datadog => {
            let carried = |c: &SpanContext<'_>| {
                c.dd_tags
                    .iter()
                    .filter(|t| t.name != tags::TID)
                    .map(|t| (t.name.to_owned(), t.value.to_string()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(carried(&y), carried(&x), "_dd.p.* tags changed");
            let clean = |o: &String| !o.bytes().any(|b| b.is_ascii_control() && b != b'\t');
            let origin = x.origin.map(|o| o.to_string()).filter(clean);
            assert_eq!(y.origin.map(|o| o.to_string()), origin);
        }
        Format::Jaeger | Format::OtTrace if distinct_ignoring_case(&a.baggage) => {
            baggage_kept(&a.baggage, &b.baggage);
        }
        _ => {}
    }
}

fn inject(config: &Config, x: &Extraction<'_>) -> Written {
    let mut out = Written::new();
    propagator::inject(config, &x.propagation(), &mut recorder(&mut out));
    out
}

/// Extract, inject, extract again, per configured format alone: the second
/// extraction keeps trace id, span id, decision and what the format promises
/// (see [`kept`]), and injecting it writes the same headers (the encoding is
/// canonical and stable). With the whole configuration: what was injected
/// extracts with no rejection, and every format that matches keeps the ids.
pub fn composite_roundtrip(data: &[u8]) {
    let set = header_set(data);
    let carrier = pairs(&set.lines);
    for &format in set.config.formats() {
        let one = Config::from_formats(&[format]);
        let a = propagator::extract(&one, carrier.as_slice());
        let first = inject(&one, &a);
        let b = propagator::extract(&one, pairs(&first).as_slice());
        assert!(
            b.rejected().is_empty(),
            "{}: {:?} from {first:?}",
            format.name(),
            b.rejected()
        );
        assert_eq!(b.tracestate_error, None);
        kept(format, &a, &b);
        let lossy_keys = !distinct_ignoring_case(&a.baggage)
            && matches!(format, Format::Jaeger | Format::OtTrace);
        let grew = b.baggage.len() != a.baggage.len()
            && matches!(format, Format::Baggage | Format::Jaeger | Format::OtTrace);
        if !lossy_keys && !grew {
            assert_eq!(inject(&one, &b), first, "{}: not stable", format.name());
        }
    }
    let a = propagator::extract(&set.config, carrier.as_slice());
    let Some(ctx) = a.context else { return };
    let written = inject(&set.config, &a);
    let b = propagator::extract(&set.config, pairs(&written).as_slice());
    assert!(
        b.rejected().is_empty(),
        "{:?} from {written:?}",
        b.rejected()
    );
    assert_eq!(b.tracestate_error, None);
    for (format, c) in b.matched() {
        assert_eq!(
            c.trace_id,
            written_trace_id(*format, ctx.trace_id),
            "{}",
            format.name()
        );
        assert_eq!(c.span_id, ctx.span_id, "{}", format.name());
        assert_eq!(c.is_sampled(), ctx.is_sampled(), "{}", format.name());
    }
}
