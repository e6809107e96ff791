//! The composite propagator: a list of formats configured by an
//! `OTEL_PROPAGATORS`-style string, extracted in one pass over the carrier and
//! injected into a sink (SEMANTICS §9).

use crate::carrier::{Carrier, Headers, Sink};
use crate::context::{Propagation, SpanContext};
use crate::w3c::{baggage, traceparent, tracestate};
use crate::{b3, cloudtrace, datadog, grpc_trace_bin, jaeger, ot, sw8, xray};
use crate::{Baggage, Error, TraceState};

/// A propagation format, by its `OTEL_PROPAGATORS` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `tracecontext`: W3C `traceparent` + `tracestate`.
    TraceContext,
    /// `baggage`: W3C `baggage`.
    Baggage,
    /// `b3`: the single `b3` header (extraction also reads `X-B3-*`).
    B3,
    /// `b3multi`: the `X-B3-*` headers (extraction also reads `b3`).
    B3Multi,
    /// `jaeger`: `uber-trace-id` and `uberctx-*`.
    Jaeger,
    /// `ottrace`: `ot-tracer-*` and `ot-baggage-*`.
    OtTrace,
    /// `xray`: `X-Amzn-Trace-Id`.
    XRay,
    /// `datadog`: `x-datadog-*`.
    Datadog,
    /// `cloudtrace`: `X-Cloud-Trace-Context`.
    CloudTrace,
    /// `sw8`: SkyWalking.
    Sw8,
    /// `grpc-trace-bin`: the OpenCensus binary context, base64 in text carriers.
    GrpcTraceBin,
}

impl Format {
    /// How many formats there are.
    pub const COUNT: usize = 11;
    /// Every format.
    pub const ALL: [Format; Format::COUNT] = [
        Format::TraceContext,
        Format::Baggage,
        Format::B3,
        Format::B3Multi,
        Format::Jaeger,
        Format::OtTrace,
        Format::XRay,
        Format::Datadog,
        Format::CloudTrace,
        Format::Sw8,
        Format::GrpcTraceBin,
    ];

    /// The canonical name.
    ///
    /// ```
    /// assert_eq!(traceprop::propagator::Format::OtTrace.name(), "ottrace");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Format::TraceContext => "tracecontext",
            Format::Baggage => "baggage",
            Format::B3 => "b3",
            Format::B3Multi => "b3multi",
            Format::Jaeger => "jaeger",
            Format::OtTrace => "ottrace",
            Format::XRay => "xray",
            Format::Datadog => "datadog",
            Format::CloudTrace => "cloudtrace",
            Format::Sw8 => "sw8",
            Format::GrpcTraceBin => "grpc-trace-bin",
        }
    }

    /// The format of an `OTEL_PROPAGATORS` name, case-insensitive, with the
    /// aliases users type (`b3single`, `b3 single header`, `b3 multi`…).
    ///
    /// ```
    /// use traceprop::propagator::Format;
    /// assert_eq!(Format::from_name("B3 Single Header"), Some(Format::B3));
    /// assert_eq!(Format::from_name("zipkin"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Format> {
        const ALIASES: [(&str, Format); 16] = [
            ("tracecontext", Format::TraceContext),
            ("baggage", Format::Baggage),
            ("b3", Format::B3),
            ("b3single", Format::B3),
            ("b3 single header", Format::B3),
            ("b3multi", Format::B3Multi),
            ("b3 multi", Format::B3Multi),
            ("b3 multi header", Format::B3Multi),
            ("jaeger", Format::Jaeger),
            ("ottrace", Format::OtTrace),
            ("xray", Format::XRay),
            ("datadog", Format::Datadog),
            ("cloudtrace", Format::CloudTrace),
            ("sw8", Format::Sw8),
            ("skywalking", Format::Sw8),
            ("grpc-trace-bin", Format::GrpcTraceBin),
        ];
        ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .map(|&(_, f)| f)
    }

    /// Whether the format carries a span context (all but `baggage`).
    #[must_use]
    pub const fn carries_context(self) -> bool {
        !matches!(self, Format::Baggage)
    }

    fn extract_context<'a>(self, h: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
        match self {
            Format::TraceContext => traceparent::extract(h),
            Format::Baggage => Err(Error::Missing),
            Format::B3 | Format::B3Multi => b3::extract(h),
            Format::Jaeger => jaeger::extract(h),
            Format::OtTrace => ot::extract(h),
            Format::XRay => xray::extract(h),
            Format::Datadog => datadog::extract(h),
            Format::CloudTrace => cloudtrace::extract(h),
            Format::Sw8 => sw8::extract(h),
            Format::GrpcTraceBin => grpc_trace_bin::extract(h),
        }
    }

    fn extract_baggage<'a>(self, h: &Headers<'a>, into: &mut Baggage<'a>) {
        match self {
            Format::Baggage => baggage::extract_into(h, into),
            Format::Jaeger => jaeger::extract_baggage(h, into),
            Format::OtTrace => ot::extract_baggage(h, into),
            _ => {}
        }
    }

    /// Writes this format's headers for `p`. Trace formats write nothing for an
    /// invalid context.
    ///
    /// # Errors
    /// The format's encoding error.
    pub fn inject(self, p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
        if self.carries_context() && !p.context.is_valid() {
            return Err(Error::ZeroId);
        }
        match self {
            Format::TraceContext => {
                traceparent::inject(p, sink)?;
                datadog::inject_tracestate(p, sink)
            }
            Format::Baggage => baggage::inject(p, sink),
            Format::B3 => b3::inject_single(p, sink),
            Format::B3Multi => b3::inject_multi(p, sink),
            Format::Jaeger => jaeger::inject(p, sink).and(jaeger::inject_baggage(p, sink)),
            Format::OtTrace => ot::inject(p, sink).and(ot::inject_baggage(p, sink)),
            Format::XRay => xray::inject(p, sink),
            Format::Datadog => datadog::inject(p, sink),
            Format::CloudTrace => cloudtrace::inject(p, sink),
            Format::Sw8 => sw8::inject(p, sink),
            Format::GrpcTraceBin => grpc_trace_bin::inject(p, sink),
        }
    }
}

