//! `Config` and the calls that use one: `extract`, `extract_all`, `inject`,
//! `inject_into`, `translate`, `config_from_env`. Each is one crossing into
//! `traceprop::propagator`.

use crate::carried::Shared;
use crate::carrier::{Lines, Wanted};
use crate::context::{Context, Extraction};
use crate::errors::{error, type_error};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};
use std::sync::Arc;
use traceprop::propagator::{
    self, Config as CoreConfig, EnvConfig, Extraction as CoreExtraction, Format, Policy, DD_STYLE,
    DD_STYLE_EXTRACT, DD_STYLE_INJECT, OTEL_PROPAGATORS,
};
use traceprop::{Error, Header, Headers, Propagation, Sink, SpanContext, SpanId, TraceId};

/// The variables `config_from_env` reads.
pub const ENV_VARS: [&str; 4] = [
    OTEL_PROPAGATORS,
    DD_STYLE,
    DD_STYLE_EXTRACT,
    DD_STYLE_INJECT,
];

/// Which propagators extract (with which policy) and which inject.
#[pyclass(frozen, module = "traceprop")]
#[derive(Clone)]
pub struct Config {
    extract: CoreConfig,
    inject: CoreConfig,
    ignored: Vec<(String, String)>,
    wanted: Wanted,
}

fn policy_arg(name: &str) -> PyResult<Policy> {
    Policy::from_name(name).ok_or_else(|| {
        PyValueError::new_err(format!("policy must be 'last' or 'first', not {name:?}"))
    })
}

/// Parses an `OTEL_PROPAGATORS`-style list; unknown names are an error.
fn parse_strict(py: Python<'_>, list: &str) -> PyResult<CoreConfig> {
    let unknown: Vec<&str> = CoreConfig::unknown_names(list).collect();
    if unknown.is_empty() {
        Ok(CoreConfig::parse(list))
    } else {
        Err(error(
            py,
            &format!("propagators {}", unknown.join(", ")),
            Error::UnknownPropagator,
        ))
    }
}

impl Config {
    fn build(extract: CoreConfig, inject: CoreConfig, ignored: Vec<(String, String)>) -> Self {
        Config {
            wanted: Wanted::new(extract.formats()),
            extract,
            inject,
            ignored,
        }
    }

    /// The configuration a call's `propagators` and `policy` arguments name.
    fn resolve(
        py: Python<'_>,
        propagators: Option<&Bound<'_, PyAny>>,
        policy: Option<&str>,
    ) -> PyResult<Config> {
        let mut config = match propagators {
            None => Config::build(CoreConfig::default(), CoreConfig::default(), Vec::new()),
            Some(p) => {
                if let Ok(c) = p.cast::<Config>() {
                    c.get().clone()
                } else if let Ok(s) = p.cast::<PyString>() {
                    let c = parse_strict(py, &s.to_cow()?)?;
                    Config::build(c, c, Vec::new())
                } else {
                    return Err(type_error("propagators", "a str or a Config", p));
                }
            }
        };
        if let Some(policy) = policy {
            config.extract = config.extract.with_policy(policy_arg(policy)?);
        }
        Ok(config)
    }

    /// Extracts from `headers` and hands the result to `f`. The core's
    /// header index and extraction are filled where they lie (they are
    /// large: moving them costs more than filling them).
    fn extract_with<R>(
        &self,
        headers: &Bound<'_, PyAny>,
        f: impl FnOnce(&CoreExtraction<'_>) -> PyResult<R>,
    ) -> PyResult<R> {
        let lines = Lines::from_py(headers, self.wanted)?;
        let mut h = Headers::default();
        lines.add_to(&mut h);
        let mut x = CoreExtraction::default();
        propagator::extract_headers_into(&self.extract, &h, &mut x);
        f(&x)
    }

    fn extract_py(&self, headers: &Bound<'_, PyAny>) -> PyResult<Option<Context>> {
        self.extract_with(headers, |x| {
            Ok(x.context
                .as_ref()
                .map(|ctx| Context::extracted(ctx, Arc::new(Shared::from_extraction(x)))))
        })
    }

    fn extract_all_py(&self, py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Extraction> {
        self.extract_with(headers, |x| {
            let shared = Arc::new(Shared::from_extraction(x));
            let context = match &x.context {
                Some(ctx) => Some(Py::new(py, Context::extracted(ctx, Arc::clone(&shared)))?),
                None => None,
            };
            Ok(Extraction::new(context, shared))
        })
    }

    fn inject_py<'py>(
        &self,
        py: Python<'py>,
        context: &Bound<'py, PyAny>,
        carrier: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        let context = context
            .cast::<Context>()
            .map_err(|_| type_error("context", "a traceprop.Context", context))?;
        let mut sink = PySink::on(carrier);
        context
            .get()
            .with_propagation(|p| propagator::inject(&self.inject, p, &mut sink))
            .map_err(|e| error(py, "context", e))?;
        sink.finish()
    }

    fn translate_py<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let lines = Lines::from_py(headers, self.wanted)?;
        let out = PyDict::new(py);
        let mut sink = PySink::on(out.as_any());
        propagator::translate(&self.extract, &self.inject, &&lines, &mut sink);
        sink.finish()?;
        Ok(out)
    }
}

