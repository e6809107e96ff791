//! The propagation formats and how each extracts and injects.

use crate::carrier::{Header, Headers, Sink, OT_BAGGAGE_PREFIX, UBERCTX_PREFIX};
use crate::context::{Propagation, SpanContext};
use crate::w3c::{baggage, traceparent};
use crate::{b3, cloudtrace, datadog, grpc_trace_bin, jaeger, ot, sw8, xray};
use crate::{Baggage, Error};

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
    /// aliases users type: `b3single`, `b3 single header` (Datadog),
    /// `b3_single_header` (dd-trace-java's spelling), `b3 multi`, `gcp`
    /// (OpenTelemetry Java's Google propagator), `gcp_trace` (Python's),
    /// `skywalking`.
    ///
    /// ```
    /// use traceprop::propagator::Format;
    /// assert_eq!(Format::from_name("B3 Single Header"), Some(Format::B3));
    /// assert_eq!(Format::from_name("gcp_trace"), Some(Format::CloudTrace));
    /// assert_eq!(Format::from_name("zipkin"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Format> {
        const ALIASES: [(&str, Format); 20] = [
            ("tracecontext", Format::TraceContext),
            ("baggage", Format::Baggage),
            ("b3", Format::B3),
            ("b3single", Format::B3),
            ("b3 single", Format::B3),
            ("b3 single header", Format::B3),
            ("b3_single_header", Format::B3),
            ("b3multi", Format::B3Multi),
            ("b3 multi", Format::B3Multi),
            ("b3 multi header", Format::B3Multi),
            ("jaeger", Format::Jaeger),
            ("ottrace", Format::OtTrace),
            ("xray", Format::XRay),
            ("datadog", Format::Datadog),
            ("cloudtrace", Format::CloudTrace),
            ("gcp", Format::CloudTrace),
            ("gcp_trace", Format::CloudTrace),
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

    /// Every header this format reads when extracting (besides the prefixed
    /// baggage headers of [`Format::baggage_prefix`]). A binding that copies
    /// headers across a language boundary copies only these.
    ///
    /// ```
    /// use traceprop::{propagator::Format, Header};
    /// assert_eq!(Format::TraceContext.headers(), &[Header::Traceparent, Header::Tracestate]);
    /// assert!(!Format::Baggage.headers().contains(&Header::Traceparent));
    /// ```
    #[must_use]
    pub const fn headers(self) -> &'static [Header] {
        use Header::*;
        match self {
            Format::TraceContext => &[Traceparent, Tracestate],
            Format::Baggage => &[Baggage],
            Format::B3 | Format::B3Multi => &[
                B3,
                XB3TraceId,
                XB3SpanId,
                XB3ParentSpanId,
                XB3Sampled,
                XB3Flags,
            ],
            Format::Jaeger => &[UberTraceId, JaegerBaggage],
            Format::OtTrace => &[OtTraceId, OtSpanId, OtSampled],
            Format::XRay => &[XRay],
            Format::Datadog => &[
                DatadogTraceId,
                DatadogParentId,
                DatadogSamplingPriority,
                DatadogOrigin,
                DatadogTags,
            ],
            Format::CloudTrace => &[CloudTrace],
            Format::Sw8 => &[Sw8, Sw8Correlation, Sw8X],
            Format::GrpcTraceBin => &[GrpcTraceBin],
        }
    }

    /// The name prefix of the per-key baggage headers this format reads
    /// (`uberctx-`, `ot-baggage-`), if any.
    ///
    /// ```
    /// use traceprop::propagator::Format;
    /// assert_eq!(Format::Jaeger.baggage_prefix(), Some("uberctx-"));
    /// assert_eq!(Format::B3.baggage_prefix(), None);
    /// ```
    #[must_use]
    pub const fn baggage_prefix(self) -> Option<&'static str> {
        match self {
            Format::Jaeger => Some(UBERCTX_PREFIX),
            Format::OtTrace => Some(OT_BAGGAGE_PREFIX),
            _ => None,
        }
    }

    pub(crate) fn extract_context<'a>(self, h: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
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

    #[inline]
    pub(crate) fn extract_baggage<'a>(self, h: &Headers<'a>, into: &mut Baggage<'a>) {
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
