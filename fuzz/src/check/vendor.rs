//! B3, Jaeger, AWS X-Ray and Google Cloud Trace.

use crate::input::{lines, pairs, recorder, text, Written};
use traceprop::b3::{self, Sampling, Single};
use traceprop::w3c::baggage::Member;
use traceprop::{cloudtrace, jaeger, xray};
use traceprop::{Baggage, Error, Headers, Propagation, SpanContext};

fn utf8(buf: &[u8]) -> &str {
    std::str::from_utf8(buf).expect("encoders write UTF-8")
}

/// What B3 and Jaeger keep of a context.
fn b3_fields(c: &SpanContext<'_>) -> impl PartialEq + std::fmt::Debug {
    (c.trace_id, c.span_id, c.sampled, c.debug)
}

/// B3: line 1 is the single `b3` header, lines 2 to 6 the `X-B3-TraceId`,
/// `-SpanId`, `-ParentSpanId`, `-Sampled` and `-Flags` headers (an empty line
/// is an absent header). A single value with ids encodes (never a parent) to
/// a value that parses to the same ids and sampling state and encodes
/// identically; whatever [`b3::extract`] accepts is written by both injectors
/// as headers that extract to the same ids, decision and debug flag.
pub fn b3(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    let single = lines.first().copied().unwrap_or_default();
    if let Ok(parsed) = b3::parse_single(single) {
        match parsed {
            Single::SamplingOnly(_) => assert!(parsed.context().is_none()),
            Single::Ids(ids) => {
                let ctx = ids.context();
                assert!(ctx.is_valid());
                let mut buf = [0u8; b3::MAX_LEN];
                let n = b3::encode_single(&ctx, &mut buf).expect("encodes");
                let first = utf8(&buf[..n]).to_owned();
                let Ok(Single::Ids(again)) = b3::parse_single(&first) else {
                    panic!("{first} does not parse")
                };
                assert_eq!((again.trace_id, again.span_id), (ids.trace_id, ids.span_id));
                assert_eq!(again.sampling, ids.sampling);
                assert_eq!(Sampling::of(&ctx), ids.sampling);
                assert_eq!(again.parent_id, None);
                let n = b3::encode_single(&again.context(), &mut buf).expect("encodes");
                assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");
            }
        }
    }
    let names = [
        "b3",
        "x-b3-traceid",
        "x-b3-spanid",
        "x-b3-parentspanid",
        "x-b3-sampled",
        "x-b3-flags",
    ];
    let headers: Vec<(&str, &str)> = names
        .iter()
        .zip(&lines)
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, *v))
        .collect();
    let Ok(ctx) = b3::extract(&Headers::collect(headers.as_slice())) else {
        return;
    };
    assert!(ctx.is_valid());
    assert!(
        !ctx.debug || ctx.sampled == Some(true),
        "debug without sampled"
    );
    for inject in [b3::inject_single, b3::inject_multi] {
        let mut out = Written::new();
        inject(&Propagation::new(ctx), &mut recorder(&mut out)).expect("writes");
        let back = b3::extract(&Headers::collect(pairs(&out).as_slice())).expect("extracts");
        assert_eq!(b3_fields(&back), b3_fields(&ctx));
        let mut again = Written::new();
        inject(&Propagation::new(back), &mut recorder(&mut again)).expect("writes");
        assert_eq!(again, out, "injection is not stable");
    }
}