/// The fixed header names as Python strings, interned once: injecting
/// reuses them (and their cached hashes) instead of making new ones.
static HEADER_NAMES: PyOnceLock<[Py<PyString>; Header::COUNT]> = PyOnceLock::new();

/// Where a [`PySink`] writes: a new dict, or any carrier.
enum Target<'a, 'py> {
    Dict(&'a Bound<'py, PyDict>),
    Any(&'a Bound<'py, PyAny>),
}

/// Writes injected headers with `carrier[name] = value`, keeping the first
/// Python error (a `Sink` cannot fail).
struct PySink<'a, 'py> {
    target: Target<'a, 'py>,
    names: &'a [Py<PyString>; Header::COUNT],
    error: Option<PyErr>,
}

impl<'a, 'py> PySink<'a, 'py> {
    fn new(py: Python<'py>, target: Target<'a, 'py>) -> Self {
        let names = HEADER_NAMES.get_or_init(py, || {
            Header::ALL.map(|h| PyString::intern(py, h.name()).unbind())
        });
        PySink {
            target,
            names,
            error: None,
        }
    }

    /// A sink setting items on `carrier` (a `dict` is written directly).
    fn on(carrier: &'a Bound<'py, PyAny>) -> Self {
        let target = match carrier.cast_exact::<PyDict>() {
            Ok(dict) => Target::Dict(dict),
            Err(_) => Target::Any(carrier),
        };
        PySink::new(carrier.py(), target)
    }

    fn py(&self) -> Python<'py> {
        match self.target {
            Target::Dict(d) => d.py(),
            Target::Any(a) => a.py(),
        }
    }

    fn put(&self, name: &Bound<'py, PyString>, value: &str) -> PyResult<()> {
        let value = PyString::new(self.py(), value);
        match self.target {
            Target::Dict(d) => d.set_item(name, value),
            Target::Any(a) => a.set_item(name, value),
        }
    }

    fn finish(self) -> PyResult<()> {
        self.error.map_or(Ok(()), Err)
    }
}

