//! uniffi bindings of the traceprop core for Kotlin/JVM and Swift (and, as a
//! generator smoke test, Python). A thin layer: records of owned strings in,
//! core calls, records out; no codec logic here.

use traceprop::datadog::Text;
use traceprop::propagator::{self, Config, Policy};
use traceprop::w3c::baggage::{self, Encoding, Value};
use traceprop::{DatadogTags, SpanId, TraceId, TraceState};

uniffi::setup_scaffolding!();

/// Why a call failed: `kind` is the core's stable error name
/// (`invalid_hex`, `zero_id`, ...), or `unknown_propagator` / `invalid_argument`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TracepropError {
    /// The input was rejected.
    #[error("{kind}: {detail}")]
    Invalid {
        /// The stable error kind.
        kind: String,
        /// A human description (`message` would clash with Kotlin's
        /// `Throwable.message`).
        detail: String,
    },
}

impl From<traceprop::Error> for TracepropError {
    fn from(e: traceprop::Error) -> Self {
        TracepropError::Invalid {
            kind: e.name().to_owned(),
            detail: e.to_string(),
        }
    }
}

fn invalid(kind: &str, detail: String) -> TracepropError {
    TracepropError::Invalid {
        kind: kind.to_owned(),
        detail,
    }
}

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    /// The name (any case on input, lowercase on output).
    pub name: String,
    /// The value.
    pub value: String,
}

/// A span context: ids as lowercase hex, sampling tri-state, flags and the
/// vendor fields that must survive a hop.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SpanContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// `true`, `false`, or `null` (no decision yet).
    pub sampled: Option<bool>,
    /// Debug / force-sample.
    pub debug: bool,
    /// The W3C random-trace-id flag.
    pub random: bool,
    /// Datadog's sampling priority.
    pub sampling_priority: Option<i32>,
    /// Datadog's origin.
    pub origin: Option<String>,
    /// Datadog's carried `_dd.p.*` tags, as an `x-datadog-tags` value.
    pub dd_tags: Option<String>,
    /// AWS X-Ray fields beyond Root/Parent/Sampled, verbatim.
    pub xray_extra: Option<String>,
    /// The SkyWalking `sw8` value the context came from, re-emitted for the
    /// same trace so SkyWalking keeps its own ids.
    pub sw8: Option<String>,
}

/// A baggage property: `key` or `key=value`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Property {
    /// The key.
    pub key: String,
    /// The value, when there is one.
    pub value: Option<String>,
}

/// One baggage member, value decoded.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BaggageMember {
    /// The key.
    pub key: String,
    /// The decoded value.
    pub value: String,
    /// The properties, in order.
    pub properties: Vec<Property>,
}

/// What crosses a process border.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Propagation {
    /// The span context.
    pub context: SpanContext,
    /// The W3C tracestate header value, if any.
    pub tracestate: Option<String>,
    /// The baggage.
    pub baggage: Vec<BaggageMember>,
}

/// A format whose headers were present but invalid.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rejection {
    /// The format name.
    pub format: String,
    /// The stable error kind.
    pub kind: String,
    /// A human description.
    pub message: String,
}

/// The result of [`extract`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Extraction {
    /// The winning context, if any format yielded a valid one.
    pub context: Option<SpanContext>,
    /// The format it came from.
    pub source: Option<String>,
    /// The W3C tracestate, if kept.
    pub tracestate: Option<String>,
    /// The merged baggage.
    pub baggage: Vec<BaggageMember>,
    /// Every format that yielded a valid context, in list order.
    pub matched: Vec<String>,
    /// Whether matched formats disagree on the trace id.
    pub conflict: bool,
    /// Formats present but rejected, and why.
    pub rejections: Vec<Rejection>,
}

/// Datadog's spelling of a trace id.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DatadogTraceId {
    /// `x-datadog-trace-id`: the low 64 bits in decimal.
    pub decimal: String,
    /// `_dd.p.tid`: the high 64 bits in hex, when not zero.
    pub tid: Option<String>,
}

fn config(propagators: &str) -> Result<Config, TracepropError> {
    let unknown: Vec<&str> = Config::unknown_names(propagators).collect();
    if unknown.is_empty() {
        Ok(Config::parse(propagators))
    } else {
        Err(invalid(
            "unknown_propagator",
            format!("unknown propagator name(s): {}", unknown.join(", ")),
        ))
    }
}

