//! The composite propagator: a list of formats configured by an
//! `OTEL_PROPAGATORS`-style string, extracted in one pass over the carrier and
//! injected into a sink (SEMANTICS §9).

mod config;
mod format;

pub use config::{Config, Policy};
pub use format::Format;

use crate::carrier::{Carrier, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::w3c::tracestate;
use crate::{datadog, Baggage, Error, TraceState};

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
    matched: [(Format, SpanContext<'a>); Format::COUNT],
    matched_len: usize,
    rejected: [Rejection; Format::COUNT],
    rejected_len: usize,
}

impl<'a> Extraction<'a> {
    fn empty() -> Self {
        Extraction {
            context: None,
            source: None,
            tracestate: TraceState::EMPTY,
            tracestate_error: None,
            baggage: Baggage::EMPTY,
            matched: [(Format::TraceContext, SpanContext::default()); Format::COUNT],
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
        self.matched.get(..self.matched_len).unwrap_or_default()
    }

    /// Every format whose headers were present but invalid, and why.
    #[must_use]
    pub fn rejected(&self) -> &[Rejection] {
        self.rejected.get(..self.rejected_len).unwrap_or_default()
    }

    /// Whether two matched formats disagree on the trace id.
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
        Propagation {
            context: self.context.unwrap_or_default(),
            tracestate: self.tracestate,
            baggage: self.baggage,
        }
    }
}

/// Extracts with `config` from `carrier`, walking it once.
#[must_use]
pub fn extract<'a, C: Carrier<'a> + ?Sized>(config: &Config, carrier: &C) -> Extraction<'a> {
    extract_headers(config, &Headers::collect(carrier))
}

/// Extracts with `config` from already collected headers.
#[must_use]
pub fn extract_headers<'a>(config: &Config, h: &Headers<'a>) -> Extraction<'a> {
    let mut x = Extraction::empty();
    let mut w3c_trace = None;
    for &format in config.formats() {
        format.extract_baggage(h, &mut x.baggage);
        if !format.carries_context() {
            continue;
        }
        match format.extract_context(h) {
            Ok(mut ctx) => {
                if format == Format::TraceContext {
                    match tracestate::extract(h) {
                        Ok(ts) => x.tracestate = ts,
                        Err(e) => x.tracestate_error = Some(e),
                    }
                    datadog::apply_tracestate(&x.tracestate, &mut ctx);
                    w3c_trace = Some(ctx.trace_id);
                }
                x.matched[x.matched_len] = (format, ctx);
                x.matched_len += 1;
                if x.context.is_none() || config.policy() == Policy::Last {
                    x.context = Some(ctx);
                    x.source = Some(format);
                }
            }
            Err(Error::Missing) => {}
            Err(error) => {
                x.rejected[x.rejected_len] = Rejection { format, error };
                x.rejected_len += 1;
            }
        }
    }
    if w3c_trace.is_none() || w3c_trace != x.context.map(|c| c.trace_id) {
        x.tracestate = TraceState::EMPTY;
    }
    x
}

/// Injects `p` in every format of `config`, in order. A format that cannot
/// write `p` (an invalid context for a trace format) is skipped; the others
/// still write.
pub fn inject(config: &Config, p: &Propagation<'_>, sink: &mut dyn Sink) {
    for &format in config.formats() {
        // Each format writes all of its headers or none; a failure only means
        // this format has nothing valid to say.
        let _ = format.inject(p, sink);
    }
}

/// A gateway's step: extract with `from`, inject the result with `to`. Nothing
/// is written when no valid context was extracted. Returns the extraction.
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