/// Which format wins when several yield a valid context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// The last listed valid one (OpenTelemetry composite semantics).
    #[default]
    Last,
    /// The first listed valid one (Datadog semantics).
    First,
}

impl Policy {
    /// `last` or `first`, case-insensitive.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Policy> {
        if name.eq_ignore_ascii_case("last") {
            Some(Policy::Last)
        } else if name.eq_ignore_ascii_case("first") {
            Some(Policy::First)
        } else {
            None
        }
    }
}

/// An ordered, de-duplicated list of formats and an extraction policy.
///
/// ```
/// use traceprop::propagator::{Config, Format};
/// let c = Config::parse(" TraceContext , b3,bogus,b3");
/// assert_eq!(c.formats(), &[Format::TraceContext, Format::B3]);
/// assert_eq!(Config::unknown_names(" TraceContext , b3,bogus,b3").collect::<Vec<_>>(), ["bogus"]);
/// assert!(Config::parse("b3,none").formats().is_empty());
/// assert_eq!(Config::parse("").formats(), &[Format::TraceContext, Format::Baggage]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    formats: [Format; Format::COUNT],
    len: usize,
    policy: Policy,
}

impl Default for Config {
    /// `tracecontext,baggage`, policy `last` (the OpenTelemetry default).
    fn default() -> Self {
        Config::from_formats(&[Format::TraceContext, Format::Baggage])
    }
}

impl Config {
    /// A configuration of these formats (duplicates dropped), policy `last`.
    #[must_use]
    pub fn from_formats(formats: &[Format]) -> Self {
        let mut c = Config {
            formats: [Format::TraceContext; Format::COUNT],
            len: 0,
            policy: Policy::Last,
        };
        for &f in formats {
            c.push(f);
        }
        c
    }

    fn push(&mut self, f: Format) {
        if !self.formats().contains(&f) {
            if let Some(slot) = self.formats.get_mut(self.len) {
                *slot = f;
                self.len += 1;
            }
        }
    }

    /// Parses `OTEL_PROPAGATORS` syntax: split on `,`, trimmed, case-insensitive,
    /// de-duplicated; unknown names are skipped (see [`Config::unknown_names`]);
    /// `none` anywhere means no propagation; empty means `tracecontext,baggage`.
    #[must_use]
    pub fn parse(list: &str) -> Self {
        let mut c = Config::from_formats(&[]);
        let mut any = false;
        for name in names(list) {
            any = true;
            if name.eq_ignore_ascii_case("none") {
                return Config::from_formats(&[]);
            }
            if let Some(f) = Format::from_name(name) {
                c.push(f);
            }
        }
        if any {
            c
        } else {
            Config::default()
        }
    }

    /// The names in `list` that are neither a format nor `none`.
    pub fn unknown_names(list: &str) -> impl Iterator<Item = &str> {
        names(list).filter(|n| !n.eq_ignore_ascii_case("none") && Format::from_name(n).is_none())
    }

    /// The same formats with another policy.
    #[must_use]
    pub const fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The formats, in order.
    #[must_use]
    pub fn formats(&self) -> &[Format] {
        self.formats.get(..self.len).unwrap_or_default()
    }

    /// The policy.
    #[must_use]
    pub const fn policy(&self) -> Policy {
        self.policy
    }
}

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

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
