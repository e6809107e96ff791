//! `traceprop._traceprop`: the compiled half of the Python package `traceprop`.
//!
//! A thin layer over the core: every function converts its arguments, makes
//! one call into `traceprop`, and maps the core's [`traceprop::Error`] to
//! `TracepropError` (a `ValueError` with a stable `kind`). No header is parsed
//! or written here.
//!
//! - `carrier`: header lines out of Python objects.
//! - `carried`: what a context owns (text, tracestate, baggage, report).
//! - `context`: `Context`, `Extraction`.
//! - `baggage`: `BaggageMember`.
//! - `config`: `Config`, `extract`, `inject`, `translate`, `config_from_env`.
//! - `ids`: id arguments and conversions.
//! - `errors`: `TracepropError`.
#![deny(unsafe_code)]

mod baggage;
mod carried;
mod carrier;
mod config;
mod context;
mod errors;
mod ids;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use traceprop::propagator::Format;
use traceprop::{Error, Header};

#[pymodule]
fn _traceprop(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TracepropError", py.get_type::<errors::TracepropError>())?;
    m.add_class::<context::Context>()?;
    m.add_class::<context::Extraction>()?;
    m.add_class::<baggage::BaggageMember>()?;
    m.add_class::<config::Config>()?;
    m.add_function(wrap_pyfunction!(config::extract, m)?)?;
    m.add_function(wrap_pyfunction!(config::extract_all, m)?)?;
    m.add_function(wrap_pyfunction!(config::inject, m)?)?;
    m.add_function(wrap_pyfunction!(config::inject_into, m)?)?;
    m.add_function(wrap_pyfunction!(config::translate, m)?)?;
    m.add_function(wrap_pyfunction!(config::config_from_env, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_to_hex, m)?)?;
    m.add_function(wrap_pyfunction!(ids::span_id_to_hex, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_from_short_hex, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_low_hex, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_to_u64, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_to_datadog, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_from_datadog, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_to_xray, m)?)?;
    m.add_function(wrap_pyfunction!(ids::trace_id_from_xray, m)?)?;
    m.add_function(wrap_pyfunction!(ids::span_id_to_decimal, m)?)?;
    m.add_function(wrap_pyfunction!(ids::span_id_from_decimal, m)?)?;
    m.add("PROPAGATORS", PyTuple::new(py, config::format_names())?)?;
    m.add(
        "HEADERS",
        PyTuple::new(py, Header::ALL.iter().map(|h| h.name()))?,
    )?;
    m.add(
        "ERROR_KINDS",
        PyTuple::new(py, Error::ALL.iter().map(|e| e.name()))?,
    )?;
    m.add("ENV_VARS", PyTuple::new(py, config::ENV_VARS)?)?;
    let prefixes = Format::ALL.iter().filter_map(|f| f.baggage_prefix());
    m.add(
        "BAGGAGE_PREFIXES",
        PyTuple::new(py, prefixes.collect::<Vec<_>>())?,
    )?;
    Ok(())
}