fn policy(name: &str) -> Result<Policy, TracepropError> {
    Policy::from_name(name)
        .ok_or_else(|| invalid("invalid_argument", format!("unknown policy {name:?}")))
}

fn context_record(c: &traceprop::SpanContext<'_>) -> SpanContext {
    SpanContext {
        trace_id: c.trace_id.to_hex().to_string(),
        span_id: c.span_id.to_hex().to_string(),
        sampled: c.sampled,
        debug: c.debug,
        random: c.random,
        sampling_priority: c.sampling_priority,
        origin: c.origin.map(|o| o.to_string()),
        dd_tags: match c.dd_tags {
            DatadogTags::None => None,
            DatadogTags::Header(s) | DatadogTags::TraceState(s) => Some(s.to_owned()),
        },
        xray_extra: (!c.xray_extra.is_empty()).then(|| c.xray_extra.to_owned()),
        sw8: (!c.sw8.is_empty()).then(|| c.sw8.to_owned()),
    }
}

fn baggage_records(b: &traceprop::Baggage<'_>) -> Vec<BaggageMember> {
    let mut buf = vec![0u8; baggage::MAX_BYTES];
    b.members()
        .iter()
        .map(|m| BaggageMember {
            key: m.key.to_owned(),
            value: m.value.decode_into(&mut buf).unwrap_or_default().to_owned(),
            properties: m
                .properties()
                .map(|(key, value)| Property {
                    key: key.to_owned(),
                    value: value.map(str::to_owned),
                })
                .collect(),
        })
        .collect()
}