/// Keys that differ only in case collide in a header name (`uberctx-{key}`
/// and `ot-baggage-{key}` are written lowercase): such baggage is compared
/// only when every key is distinct ignoring case.
pub(crate) fn distinct_ignoring_case(b: &Baggage<'_>) -> bool {
    let m = b.members();
    m.iter().enumerate().all(|(i, a)| {
        m[..i]
            .iter()
            .all(|x: &Member<'_>| !x.key.eq_ignore_ascii_case(a.key))
    })
}

pub(crate) fn decoded(m: &Member<'_>) -> String {
    let mut buf = vec![0u8; m.value.raw().len()];
    m.value.decode_into(&mut buf).expect("fits").to_owned()
}

/// `after` (extracted from what was written for `before`) holds a subset of
/// `before`'s members, keys compared ignoring case, with the same decoded
/// values.
pub(crate) fn baggage_kept(before: &Baggage<'_>, after: &Baggage<'_>) {
    for m in after.members() {
        let original = before
            .members()
            .iter()
            .find(|x| x.key.eq_ignore_ascii_case(m.key))
            .unwrap_or_else(|| panic!("baggage {} invented", m.key));
        assert_eq!(decoded(m), decoded(original), "baggage {}", m.key);
    }
}

/// Jaeger: line 1 is `uber-trace-id`; each other line is `{key}:{value}` for
/// an `uberctx-{key}` header, or a `jaeger-baggage` value. A valid id encodes
/// to a value that parses to the same ids, sampled and debug flags and
/// encodes identically. The baggage is written as `uberctx-*` headers that
/// extract to the same decoded values and are written identically again.
pub fn jaeger(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    let id = lines.first().copied().unwrap_or_default();
    let parsed = jaeger::parse(id);
    let mut headers = vec![("uber-trace-id".to_owned(), id.to_owned())];
    for line in lines.iter().skip(1) {
        headers.push(match line.split_once(':') {
            Some((k, v)) => (format!("uberctx-{k}"), v.to_owned()),
            None => ("jaeger-baggage".to_owned(), (*line).to_owned()),
        });
    }
    let h = Headers::collect(pairs(&headers).as_slice());
    assert_eq!(jaeger::extract(&h), parsed.map(|p| p.context()));
    if let Ok(p) = parsed {
        let ctx = p.context();
        let mut buf = [0u8; jaeger::MAX_LEN];
        let n = jaeger::encode(&ctx, &mut buf).expect("encodes");
        let first = utf8(&buf[..n]).to_owned();
        let again = jaeger::parse(&first).expect("the encoding parses");
        assert_eq!(b3_fields(&again.context()), b3_fields(&ctx));
        let n = jaeger::encode(&again.context(), &mut buf).expect("encodes");
        assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");
    }

    let mut bag = Baggage::EMPTY;
    jaeger::extract_baggage(&h, &mut bag);
    let mut p = Propagation {
        baggage: bag,
        ..Propagation::default()
    };
    let mut out = Written::new();
    jaeger::inject_baggage(&p, &mut recorder(&mut out)).expect("writes");
    let mut back = Baggage::EMPTY;
    jaeger::extract_baggage(&Headers::collect(pairs(&out).as_slice()), &mut back);
    if !distinct_ignoring_case(&bag) {
        return;
    }
    baggage_kept(&bag, &back);
    p.baggage = back;
    let mut again = Written::new();
    jaeger::inject_baggage(&p, &mut recorder(&mut again)).expect("writes");
    if back.len() == bag.len() {
        assert_eq!(again, out, "baggage injection is not stable");
    }
}

/// X-Ray: a valid header encodes to a value that parses to the same ids and
/// decision, keeps every preserved field that fits the 256-byte budget and
/// has no control character (all of them when they all fit), in order, and
/// encodes identically.
pub fn xray(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let parsed = xray::parse(s);
    let h = Headers::collect(&[("x-amzn-trace-id", s)]);
    assert_eq!(xray::extract(&h), parsed.map(|p| p.context()));
    let Ok(p) = parsed else { return };
    let ctx = p.context();
    let mut buf = [0u8; xray::MAX_LEN];
    let n = xray::encode(&ctx, &mut buf).expect("encodes");
    let first = utf8(&buf[..n]).to_owned();
    let again = xray::parse(&first).expect("the encoding parses");
    assert_eq!(
        (again.trace_id, again.span_id, again.sampled),
        (p.trace_id, p.span_id, p.sampled)
    );
    let before: Vec<&str> = xray::extra_fields(p.extra).collect();
    let after: Vec<&str> = xray::extra_fields(again.extra).collect();
    let mut rest = before.iter();
    for f in &after {
        assert!(rest.any(|x| x == f), "field {f} reordered or invented");
    }
    let total: usize = before.iter().map(|f| f.len() + 1).sum();
    let clean = before
        .iter()
        .all(|f| !f.bytes().any(|b| b.is_ascii_control() && b != b'\t'));
    if total < xray::MAX_EXTRA_LEN && clean {
        assert_eq!(after, before, "preserved fields lost");
    }
    let n = xray::encode(&again.context(), &mut buf).expect("encodes");
    assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");
}

/// Google Cloud: a valid header encodes to a value that parses to the same
/// ids, with the decision written (`None` as not sampled), and encodes
/// identically.
pub fn cloudtrace(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let parsed = cloudtrace::parse(s);
    let h = Headers::collect(&[("x-cloud-trace-context", s)]);
    assert_eq!(cloudtrace::extract(&h), parsed.map(|p| p.context()));
    let Ok(p) = parsed else { return };
    let ctx = p.context();
    let mut buf = [0u8; cloudtrace::MAX_LEN];
    let n = cloudtrace::encode(&ctx, &mut buf).expect("encodes");
    let first = utf8(&buf[..n]).to_owned();
    let again = cloudtrace::parse(&first).expect("the encoding parses");
    assert_eq!(again.context(), ctx.with_sampled(Some(ctx.is_sampled())));
    let n = cloudtrace::encode(&again.context(), &mut buf).expect("encodes");
    assert_eq!(utf8(&buf[..n]), first, "encoding is not stable");
    assert_eq!(
        cloudtrace::encode(&ctx, &mut buf[..n - 1]),
        Err(Error::BufferTooSmall)
    );
}
