//! [`Extracted`]: what an extraction found beyond OpenTelemetry's span context.

use opentelemetry::trace::SpanContext as OtelSpanContext;
use traceprop::datadog::Text;
use traceprop::propagator::{Extraction, Format};
use traceprop::{DatadogTags, Error, SpanContext, TraceState};

use crate::convert;

/// The report of an extraction and the fields of the winning context that
/// OpenTelemetry's `SpanContext` cannot hold. [`crate::TracepropPropagator`]
/// stores it in the returned `Context` whenever a valid context was found;
/// read it with `cx.get::<Extracted>()`.
///
/// ```
/// use std::collections::HashMap;
/// use opentelemetry::propagation::TextMapPropagator;
/// use traceprop_opentelemetry::{Extracted, Format, TracepropPropagator};
///
/// let prop = TracepropPropagator::parse("tracecontext,b3");
/// let carrier = HashMap::from([
///     ("traceparent".to_owned(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned()),
///     ("b3".to_owned(), "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331".to_owned()),
/// ]);
/// let cx = prop.extract(&carrier);
/// let x = cx.get::<Extracted>().unwrap();
/// assert_eq!(x.source(), Format::B3);
/// assert_eq!(x.sampled(), None); // B3 sent no decision
/// assert!(x.conflict());
/// assert_eq!(x.matched().len(), 2);
///
/// let bad = HashMap::from([("traceparent".to_owned(), "00-garbage".to_owned())]);
/// assert!(prop.extract(&bad).get::<Extracted>().is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    source: Format,
    context: OtelSpanContext,
    sampled: Option<bool>,
    debug: bool,
    sampling_priority: Option<i32>,
    origin: Option<String>,
    dd_tags: Tags,
    xray_extra: String,
    matched: Vec<(Format, OtelSpanContext)>,
    rejected: Vec<(Format, Error)>,
    conflict: bool,
    tracestate_error: Option<Error>,
}

/// Datadog's carried tags in the spelling they arrived in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tags {
    None,
    Header(String),
    TraceState(String),
}

impl Extracted {
    pub(crate) fn new(x: &Extraction<'_>, ctx: &SpanContext<'_>) -> Self {
        Extracted {
            source: x.source.unwrap_or(Format::TraceContext),
            context: convert::span_context(ctx, &x.tracestate),
            sampled: ctx.sampled,
            debug: ctx.debug,
            sampling_priority: ctx.sampling_priority,
            origin: ctx.origin.map(|o| o.to_string()),
            dd_tags: match ctx.dd_tags {
                DatadogTags::None => Tags::None,
                DatadogTags::Header(raw) => Tags::Header(raw.to_owned()),
                DatadogTags::TraceState(raw) => Tags::TraceState(raw.to_owned()),
            },
            xray_extra: ctx.xray_extra.to_owned(),
            matched: x
                .matched()
                .iter()
                .map(|(f, c)| (*f, convert::span_context(c, &TraceState::EMPTY)))
                .collect(),
            rejected: x.rejected().iter().map(|r| (r.format, r.error)).collect(),
            conflict: x.conflict(),
            tracestate_error: x.tracestate_error,
        }
    }

    /// Copies the carried fields into `ctx`, the context about to be injected
    /// for OpenTelemetry span context `sc`, as far as they still apply (see
    /// the crate documentation).
    pub(crate) fn apply<'a>(&'a self, sc: &OtelSpanContext, ctx: &mut SpanContext<'a>) {
        if sc.trace_id() != self.context.trace_id() {
            return;
        }
        ctx.debug = self.debug && sc.is_sampled();
        ctx.sampling_priority = self
            .sampling_priority
            .filter(|&p| (p > 0) == sc.is_sampled());
        ctx.origin = self.origin.as_deref().map(Text::new);
        ctx.dd_tags = match &self.dd_tags {
            Tags::None => DatadogTags::None,
            Tags::Header(raw) => DatadogTags::Header(raw),
            Tags::TraceState(raw) => DatadogTags::TraceState(raw),
        };
        ctx.xray_extra = &self.xray_extra;
        let forwarded = sc.span_id() == self.context.span_id()
            && sc.trace_flags() == self.context.trace_flags();
        if forwarded && self.sampled.is_none() {
            ctx.sampled = None;
        }
    }

    /// The format whose context won.
    #[must_use]
    pub fn source(&self) -> Format {
        self.source
    }

    /// The sampling decision as sent: `None` when the format carried no
    /// decision (OpenTelemetry's flags then say "not sampled").
    #[must_use]
    pub fn sampled(&self) -> Option<bool> {
        self.sampled
    }

    /// The debug / force-sample flag (B3 `d`, `X-B3-Flags: 1`, Jaeger `0x02`).
    #[must_use]
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// Datadog's sampling priority, when one was carried.
    #[must_use]
    pub fn sampling_priority(&self) -> Option<i32> {
        self.sampling_priority
    }

    /// Datadog's origin (`x-datadog-origin`, or `o:` of the `dd` tracestate
    /// member), decoded.
    #[must_use]
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The AWS X-Ray fields other than `Root`, `Parent` and `Sampled`, as
    /// received (empty when none).
    #[must_use]
    pub fn xray_extra(&self) -> &str {
        &self.xray_extra
    }

    /// Every format that yielded a valid context, in configuration order,
    /// with that context (tracestate left empty): candidates for span links
    /// when [`Extracted::conflict`] is true.
    #[must_use]
    pub fn matched(&self) -> &[(Format, OtelSpanContext)] {
        &self.matched
    }

    /// Every format whose headers were present but invalid, and why.
    #[must_use]
    pub fn rejected(&self) -> &[(Format, Error)] {
        &self.rejected
    }

    /// Whether the matched formats disagree on the trace id.
    #[must_use]
    pub fn conflict(&self) -> bool {
        self.conflict
    }

    /// Why the tracestate was dropped, when it was sent and invalid.
    #[must_use]
    pub fn tracestate_error(&self) -> Option<Error> {
        self.tracestate_error
    }
}