impl Sink for PySink<'_, '_> {
    fn set(&mut self, name: &str, value: &str) {
        if self.error.is_some() {
            return;
        }
        let py = self.py();
        // Fixed names are the core's `Header::name`s; baggage headers
        // (`uberctx-{key}`) are made per call.
        let result = match Header::lookup(name).filter(|h| h.name() == name) {
            Some(h) => self.put(self.names[h as usize].bind(py), value),
            None => self.put(&PyString::new(py, name), value),
        };
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}

#[pymethods]
impl Config {
    /// A configuration: `propagators` in `OTEL_PROPAGATORS` syntax for
    /// extraction (and injection unless `inject` is given). Unknown names raise
    /// `TracepropError(unknown_propagator)`, or with `strict=False` are skipped
    /// and listed in `ignored`.
    #[new]
    #[pyo3(signature = (propagators = None, policy = None, *, inject = None, strict = true))]
    #[pyo3(
        text_signature = "(propagators='tracecontext,baggage', policy='last', *, inject=None, strict=True)"
    )]
    fn new(
        py: Python<'_>,
        propagators: Option<PyBackedStr>,
        policy: Option<PyBackedStr>,
        inject: Option<PyBackedStr>,
        strict: bool,
    ) -> PyResult<Self> {
        let extract_list = propagators.as_deref().unwrap_or("tracecontext,baggage");
        let inject_list = inject.as_deref().unwrap_or(extract_list);
        let mut ignored = Vec::new();
        let (extract, inject) = if strict {
            (
                parse_strict(py, extract_list)?,
                parse_strict(py, inject_list)?,
            )
        } else {
            for (list, variable) in [(extract_list, "propagators"), (inject_list, "inject")] {
                for name in CoreConfig::unknown_names(list) {
                    if !ignored.iter().any(|(_, n)| n == name) {
                        ignored.push((variable.to_owned(), name.to_owned()));
                    }
                }
            }
            (
                CoreConfig::parse(extract_list),
                CoreConfig::parse(inject_list),
            )
        };
        let policy = policy_arg(policy.as_deref().unwrap_or("last"))?;
        Ok(Config::build(extract.with_policy(policy), inject, ignored))
    }

    /// The propagators that extract, in order.
    #[getter]
    fn propagators<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.extract.formats().iter().map(|f| f.name()))
    }

    /// The propagators that inject, in order.
    #[getter]
    fn inject_propagators<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inject.formats().iter().map(|f| f.name()))
    }

    /// `"last"` or `"first"`: which valid context wins on extract.
    #[getter]
    fn policy(&self) -> &'static str {
        match self.extract.policy() {
            Policy::Last => "last",
            Policy::First => "first",
        }
    }

    /// `(where, name)` for every unknown name skipped (non-strict or from the
    /// environment).
    #[getter]
    fn ignored<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.ignored.iter().map(|(v, n)| (v.as_str(), n.as_str())),
        )
    }

    /// The fixed header names injection can write (not the per-key
    /// `uberctx-*` / `ot-baggage-*` baggage headers).
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut names: Vec<&'static str> = Vec::new();
        let mut sink = |name: &str, _: &str| {
            if let Some(h) = Header::lookup(name) {
                if !names.contains(&h.name()) {
                    names.push(h.name());
                }
            }
        };
        let mut bag = traceprop::Baggage::EMPTY;
        let value =
            traceprop::w3c::baggage::Value::new("v", traceprop::w3c::baggage::Encoding::Raw);
        if let Ok(value) = value {
            let _ = bag.push(traceprop::w3c::baggage::Member {
                key: "k",
                value,
                properties: "",
            });
        }
        for debug in [false, true] {
            let mut ctx = SpanContext::new(TraceId::from_u128(u128::MAX), SpanId::from_u64(1));
            ctx.sampled = Some(true);
            ctx.debug = debug;
            ctx.origin = Some(traceprop::datadog::Text::new("o"));
            let mut p = Propagation::new(ctx);
            p.baggage = bag;
            if let Ok(ts) = traceprop::TraceState::parse("k=v") {
                p.tracestate = ts;
            }
            propagator::inject(&self.inject, &p, &mut sink);
        }
        PyTuple::new(py, names)
    }

    /// The context in `headers`, or `None`.
    fn extract(&self, headers: &Bound<'_, PyAny>) -> PyResult<Option<Context>> {
        self.extract_py(headers)
    }

    /// The context (or `None`), baggage and report in `headers`.
    fn extract_all(&self, py: Python<'_>, headers: &Bound<'_, PyAny>) -> PyResult<Extraction> {
        self.extract_all_py(py, headers)
    }

    /// The headers that carry `context`, as a new dict.
    fn inject<'py>(
        &self,
        py: Python<'py>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        self.inject_py(py, context, out.as_any())?;
        Ok(out)
    }

    /// Sets the headers that carry `context` on `carrier` (`carrier[name] = value`).
    fn inject_into<'py>(
        &self,
        py: Python<'py>,
        carrier: &Bound<'py, PyAny>,
        context: &Bound<'py, PyAny>,
    ) -> PyResult<()> {
        self.inject_py(py, context, carrier)
    }

    /// Extracts with this configuration and injects what was found with its
    /// inject propagators; `{}` when nothing was found.
    fn translate<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.translate_py(py, headers)
    }

    fn __repr__(&self) -> String {
        let list = |c: &CoreConfig| {
            c.formats()
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(",")
        };
        let (e, i) = (list(&self.extract), list(&self.inject));
        if e == i {
            format!("Config({e:?}, policy={:?})", self.policy())
        } else {
            format!("Config({e:?}, policy={:?}, inject={i:?})", self.policy())
        }
    }
}

/// The context in `headers`, or `None` when no configured propagator found a
/// valid one.
#[pyfunction]
#[pyo3(signature = (headers, propagators = None, policy = None))]
#[pyo3(text_signature = "(headers, propagators='tracecontext,baggage', policy=None)")]
pub fn extract(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    propagators: Option<&Bound<'_, PyAny>>,
    policy: Option<PyBackedStr>,
) -> PyResult<Option<Context>> {
    Config::resolve(py, propagators, policy.as_deref())?.extract_py(headers)
}