fn tracestate_text(ts: &TraceState<'_>) -> Option<String> {
    let mut buf = vec![0u8; traceprop::w3c::tracestate::MAX_LEN];
    let n = ts.encode(&mut buf).ok()?;
    (n > 0).then(|| String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn headers_out(written: Vec<(String, String)>) -> Vec<Header> {
    written
        .into_iter()
        .map(|(name, value)| Header { name, value })
        .collect()
}

fn extraction_record(x: &propagator::Extraction<'_>) -> Extraction {
    Extraction {
        context: x.context.as_ref().map(context_record),
        source: x.source.map(|f| f.name().to_owned()),
        tracestate: tracestate_text(&x.tracestate),
        baggage: baggage_records(&x.baggage),
        matched: x
            .matched()
            .iter()
            .map(|(f, _)| f.name().to_owned())
            .collect(),
        conflict: x.conflict(),
        rejections: x
            .rejected()
            .iter()
            .map(|r| Rejection {
                format: r.format.name().to_owned(),
                kind: r.error.name().to_owned(),
                message: r.error.to_string(),
            })
            .collect(),
    }
}

/// Extracts a context from `headers` with the formats in `propagators`
/// (`OTEL_PROPAGATORS` syntax) and `policy` (`last` or `first`).
///
/// # Errors
/// `unknown_propagator` for a name that is not a format; `invalid_argument`
/// for an unknown policy. Bad headers never fail: they are reported in
/// [`Extraction::rejections`].
#[uniffi::export]
pub fn extract(
    headers: Vec<Header>,
    propagators: String,
    policy: String,
) -> Result<Extraction, TracepropError> {
    let config = config(&propagators)?.with_policy(self::policy(&policy)?);
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    Ok(extraction_record(&propagator::extract(
        &config,
        pairs.as_slice(),
    )))
}

/// Writes `propagation` in every format of `propagators`.
///
/// # Errors
/// `unknown_propagator`; the core's error for an invalid id or tracestate,
/// or a baggage member over the limits.
#[uniffi::export]
pub fn inject(
    propagation: Propagation,
    propagators: String,
) -> Result<Vec<Header>, TracepropError> {
    let config = config(&propagators)?;
    let c = &propagation.context;
    let mut ctx = traceprop::SpanContext::new(
        TraceId::from_hex(&c.trace_id)?,
        SpanId::from_hex(&c.span_id)?,
    )
    .with_sampled(c.sampled);
    ctx.debug = c.debug;
    ctx.random = c.random;
    ctx.sampling_priority = c.sampling_priority;
    ctx.origin = c.origin.as_deref().map(Text::new);
    ctx.dd_tags = c
        .dd_tags
        .as_deref()
        .map_or(DatadogTags::None, DatadogTags::Header);
    ctx.xray_extra = c.xray_extra.as_deref().unwrap_or("");
    ctx.sw8 = c.sw8.as_deref().unwrap_or("");
    let mut p = traceprop::Propagation::new(ctx);
    if let Some(ts) = propagation.tracestate.as_deref() {
        p.tracestate = TraceState::parse(ts)?;
    }
    let props: Vec<String> = propagation
        .baggage
        .iter()
        .map(|m| {
            m.properties
                .iter()
                .map(|p| match &p.value {
                    Some(v) => format!("{}={v}", p.key),
                    None => p.key.clone(),
                })
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect();
    for (m, properties) in propagation.baggage.iter().zip(&props) {
        p.baggage.push(baggage::Member {
            key: &m.key,
            value: Value::new(&m.value, Encoding::Raw)?,
            properties,
        })?;
    }
    let mut written = Vec::new();
    propagator::inject(&config, &p, &mut |k: &str, v: &str| {
        written.push((k.to_owned(), v.to_owned()));
    });
    Ok(headers_out(written))
}

/// A gateway's step: extract with `from` and `policy`, inject with `to`.
/// Nothing is written when no valid context was found.
///
/// # Errors
/// As [`extract`] and [`inject`].
#[uniffi::export]
pub fn translate(
    headers: Vec<Header>,
    from: String,
    to: String,
    policy: String,
) -> Result<Vec<Header>, TracepropError> {
    let from = config(&from)?.with_policy(self::policy(&policy)?);
    let to = config(&to)?;
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    let mut written = Vec::new();
    propagator::translate(&from, &to, pairs.as_slice(), &mut |k: &str, v: &str| {
        written.push((k.to_owned(), v.to_owned()));
    });
    Ok(headers_out(written))
}

/// The names in `propagators` that are not formats.
#[uniffi::export]
pub fn unknown_propagators(propagators: String) -> Vec<String> {
    Config::unknown_names(&propagators)
        .map(str::to_owned)
        .collect()
}

/// A 32-hex trace id in Datadog's spelling.
///
/// # Errors
/// The core's error for an invalid trace id.
#[uniffi::export]
pub fn trace_id_to_datadog(trace_id: String) -> Result<DatadogTraceId, TracepropError> {
    let (decimal, tid) = TraceId::from_hex(&trace_id)?.to_datadog();
    Ok(DatadogTraceId {
        decimal: decimal.to_string(),
        tid: tid.map(|t| t.to_string()),
    })
}

/// Datadog's decimal trace id (+ optional `_dd.p.tid`) as 32 hex digits.
///
/// # Errors
/// The core's error for an invalid decimal or tid.
#[uniffi::export]
pub fn trace_id_from_datadog(
    decimal: String,
    tid: Option<String>,
) -> Result<String, TracepropError> {
    Ok(TraceId::from_datadog(&decimal, tid.as_deref())?
        .to_hex()
        .to_string())
}

/// A 32-hex trace id as an AWS X-Ray Root.
///
/// # Errors
/// The core's error for an invalid trace id.
#[uniffi::export]
pub fn trace_id_to_xray_root(trace_id: String) -> Result<String, TracepropError> {
    Ok(TraceId::from_hex(&trace_id)?.to_xray_root().to_string())
}

/// An AWS X-Ray Root as 32 hex digits.
///
/// # Errors
/// The core's error for an invalid root.
#[uniffi::export]
pub fn trace_id_from_xray_root(root: String) -> Result<String, TracepropError> {
    Ok(TraceId::from_xray_root(&root)?.to_hex().to_string())
}

/// A 16-hex span id in decimal (Datadog parent id, Google Cloud span id).
///
/// # Errors
/// The core's error for an invalid span id.
#[uniffi::export]
pub fn span_id_to_decimal(span_id: String) -> Result<String, TracepropError> {
    Ok(SpanId::from_hex(&span_id)?.to_decimal().to_string())
}

/// A decimal span id as 16 hex digits.
///
/// # Errors
/// The core's error for an invalid decimal.
#[uniffi::export]
pub fn span_id_from_decimal(decimal: String) -> Result<String, TracepropError> {
    Ok(SpanId::from_decimal(&decimal)?.to_hex().to_string())
}
