//! The composite propagator: a list of formats configured by an
//! `OTEL_PROPAGATORS`-style string (or Datadog's variables, see
//! [`EnvConfig`]), extracted in one pass over the carrier and injected into a
//! sink (SEMANTICS §9).
//!
//! - [`extract`] walks the carrier once ([`Headers::collect`]), then asks each
//!   configured format in list order. The [`Extraction`] holds the winning
//!   context (policy [`Policy::Last`] or [`Policy::First`]), the W3C
//!   tracestate when `tracecontext` produced the winning trace id, the
//!   baggage of every baggage-carrying format merged in list order (later
//!   wins per key), every format that matched with its context, whether their
//!   trace ids conflict, and why each present-but-invalid format was rejected.
//! - [`inject`] writes every configured format from stack buffers.
//! - [`translate`] is both, for gateways.

mod config;
mod format;

pub use config::{
    Config, DatadogB3, Env, EnvConfig, Policy, UnknownName, DD_STYLE, DD_STYLE_EXTRACT,
    DD_STYLE_INJECT, OTEL_PROPAGATORS,
};
pub use format::Format;

use crate::carrier::{Carrier, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::slots::Slots;
use crate::w3c::tracestate;
use crate::{datadog, Baggage, Error, SpanId, TraceId, TraceState};

/// Why a format whose headers were present yielded no context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    /// The format.
    pub format: Format,
    /// What was wrong.
    pub error: Error,
}

/// The result of [`extract`]: the winning context, tracestate, baggage, and a
/// report of what every configured format found.
#[derive(Debug, Clone)]
pub struct Extraction<'a> {
    /// The winning context, if any format yielded a valid one.
    pub context: Option<SpanContext<'a>>,
    /// The format it came from.
    pub source: Option<Format>,
    /// The W3C tracestate, kept when `tracecontext` yielded a valid context with
    /// the winning trace id.
    pub tracestate: TraceState<'a>,
    /// Why the tracestate was dropped, when it was present and invalid.
    pub tracestate_error: Option<Error>,
    /// The baggage of every baggage-carrying format, merged in list order.
    pub baggage: Baggage<'a>,
    /// The other formats' valid contexts (for conflict logging and span links).
    matched: Slots<(Format, SpanContext<'a>), INLINE_MATCHES, { Format::COUNT }>,
    matched_len: usize,
    rejected: [Rejection; Format::COUNT],
    rejected_len: usize,
}

/// Matched formats stored inline before [`Extraction`] makes room for all.
const INLINE_MATCHES: usize = 4;

const NO_MATCH: (Format, SpanContext<'static>) = (
    Format::TraceContext,
    SpanContext::new(TraceId::INVALID, SpanId::INVALID),
);

impl Default for Extraction<'_> {
    /// Nothing extracted (what [`extract_into`] fills).
    fn default() -> Self {
        Extraction::empty()
    }
}

impl<'a> Extraction<'a> {
    fn empty() -> Self {
        Extraction {
            context: None,
            source: None,
            tracestate: TraceState::new(),
            tracestate_error: None,
            baggage: Baggage::new(),
            matched: Slots::filled(NO_MATCH),
            matched_len: 0,
            rejected: [Rejection {
                format: Format::TraceContext,
                error: Error::Missing,
            }; Format::COUNT],
            rejected_len: 0,
        }
    }

    /// Every format that yielded a valid context, with that context, in list order.
    #[must_use]
    pub fn matched(&self) -> &[(Format, SpanContext<'a>)] {
        self.matched
            .as_slice()
            .get(..self.matched_len)
            .unwrap_or_default()
    }

    /// Every format whose headers were present but invalid, and why.
    #[must_use]
    pub fn rejected(&self) -> &[Rejection] {
        self.rejected.get(..self.rejected_len).unwrap_or_default()
    }

    /// Whether two matched formats disagree on the trace id. Ids are compared
    /// whole, as dd-trace-go, -py and -js do: a 64-bit id (Datadog without
    /// `_dd.p.tid`, OT, short B3) conflicts with a 128-bit one that has the
    /// same low half.
    #[must_use]
    pub fn conflict(&self) -> bool {
        let mut ids = self.matched().iter().map(|(_, c)| c.trace_id);
        match ids.next() {
            Some(first) => ids.any(|t| t != first),
            None => false,
        }
    }

    /// What to inject downstream: the context (or an invalid one), the
    /// tracestate and the baggage.
    #[must_use]
    pub fn propagation(&self) -> Propagation<'a> {
        let context = self.context.unwrap_or_default();
        // Copied from the inline slots when the lists never grew, which
        // copies a tenth of what a whole `Baggage` and `TraceState` hold.
        match (
            self.tracestate.copy_small(true),
            self.baggage.copy_small(true),
        ) {
            (Some(tracestate), Some(baggage)) => Propagation {
                context,
                tracestate,
                baggage,
            },
            _ => Propagation {
                context,
                tracestate: self.tracestate,
                baggage: self.baggage,
            },
        }
    }
}

