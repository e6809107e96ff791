//! `Context` and `Extraction`: what extraction returns and injection takes.
//! They own their data ([`Shared`]) and build Python objects only when an
//! attribute is read.

use crate::carried::{Carried, Shared};
use crate::errors::about;
use crate::ids;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use std::sync::Arc;
use traceprop::datadog::tags;
use traceprop::xray;
use traceprop::{Error, Propagation, SpanContext, SpanId, TraceId};

/// A remote span context: ids, sampling, tracestate, baggage, the Datadog and
/// X-Ray fields, and (when extracted) the extraction report.
#[pyclass(frozen, module = "traceprop")]
pub struct Context {
    trace_id: TraceId,
    span_id: SpanId,
    sampled: Option<bool>,
    debug: bool,
    random: bool,
    sampling_priority: Option<i32>,
    shared: Arc<Shared>,
}

impl Context {
    /// The context extracted as `ctx`, sharing `shared`.
    pub fn extracted(ctx: &SpanContext<'_>, shared: Arc<Shared>) -> Self {
        Context {
            trace_id: ctx.trace_id,
            span_id: ctx.span_id,
            sampled: ctx.sampled,
            debug: ctx.debug,
            random: ctx.random,
            sampling_priority: ctx.sampling_priority,
            shared,
        }
    }

    /// Runs `f` with the core's view of this context.
    ///
    /// # Errors
    /// A carried field the core no longer accepts (cannot happen for fields
    /// that came from the core or were checked by the constructor).
    pub fn with_propagation<R>(&self, f: impl FnOnce(&Propagation<'_>) -> R) -> Result<R, Error> {
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        ctx.sampled = self.sampled;
        ctx.debug = self.debug;
        ctx.random = self.random;
        ctx.sampling_priority = self.sampling_priority;
        let mut p = Propagation::new(ctx);
        self.shared.carried.lend(&mut p)?;
        Ok(f(&p))
    }
}

fn opt_str<'py>(py: Python<'py>, s: &str) -> Option<Bound<'py, PyString>> {
    (!s.is_empty()).then(|| PyString::new(py, s))
}

