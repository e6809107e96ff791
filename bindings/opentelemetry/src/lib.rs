//! OpenTelemetry Rust propagators backed by `traceprop`: every format, and the
//! composite configured by a string or the environment, as one
//! [`TextMapPropagator`]. A service switches with one line:
//!
//! ```
//! use opentelemetry::global;
//! use traceprop_opentelemetry::TracepropPropagator;
//! // OTEL_PROPAGATORS, or Datadog's DD_TRACE_PROPAGATION_STYLE* when set.
//! global::set_text_map_propagator(TracepropPropagator::from_env());
//! ```
//!
//! # What maps to what
//!
//! | traceprop | OpenTelemetry |
//! |---|---|
//! | trace id, span id | `SpanContext` ids (`is_remote` true on extract) |
//! | sampled `true`/`false` | `TraceFlags::SAMPLED` set / clear |
//! | W3C random flag | `TraceFlags` bit `0x02` (the SDK's own propagator drops it) |
//! | tracestate | `TraceState` |
//! | baggage (W3C, `uberctx-*`, `jaeger-baggage`, `ot-baggage-*`) | `Baggage`, values decoded, properties as metadata |
//! | sampled "no decision", debug, Datadog priority / origin / `_dd.p.*` tags, X-Ray extra fields, the extraction report | [`Extracted`], a value in the `Context` |
//!
//! What survives into the next hop's injection, when the [`Context`] handed
//! to `inject_context` derives from the extracted one (the usual
//! `tracer.start_with_context(name, &extracted)`, which keeps every context
//! value):
//!
//! - with the same trace id (a child span): debug, Datadog origin and tags,
//!   X-Ray extra fields, and the Datadog sampling priority when it agrees
//!   with the span's sampled flag (priority > 0 iff sampled; otherwise the
//!   flag wins and the priority is dropped);
//! - with the same span too (a gateway forwarding the extracted context): a
//!   "no decision" sampling state as well, so B3 and X-Ray keep it deferred.
//!
//! A context with another trace id gets none of them. OpenTelemetry's
//! `Baggage` is a hash map limited to 64 members: extracted baggage beyond
//! that is dropped by OpenTelemetry, and injection writes the members sorted
//! by key.
//!
//! ```
//! use std::collections::HashMap;
//! use opentelemetry::propagation::TextMapPropagator;
//! use opentelemetry::trace::TraceContextExt;
//! use traceprop_opentelemetry::{Extracted, TracepropPropagator};
//!
//! let prop = TracepropPropagator::parse("datadog,tracecontext");
//! let mut carrier = HashMap::new();
//! carrier.insert("x-datadog-trace-id".to_owned(), "1234".to_owned());
//! carrier.insert("x-datadog-parent-id".to_owned(), "5678".to_owned());
//! carrier.insert("x-datadog-sampling-priority".to_owned(), "2".to_owned());
//! let cx = prop.extract(&carrier);
//! assert!(cx.span().span_context().is_sampled());
//! let report = cx.get::<Extracted>().unwrap();
//! assert_eq!(report.sampling_priority(), Some(2));
//!
//! let mut out = HashMap::new();
//! prop.inject_context(&cx, &mut out);
//! assert_eq!(out["traceparent"], "00-000000000000000000000000000004d2-000000000000162e-01");
//!
//! // Nothing valid: the context comes back unchanged, without an `Extracted`.
//! carrier.insert("x-datadog-trace-id".to_owned(), "0".to_owned());
//! assert!(prop.extract(&carrier).get::<Extracted>().is_none());
//! ```

mod convert;
mod extracted;

pub use extracted::Extracted;
pub use traceprop::propagator::{Config, EnvConfig, Format, Policy};

use opentelemetry::baggage::BaggageExt;
use opentelemetry::propagation::text_map_propagator::FieldIter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry::Context;
use traceprop::propagator::{self, Extraction};

/// A [`TextMapPropagator`] for a list of `traceprop` formats: extraction with
/// one [`Config`] (formats and policy), injection with another.
///
/// ```
/// use traceprop_opentelemetry::{Format, TracepropPropagator};
/// let p = TracepropPropagator::parse("tracecontext, b3multi, zipkin");
/// assert_eq!(p.inject_config().formats(), &[Format::TraceContext, Format::B3Multi]);
/// assert_eq!(p.unknown_names(), ["zipkin"]);
/// assert!(TracepropPropagator::parse("none").extract_config().formats().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct TracepropPropagator {
    extract: Config,
    inject: Config,
    fields: Vec<String>,
    unknown: Vec<String>,
}