/// Extracts with `config` from `carrier`, walking it once.
///
/// The result has room for every limit (about 13 KB), and returning it costs
/// about a third of the extraction; a hot path keeps one `Extraction` and
/// refills it with [`extract_into`].
///
/// ```
/// use traceprop::propagator::{extract, Config, Format};
/// let x = extract(&Config::parse("tracecontext,b3"), &[
///     ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
///     ("b3", "not-an-id"),
/// ]);
/// assert_eq!(x.source, Some(Format::TraceContext));
/// assert_eq!(x.rejected()[0].format, Format::B3); // present but invalid
/// assert!(extract(&Config::parse("b3"), &[("b3", "0")]).context.is_none());
/// ```
#[must_use]
#[inline]
pub fn extract<'a, C: Carrier<'a> + ?Sized>(config: &Config, carrier: &C) -> Extraction<'a> {
    // Filled in place: `Headers` is large (room for every limit), so moving
    // it out of `Headers::collect` would cost a copy.
    let mut h = Headers::default();
    h.add_all(carrier);
    extract_headers(config, &h)
}

/// Extracts with `config` from already collected headers (a binding that
/// builds [`Headers`] itself, line by line with [`Headers::add`]).
///
/// ```
/// use traceprop::{propagator::{extract_headers, Config}, Headers};
/// let mut h = Headers::default();
/// h.add("baggage", "k=v");
/// let x = extract_headers(&Config::default(), &h);
/// assert!(x.context.is_none()); // no traceparent
/// assert_eq!(x.baggage.len(), 1);
/// ```
#[must_use]
pub fn extract_headers<'a>(config: &Config, h: &Headers<'a>) -> Extraction<'a> {
    let mut x = Extraction::empty();
    fill(config, h, &mut x);
    // Returning `x` copies room for every limit (about 13 KB). Usually its
    // lists never grew: then the result is rebuilt from their first slots,
    // which copies a tenth of that.
    match (
        x.tracestate.copy_small(false),
        x.baggage.copy_small(false),
        x.matched.small(),
    ) {
        (Some(tracestate), Some(baggage), Some(matched)) => Extraction {
            context: x.context,
            source: x.source,
            tracestate,
            tracestate_error: x.tracestate_error,
            baggage,
            matched: Slots::Small(matched),
            matched_len: x.matched_len,
            rejected: x.rejected,
            rejected_len: x.rejected_len,
        },
        _ => x,
    }
}

/// [`extract`] into `x`, which is cleared first: nothing is copied out, so
/// a caller that keeps one [`Extraction`] (or builds it where it is used)
/// saves the copy of returning one.
///
/// ```
/// use traceprop::propagator::{extract_into, Config, Extraction};
/// let config = Config::parse("b3");
/// let mut x = Extraction::default();
/// extract_into(&config, &[("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")], &mut x);
/// assert!(x.context.is_some());
/// extract_into(&config, &[("b3", "garbage")], &mut x);
/// assert!(x.context.is_none() && x.rejected().len() == 1);
/// ```
#[inline]
pub fn extract_into<'a, C: Carrier<'a> + ?Sized>(
    config: &Config,
    carrier: &C,
    x: &mut Extraction<'a>,
) {
    let mut h = Headers::default();
    h.add_all(carrier);
    extract_headers_into(config, &h, x);
}

/// [`extract_headers`] into `x`, which is cleared first ([`extract_into`]).
pub fn extract_headers_into<'a>(config: &Config, h: &Headers<'a>, x: &mut Extraction<'a>) {
    // Cleared field by field: assigning a new `Extraction` would copy room
    // for every limit.
    x.context = None;
    x.source = None;
    x.tracestate.clear();
    x.tracestate_error = None;
    x.baggage.clear();
    x.matched_len = 0;
    x.rejected_len = 0;
    fill(config, h, x);
}