#[pymethods]
impl Context {
    /// A context to inject. `trace_id`/`span_id`: lowercase hex (32/16 digits),
    /// big-endian bytes (16/8) or int; `None` for both makes a context without a
    /// span (only baggage is injected). `tracestate`: a header value or
    /// `(key, value)` pairs. `baggage`: a mapping of decoded values, or
    /// `(key, value)` / `(key, value, properties)` tuples, or `BaggageMember`s;
    /// a member the W3C encoder cannot write (a key that is not a token, a
    /// malformed property) is left out of the `baggage` header.
    #[new]
    #[pyo3(signature = (
        trace_id, span_id, sampled = None, *, debug = false, random = false,
        tracestate = None, baggage = None, sampling_priority = None, origin = None,
        dd_tags = None, xray_extra = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        trace_id: Option<&Bound<'_, PyAny>>,
        span_id: Option<&Bound<'_, PyAny>>,
        sampled: Option<bool>,
        debug: bool,
        random: bool,
        tracestate: Option<&Bound<'_, PyAny>>,
        baggage: Option<&Bound<'_, PyAny>>,
        sampling_priority: Option<&Bound<'_, PyAny>>,
        origin: Option<String>,
        dd_tags: Option<String>,
        xray_extra: Option<String>,
    ) -> PyResult<Self> {
        let (trace_id, span_id) = match (trace_id, span_id) {
            (None, None) => (TraceId::INVALID, SpanId::INVALID),
            (Some(t), Some(s)) => (ids::trace_id_arg(py, t)?, ids::span_id_arg(py, s)?),
            _ => {
                return Err(PyValueError::new_err(
                    "trace_id and span_id must both be given, or both be None",
                ))
            }
        };
        let sampling_priority = match sampling_priority {
            None => None,
            Some(p) => Some(ids::int_arg::<i32>(py, p, "sampling_priority")?),
        };
        let mut c = Carried::default();
        c.set_origin(origin.as_deref());
        c.set_dd_tags(dd_tags.as_deref());
        c.set_xray_extra(xray_extra.as_deref().unwrap_or(""));
        c.set_tracestate(py, tracestate)?;
        c.set_baggage(py, baggage)?;
        Ok(Context {
            trace_id,
            span_id,
            sampled,
            debug,
            random,
            sampling_priority,
            shared: Arc::new(Shared::made(c)),
        })
    }

    /// The trace id as 32 lowercase hex digits.
    #[getter]
    fn trace_id(&self) -> String {
        self.trace_id.to_hex().as_str().to_owned()
    }

    /// The span (parent) id as 16 lowercase hex digits.
    #[getter]
    fn span_id(&self) -> String {
        self.span_id.to_hex().as_str().to_owned()
    }

    /// The trace id as 16 big-endian bytes.
    #[getter]
    fn trace_id_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.trace_id.to_bytes())
    }

    /// The span id as 8 big-endian bytes.
    #[getter]
    fn span_id_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.span_id.to_bytes())
    }

    /// The trace id as an int (what OpenTelemetry Python uses).
    #[getter]
    fn trace_id_int(&self) -> u128 {
        self.trace_id.to_u128()
    }

    /// The span id as an int.
    #[getter]
    fn span_id_int(&self) -> u64 {
        self.span_id.to_u64()
    }

    /// Whether both ids are non-zero.
    #[getter]
    fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }

    /// `True`, `False`, or `None` when no decision was made (deferred).
    #[getter]
    fn sampled(&self) -> Option<bool> {
        self.sampled
    }

    /// Debug / force-sample (B3 `d`, `X-B3-Flags: 1`, Jaeger 0x02).
    #[getter]
    fn debug(&self) -> bool {
        self.debug
    }

    /// The W3C Level 2 random-trace-id flag.
    #[getter]
    fn random(&self) -> bool {
        self.random
    }

    /// The W3C trace-flags byte written on inject (sampled 0x01, random 0x02).
    #[getter]
    fn trace_flags(&self) -> u8 {
        let mut ctx = SpanContext::new(self.trace_id, self.span_id);
        ctx.sampled = self.sampled;
        ctx.random = self.random;
        ctx.flags().to_byte()
    }

    /// Datadog's sampling priority, when one was carried.
    #[getter]
    fn sampling_priority(&self) -> Option<i32> {
        self.sampling_priority
    }

    /// Datadog's origin (decoded from the tracestate spelling if need be).
    #[getter]
    fn origin(&self) -> Option<String> {
        self.with_propagation(|p| p.context.origin.map(|o| o.to_string()))
            .ok()
            .flatten()
    }

    /// Datadog's carried `_dd.p.*` tags by full name (`{"_dd.p.dm": "-4"}`),
    /// decoded, whichever spelling they arrived in (`x-datadog-tags` or the
    /// tracestate `dd` member).
    #[getter]
    fn dd_tags<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let mut result = Ok(());
        self.with_propagation(|p| {
            for tag in p.context.dd_tags.iter() {
                let name = format!("{}{}", tags::HEADER_PREFIX, tag.name);
                if let Err(e) = out.set_item(name, tag.value.to_string()) {
                    result = Err(e);
                    break;
                }
            }
        })
        .map_err(about(py, "dd_tags"))?;
        result.map(|()| out)
    }

    /// The raw AWS X-Ray fields kept besides Root, Parent and Sampled (what
    /// the constructor's `xray_extra` takes), or `None`.
    #[getter]
    fn xray_extra<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        opt_str(py, self.shared.carried.xray_extra())
    }

    /// The AWS X-Ray fields other than Root, Parent and Sampled, in order
    /// (`("Lineage=a87bd80c:1",)`).
    #[getter]
    fn xray_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let fields: Vec<&str> = xray::extra_fields(self.shared.carried.xray_extra()).collect();
        PyTuple::new(py, fields)
    }

    /// The W3C tracestate as a header value (`None` when empty).
    #[getter]
    fn tracestate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyString>>> {
        let ts = self
            .shared
            .carried
            .tracestate()
            .map_err(about(py, "tracestate"))?;
        let mut buf = vec![0u8; ts.encoded_len()];
        let n = ts.encode(&mut buf).map_err(about(py, "tracestate"))?;
        Ok(opt_str(
            py,
            core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default(),
        ))
    }

    /// The tracestate members as `(key, value)` pairs, in order.
    #[getter]
    fn tracestate_members<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.carried.tracestate_members(py)
    }

    /// The baggage members, in order.
    #[getter]
    fn baggage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.carried.baggage(py)
    }

    /// The decoded baggage value of `key`, or `default`.
    #[pyo3(signature = (key, default = None))]
    fn baggage_value(&self, key: PyBackedStr, default: Option<String>) -> Option<String> {
        self.shared.carried.baggage_value(&key).or(default)
    }

    /// The propagator whose context won (`None` when not extracted).
    #[getter]
    fn source(&self) -> Option<&'static str> {
        self.shared.report.source()
    }

    /// Every propagator that found a valid context, in configuration order.
    #[getter]
    fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.report.matched(py)
    }

    /// Whether two matched propagators disagree on the trace id.
    #[getter]
    fn conflict(&self) -> bool {
        self.shared.report.conflict()
    }

    /// `(propagator, error kind)` for every propagator whose headers were
    /// present but invalid.
    #[getter]
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.report.rejections(py)
    }

    /// Why a present tracestate was dropped (an error kind), if it was.
    #[getter]
    fn tracestate_error(&self) -> Option<&'static str> {
        self.shared.report.tracestate_error()
    }

    /// The same context with another span id (e.g. the id of a new child span).
    fn with_span_id(&self, py: Python<'_>, span_id: &Bound<'_, PyAny>) -> PyResult<Context> {
        Ok(Context {
            span_id: ids::span_id_arg(py, span_id)?,
            shared: Arc::clone(&self.shared),
            ..*self
        })
    }

    /// A copy with the given fields changed (the constructor's keywords,
    /// plus `trace_id`, `span_id` and `sampled`); fields not given are kept,
    /// the extraction report is not.
    #[pyo3(signature = (**changes))]
    fn replace(&self, py: Python<'_>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Context> {
        let mut ctx = Context {
            shared: Arc::new(Shared::default()),
            ..*self
        };
        let mut c = self.shared.carried.clone();
        for (key, value) in changes.into_iter().flat_map(|d| d.iter()) {
            let key: PyBackedStr = key.extract()?;
            let given = (!value.is_none()).then_some(&value);
            match &*key {
                "trace_id" => ctx.trace_id = ids::trace_id_arg(py, &value)?,
                "span_id" => ctx.span_id = ids::span_id_arg(py, &value)?,
                "sampled" => ctx.sampled = value.extract()?,
                "debug" => ctx.debug = value.extract()?,
                "random" => ctx.random = value.extract()?,
                "sampling_priority" => {
                    ctx.sampling_priority = given
                        .map(|p| ids::int_arg::<i32>(py, p, "sampling_priority"))
                        .transpose()?;
                }
                "origin" => c.set_origin(value.extract::<Option<String>>()?.as_deref()),
                "dd_tags" => c.set_dd_tags(value.extract::<Option<String>>()?.as_deref()),
                "xray_extra" => {
                    let extra: Option<String> = value.extract()?;
                    c.set_xray_extra(extra.as_deref().unwrap_or(""));
                }
                "tracestate" => c.set_tracestate(py, given)?,
                "baggage" => c.set_baggage(py, given)?,
                other => {
                    return Err(PyTypeError::new_err(format!(
                        "replace() got an unexpected keyword argument {other:?}"
                    )))
                }
            }
        }
        ctx.shared = Arc::new(Shared::made(c));
        Ok(ctx)
    }

    fn __repr__(&self) -> String {
        let sampled = match self.sampled {
            Some(true) => "True",
            Some(false) => "False",
            None => "None",
        };
        format!(
            "Context(trace_id='{}', span_id='{}', sampled={sampled})",
            self.trace_id.to_hex(),
            self.span_id.to_hex()
        )
    }
}