/// The context (or `None`), the baggage and the report of every propagator.
#[pyfunction]
#[pyo3(signature = (headers, propagators = None, policy = None))]
#[pyo3(text_signature = "(headers, propagators='tracecontext,baggage', policy=None)")]
pub fn extract_all(
    py: Python<'_>,
    headers: &Bound<'_, PyAny>,
    propagators: Option<&Bound<'_, PyAny>>,
    policy: Option<PyBackedStr>,
) -> PyResult<Extraction> {
    Config::resolve(py, propagators, policy.as_deref())?.extract_all_py(py, headers)
}

/// The headers that carry `context`, as a new dict.
#[pyfunction]
#[pyo3(signature = (context, propagators = None))]
#[pyo3(text_signature = "(context, propagators='tracecontext,baggage')")]
pub fn inject<'py>(
    py: Python<'py>,
    context: &Bound<'py, PyAny>,
    propagators: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    Config::resolve(py, propagators, None)?.inject_py(py, context, out.as_any())?;
    Ok(out)
}

/// Sets the headers that carry `context` on `carrier` (`carrier[name] = value`).
#[pyfunction]
#[pyo3(signature = (carrier, context, propagators = None))]
#[pyo3(text_signature = "(carrier, context, propagators='tracecontext,baggage')")]
pub fn inject_into<'py>(
    py: Python<'py>,
    carrier: &Bound<'py, PyAny>,
    context: &Bound<'py, PyAny>,
    propagators: Option<&Bound<'py, PyAny>>,
) -> PyResult<()> {
    Config::resolve(py, propagators, None)?.inject_py(py, context, carrier)
}

/// A gateway's step: extract with `propagators`, inject what was found with
/// `inject_propagators` (default: the same); `{}` when nothing was found.
#[pyfunction]
#[pyo3(signature = (headers, propagators = None, inject_propagators = None, policy = None))]
#[pyo3(
    text_signature = "(headers, propagators='tracecontext,baggage', inject_propagators=None, policy=None)"
)]
pub fn translate<'py>(
    py: Python<'py>,
    headers: &Bound<'py, PyAny>,
    propagators: Option<&Bound<'py, PyAny>>,
    inject_propagators: Option<&Bound<'py, PyAny>>,
    policy: Option<PyBackedStr>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut config = Config::resolve(py, propagators, policy.as_deref())?;
    if let Some(to) = inject_propagators {
        config.inject = Config::resolve(py, Some(to), None)?.inject;
    }
    config.translate_py(py, headers)
}

/// The configuration in the environment (`environ`, default `os.environ`):
/// `DD_TRACE_PROPAGATION_STYLE_EXTRACT`/`_INJECT`/`DD_TRACE_PROPAGATION_STYLE`
/// when any is set (Datadog's precedence, `b3` = single header, policy
/// `first`), else `OTEL_PROPAGATORS` (policy `last`), else
/// `tracecontext,baggage`. Unknown names are skipped and listed in `ignored`.
#[pyfunction]
#[pyo3(signature = (environ = None))]
pub fn config_from_env(py: Python<'_>, environ: Option<&Bound<'_, PyAny>>) -> PyResult<Config> {
    let environ = match environ {
        Some(e) => e.clone(),
        None => py.import("os")?.getattr("environ")?,
    };
    let mut values: Vec<(&'static str, PyBackedStr)> = Vec::new();
    for var in ENV_VARS {
        let value = environ
            .call_method1(pyo3::intern!(py, "get"), (var,))
            .map_err(|_| type_error("environ", "a mapping", &environ))?;
        if !value.is_none() {
            let value: PyBackedStr = value
                .extract()
                .map_err(|_| type_error(var, "a str", &value))?;
            values.push((var, value));
        }
    }
    let env = |name: &str| {
        values
            .iter()
            .find(|(v, _)| *v == name)
            .map(|(_, value)| &**value)
    };
    let c = EnvConfig::from_env(&env);
    let ignored = EnvConfig::unknown_names(&env)
        .map(|u| (u.variable.to_owned(), u.name.to_owned()))
        .collect();
    Ok(Config::build(c.extract, c.inject, ignored))
}

/// Every propagator name, canonical spelling.
pub fn format_names() -> [&'static str; Format::COUNT] {
    Format::ALL.map(Format::name)
}