/// Asks every format of `config` in order, filling the empty `x`.
fn fill<'a>(config: &Config, h: &Headers<'a>, x: &mut Extraction<'a>) {
    // The winner is copied out of `matched` once, at the end.
    let mut winner = None;
    let mut w3c_trace = None;
    for &format in config.formats() {
        format.extract_baggage(h, &mut x.baggage);
        if !format.carries_context() {
            continue;
        }
        match format.extract_context(h) {
            Ok(ctx) => {
                // A config lists each format once, so there is always a slot.
                let Some(slot) = x.matched.slot(x.matched_len, NO_MATCH) else {
                    continue;
                };
                // Completed in place: a copy of a context costs as much.
                *slot = (format, ctx);
                if format == Format::TraceContext {
                    if let Err(e) = tracestate::extract_into(h, &mut x.tracestate) {
                        x.tracestate_error = Some(e);
                    }
                    datadog::apply_tracestate(&x.tracestate, &mut slot.1);
                    w3c_trace = Some(slot.1.trace_id);
                }
                if winner.is_none() || config.policy() == Policy::Last {
                    winner = Some(x.matched_len);
                }
                x.matched_len += 1;
            }
            Err(Error::Missing) => {}
            Err(error) => {
                if let Some(slot) = x.rejected.get_mut(x.rejected_len) {
                    *slot = Rejection { format, error };
                    x.rejected_len += 1;
                }
            }
        }
    }
    if let Some(&(format, ctx)) = winner.and_then(|i| x.matched().get(i)) {
        x.context = Some(ctx);
        x.source = Some(format);
    }
    if w3c_trace.is_none() || w3c_trace != x.context.map(|c| c.trace_id) {
        x.tracestate.clear();
    }
}

/// Injects `p` in every format of `config`, in order. A format that cannot
/// write `p` (an invalid context for a trace format) is skipped; the others
/// still write.
///
/// ```
/// use traceprop::{propagator::{inject, Config}, Propagation, SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut out = Vec::new();
/// inject(&Config::parse("b3,jaeger"), &Propagation::new(ctx), &mut |k: &str, v: &str| {
///     out.push(format!("{k}: {v}"))
/// });
/// assert_eq!(out, [
///     "b3: 00000000000000000000000000000001-0000000000000002-1",
///     "uber-trace-id: 00000000000000000000000000000001:0000000000000002:0:1",
/// ]);
/// let invalid = Propagation::new(SpanContext::new(TraceId::INVALID, SpanId::from_u64(2)));
/// out.clear();
/// inject(&Config::parse("b3"), &invalid, &mut |k: &str, v: &str| out.push(format!("{k}: {v}")));
/// assert!(out.is_empty());
/// ```
pub fn inject(config: &Config, p: &Propagation<'_>, sink: &mut dyn Sink) {
    for &format in config.formats() {
        // Each format writes all of its headers or none; a failure only means
        // this format has nothing valid to say.
        let _ = format.inject(p, sink);
    }
}