/// The full result of an extraction: the context (or `None`), and the baggage
/// and report, which exist even when no context was found.
#[pyclass(frozen, module = "traceprop")]
pub struct Extraction {
    context: Option<Py<Context>>,
    shared: Arc<Shared>,
}

impl Extraction {
    /// An extraction of `context` (if any) sharing `shared`.
    pub fn new(context: Option<Py<Context>>, shared: Arc<Shared>) -> Self {
        Extraction { context, shared }
    }
}

#[pymethods]
impl Extraction {
    /// The winning context, or `None`.
    #[getter]
    fn context(&self, py: Python<'_>) -> Option<Py<Context>> {
        self.context.as_ref().map(|c| c.clone_ref(py))
    }

    /// The merged baggage of every baggage-carrying propagator.
    #[getter]
    fn baggage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.carried.baggage(py)
    }

    /// The decoded baggage value of `key`, or `default`.
    #[pyo3(signature = (key, default = None))]
    fn baggage_value(&self, key: PyBackedStr, default: Option<String>) -> Option<String> {
        self.shared.carried.baggage_value(&key).or(default)
    }

    /// The propagator whose context won.
    #[getter]
    fn source(&self) -> Option<&'static str> {
        self.shared.report.source()
    }

    /// Every propagator that found a valid context, in configuration order.
    #[getter]
    fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.report.matched(py)
    }

    /// Whether two matched propagators disagree on the trace id.
    #[getter]
    fn conflict(&self) -> bool {
        self.shared.report.conflict()
    }

    /// `(propagator, error kind)` for every propagator whose headers were
    /// present but invalid.
    #[getter]
    fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        self.shared.report.rejections(py)
    }

    /// Why a present tracestate was dropped (an error kind), if it was.
    #[getter]
    fn tracestate_error(&self) -> Option<&'static str> {
        self.shared.report.tracestate_error()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match &self.context {
            Some(c) => format!("Extraction(context={})", c.get().__repr__()),
            None => format!(
                "Extraction(context=None, baggage={} member(s), rejections={:?})",
                self.shared.carried.baggage_len(),
                self.rejections(py)
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            ),
        }
    }
}