impl TracepropPropagator {
    /// Extracts with `extract`, injects with `inject`.
    #[must_use]
    pub fn new(extract: Config, inject: Config) -> Self {
        let mut fields: Vec<String> = Vec::new();
        for format in inject.formats() {
            for header in format.headers() {
                if !fields.iter().any(|f| f == header.name()) {
                    fields.push(header.name().to_owned());
                }
            }
        }
        TracepropPropagator {
            extract,
            inject,
            fields,
            unknown: Vec::new(),
        }
    }

    /// One format both ways, e.g. `TracepropPropagator::format(Format::Jaeger)`.
    #[must_use]
    pub fn format(format: Format) -> Self {
        let c = Config::from_formats(&[format]);
        TracepropPropagator::new(c, c)
    }

    /// An `OTEL_PROPAGATORS`-style list both ways, policy `last`
    /// ([`Config::parse`]); unknown names are kept for
    /// [`TracepropPropagator::unknown_names`].
    #[must_use]
    pub fn parse(list: &str) -> Self {
        let c = Config::parse(list);
        let mut p = TracepropPropagator::new(c, c);
        p.unknown = Config::unknown_names(list).map(str::to_owned).collect();
        p
    }

    /// The configuration of the process environment ([`EnvConfig::from_env`]):
    /// Datadog's `DD_TRACE_PROPAGATION_STYLE`, `_EXTRACT`, `_INJECT` (policy
    /// `first`) when any is set, else `OTEL_PROPAGATORS` (policy `last`),
    /// else `tracecontext,baggage`.
    #[must_use]
    pub fn from_env() -> Self {
        let vars: Vec<(&str, String)> = [
            propagator::OTEL_PROPAGATORS,
            propagator::DD_STYLE,
            propagator::DD_STYLE_EXTRACT,
            propagator::DD_STYLE_INJECT,
        ]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok().map(|v| (name, v)))
        .collect();
        TracepropPropagator::from_vars(&vars)
    }

    /// As [`TracepropPropagator::from_env`], from `(name, value)` pairs.
    ///
    /// ```
    /// use traceprop_opentelemetry::{Format, Policy, TracepropPropagator};
    /// let p = TracepropPropagator::from_vars(&[("DD_TRACE_PROPAGATION_STYLE", "datadog,bogus".to_owned())]);
    /// assert_eq!(p.extract_config().formats(), &[Format::Datadog]);
    /// assert_eq!(p.extract_config().policy(), Policy::First);
    /// assert_eq!(p.unknown_names(), ["DD_TRACE_PROPAGATION_STYLE: bogus"]);
    /// ```
    #[must_use]
    pub fn from_vars(vars: &[(&str, String)]) -> Self {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        let c = EnvConfig::from_env(&env);
        let mut p = TracepropPropagator::new(c.extract, c.inject);
        p.unknown = EnvConfig::unknown_names(&env)
            .map(|u| format!("{}: {}", u.variable, u.name))
            .collect();
        p
    }

    /// The configuration used to extract.
    #[must_use]
    pub fn extract_config(&self) -> &Config {
        &self.extract
    }

    /// The configuration used to inject.
    #[must_use]
    pub fn inject_config(&self) -> &Config {
        &self.inject
    }

    /// The names that configured no format (log them: they are not fatal).
    #[must_use]
    pub fn unknown_names(&self) -> &[String] {
        &self.unknown
    }
}

impl Default for TracepropPropagator {
    /// `tracecontext,baggage`, as OpenTelemetry's default.
    fn default() -> Self {
        let c = Config::default();
        TracepropPropagator::new(c, c)
    }
}

impl TextMapPropagator for TracepropPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        convert::with_propagation(cx, |p| {
            propagator::inject(&self.inject, p, &mut |name: &str, value: &str| {
                injector.set(name, value.to_owned());
            });
        });
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let keys = extractor.keys();
        let mut lines: Vec<(&str, &str)> = Vec::new();
        for key in keys.into_iter().filter(|k| self.extract.reads(k)) {
            for value in extractor.get_all(key).into_iter().flatten() {
                lines.push((key, value));
            }
        }
        // Filled in place: returning an `Extraction` would copy its room.
        let mut x = Extraction::default();
        propagator::extract_into(&self.extract, lines.as_slice(), &mut x);
        let mut cx = match x.context {
            Some(ctx) => cx
                .with_remote_span_context(convert::span_context(&ctx, &x.tracestate))
                .with_value(Extracted::new(&x, &ctx)),
            None => cx.clone(),
        };
        if !x.baggage.is_empty() {
            cx = cx.with_baggage(convert::baggage(&x.baggage));
        }
        cx
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(&self.fields)
    }
}