/// A gateway's step: extract with `from`, inject the result with `to`. Nothing
/// is written when no valid context was extracted. Returns the extraction.
///
/// ```
/// use traceprop::propagator::{translate, Config};
/// let mut out = Vec::new();
/// let mut sink = |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()));
/// translate(&Config::parse("xray"), &Config::parse("tracecontext"),
///     &[("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")],
///     &mut sink);
/// assert_eq!(out, [("traceparent".to_owned(),
///     "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01".to_owned())]);
/// out.clear();
/// let x = translate(&Config::parse("xray"), &Config::parse("tracecontext"),
///     &[("X-Amzn-Trace-Id", "Root=garbage")], &mut |k: &str, v: &str| out.push((k.to_owned(), v.to_owned())));
/// assert!(out.is_empty() && x.context.is_none());
/// ```
pub fn translate<'a, C: Carrier<'a> + ?Sized>(
    from: &Config,
    to: &Config,
    carrier: &C,
    sink: &mut dyn Sink,
) -> Extraction<'a> {
    let x = extract(from, carrier);
    if x.context.is_some() {
        inject(to, &x.propagation(), sink);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SpanId, TraceId};

    const TP: (&str, &str) = (
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    );
    const B3_OTHER: (&str, &str) = ("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1");
    const B3_SAME: (&str, &str) = ("b3", "4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-1");

    #[test]
    fn report_lists_matches_conflicts_and_rejections() {
        let config = Config::parse("tracecontext,jaeger,b3");
        let x = extract(&config, &[TP, ("uber-trace-id", "1:2"), B3_OTHER]);
        let formats = [x.matched()[0].0, x.matched()[1].0];
        assert_eq!(formats, [Format::TraceContext, Format::B3]);
        assert!(x.conflict());
        assert_eq!(x.rejected().len(), 1);
        assert_eq!(x.rejected()[0].format, Format::Jaeger);
        assert_ne!(x.rejected()[0].error, Error::Missing);
        assert_eq!(x.source, Some(Format::B3));

        let x = extract(&config, &[TP, B3_SAME]);
        assert_eq!(x.matched().len(), 2);
        assert!(!x.conflict());
        assert!(x.rejected().is_empty());

        let x = extract(&config, &[("user-agent", "curl")]);
        assert!(x.matched().is_empty() && x.rejected().is_empty() && !x.conflict());
        assert_eq!((x.context, x.source), (None, None));
    }

    /// `n` distinct `k{i}=v{i}` members, `sep`-separated, in `buf`.
    fn list(buf: &mut [u8], n: usize, sep: u8, value_len: usize) -> &str {
        let mut w = crate::Writer::new(buf);
        for i in 0..n {
            if i > 0 {
                w.push_byte(sep).unwrap();
            }
            let (digits, len) = crate::hex::format_decimal(i as u64);
            w.push_byte(b'k').unwrap();
            w.push(&digits[..len]).unwrap();
            w.push_byte(b'=').unwrap();
            for _ in 0..value_len {
                w.push_byte(b'v').unwrap();
            }
        }
        let n = w.len();
        core::str::from_utf8(&buf[..n]).unwrap()
    }

    #[test]
    fn lists_past_their_inline_slots_are_kept_whole() {
        // Every list past its inline slots: 30 tracestate members, 100
        // baggage members over two lines plus 20 uberctx headers, and all
        // ten trace formats matching.
        let (mut ts, mut b1, mut b2) = ([0u8; 512], [0u8; 1024], [0u8; 1024]);
        let ts = list(&mut ts, 30, b',', 1);
        let (b1, b2) = (list(&mut b1, 60, b',', 3), list(&mut b2, 100, b',', 3));
        let b2 = &b2[b2.find("k60=").unwrap()..];
        const KEYS: [&str; 20] = [
            "uberctx-u0",
            "uberctx-u1",
            "uberctx-u2",
            "uberctx-u3",
            "uberctx-u4",
            "uberctx-u5",
            "uberctx-u6",
            "uberctx-u7",
            "uberctx-u8",
            "uberctx-u9",
            "uberctx-u10",
            "uberctx-u11",
            "uberctx-u12",
            "uberctx-u13",
            "uberctx-u14",
            "uberctx-u15",
            "uberctx-u16",
            "uberctx-u17",
            "uberctx-u18",
            "uberctx-u19",
        ];
        let t = "4bf92f3577b34da6a3ce929d0e0e4736";
        let mut headers = [("", ""); 42];
        let fixed = [
            TP,
            ("tracestate", ts),
            ("baggage", b1),
            ("baggage", b2),
            ("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"),
            ("uber-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1"),
            ("ot-tracer-traceid", t),
            ("ot-tracer-spanid", "00f067aa0ba902b7"),
            ("x-amzn-trace-id", "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1"),
            ("x-datadog-trace-id", "11803532876627986230"),
            ("x-datadog-parent-id", "67667974448284343"),
            ("x-datadog-tags", "_dd.p.tid=4bf92f3577b34da6"),
            ("x-cloud-trace-context", "4bf92f3577b34da6a3ce929d0e0e4736/67667974448284343;o=1"),
            ("sw8", "1-NGJmOTJmMzU3N2IzNGRhNmEzY2U5MjlkMGUwZTQ3MzY=-MDBmMDY3YWEwYmE5MDJiNw==-0-c3Zj-aW5zdA==-L2FwaQ==-aG9zdDo4MA=="),
            ("grpc-trace-bin", "AABL+S81d7NNpqPOkp0ODkc2AQDwZ6oLqQK3AgE"),
        ];
        headers[..fixed.len()].copy_from_slice(&fixed);
        for (i, key) in KEYS.iter().enumerate() {
            headers[fixed.len() + i] = (key, "x");
        }
        let all = Config::parse(
            "tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray,datadog,cloudtrace,sw8,grpc-trace-bin",
        );
        let x = extract(&all, &headers[..fixed.len() + KEYS.len()]);
        assert_eq!(x.tracestate.len(), 30);
        assert_eq!(x.tracestate.members()[29].key, "k29");
        assert_eq!(x.baggage.len(), 120);
        assert_eq!(x.baggage.members()[99].key, "k99");
        assert_eq!(x.baggage.members()[119].key, "u19");
        let mut trace_formats = Format::ALL.iter().filter(|f| f.carries_context());
        assert!(x.rejected().is_empty(), "{:?}", x.rejected());
        assert_eq!(x.matched().len(), 10);
        assert!(x
            .matched()
            .iter()
            .all(|(f, _)| Some(f) == trace_formats.next()));
        assert!(!x.conflict());
        // The same lists, short: still whole.
        let x = extract(&all, &[TP, ("tracestate", "a=1"), ("baggage", "k=v")]);
        assert_eq!(
            (x.tracestate.len(), x.baggage.len(), x.matched().len()),
            (1, 1, 1)
        );
    }

    #[test]
    fn long_values_are_injected_whole() {
        // A tracestate and baggage far past the short buffers (512 bytes), and
        // members past the per-member ones (128).
        let mut ts = [0u8; 4096];
        let ts = list(&mut ts, 32, b',', 100);
        let mut bag = [0u8; 8192];
        let bag = list(&mut bag, 10, b',', 300);
        let mut p = Propagation::new(SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)));
        p.tracestate = TraceState::parse(ts).unwrap();
        p.baggage = Baggage::parse(bag);
        let mut corr = [0u8; 8192];
        let n = crate::sw8::encode_correlation(&p.baggage, &mut corr).unwrap();
        let corr = core::str::from_utf8(&corr[..n]).unwrap();
        let (mut written, mut per_member) = (0, 0);
        inject(
            &Config::parse("tracecontext,baggage,jaeger,ottrace,sw8"),
            &p,
            &mut |k: &str, v: &str| {
                written += 1;
                match k {
                    "tracestate" => assert_eq!(v, ts),
                    "baggage" => assert_eq!(v, bag),
                    "sw8-correlation" => assert_eq!(v, corr),
                    _ if k.starts_with("uberctx-k") || k.starts_with("ot-baggage-k") => {
                        assert!(v.len() == 300 && v.bytes().all(|c| c == b'v'), "{k}");
                        per_member += 1;
                    }
                    _ => {}
                }
            },
        );
        assert!(corr.len() > 512 && corr.split(',').count() == 10);
        assert_eq!(per_member, 20);
        // traceparent, tracestate, baggage, uber-trace-id, three ot-tracer-*,
        // sw8, sw8-correlation.
        assert_eq!(written, 20 + 9);
    }

    #[test]
    fn invalid_context_writes_only_baggage() {
        let mut p = Propagation::new(SpanContext::new(TraceId::INVALID, SpanId::from_u64(1)));
        p.baggage = Baggage::parse("k=v");
        let mut names = [""; 4];
        let mut n = 0;
        inject(
            &Config::parse("tracecontext,b3,jaeger,baggage"),
            &p,
            &mut |k: &str, _: &str| {
                if let Some(slot) = names.get_mut(n) {
                    *slot = if k == "baggage" { "baggage" } else { "other" };
                }
                n += 1;
            },
        );
        assert_eq!(names[..n], ["baggage"]);
    }

    #[test]
    fn translate_without_context_writes_nothing() {
        let mut written = 0;
        let x = translate(
            &Config::parse("tracecontext,baggage"),
            &Config::parse("baggage"),
            &[("baggage", "k=v"), ("traceparent", "00-bad")],
            &mut |_: &str, _: &str| written += 1,
        );
        assert_eq!(written, 0);
        assert_eq!(x.baggage.len(), 1);
        assert_eq!(x.rejected()[0].format, Format::TraceContext);
    }
}
