//! Trace and span id arguments (hex `str`, big-endian `bytes`, or `int`) and
//! the id conversion functions, each a call into `traceprop::{TraceId, SpanId}`.

use crate::errors::{about, error, type_error};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString};
use traceprop::{Error, SpanId, TraceId};

/// An int argument of type `T`; out of range is `TracepropError(out_of_range)`.
pub fn int_arg<'py, T>(py: Python<'py>, obj: &Bound<'py, PyAny>, what: &str) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(type_error(what, "an int", obj));
    }
    obj.extract::<T>()
        .map_err(|_| error(py, what, Error::OutOfRange))
}

/// A non-zero trace id: 32 lowercase hex digits, 16 bytes, or an int.
pub fn trace_id_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<TraceId> {
    let id = if let Ok(s) = obj.cast::<PyString>() {
        TraceId::from_hex(&s.to_cow()?).map_err(about(py, "trace_id"))?
    } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        let bytes: Vec<u8> = obj.extract()?;
        let bytes: [u8; 16] = bytes
            .try_into()
            .map_err(|_| error(py, "trace_id", Error::InvalidLength))?;
        TraceId::from_bytes(bytes)
    } else if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        TraceId::from_u128(int_arg::<u128>(py, obj, "trace_id")?)
    } else {
        return Err(type_error("trace_id", "str, bytes or int", obj));
    };
    if id.is_valid() {
        Ok(id)
    } else {
        Err(error(py, "trace_id", Error::ZeroId))
    }
}

/// A non-zero span id: 16 lowercase hex digits, 8 bytes, or an int.
pub fn span_id_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SpanId> {
    let id = if let Ok(s) = obj.cast::<PyString>() {
        SpanId::from_hex(&s.to_cow()?).map_err(about(py, "span_id"))?
    } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        let bytes: Vec<u8> = obj.extract()?;
        let bytes: [u8; 8] = bytes
            .try_into()
            .map_err(|_| error(py, "span_id", Error::InvalidLength))?;
        SpanId::from_bytes(bytes)
    } else if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        SpanId::from_u64(int_arg::<u64>(py, obj, "span_id")?)
    } else {
        return Err(type_error("span_id", "str, bytes or int", obj));
    };
    if id.is_valid() {
        Ok(id)
    } else {
        Err(error(py, "span_id", Error::ZeroId))
    }
}

/// The trace id as 32 lowercase hex digits.
#[pyfunction]
pub fn trace_id_to_hex(py: Python<'_>, trace_id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(trace_id_arg(py, trace_id)?.to_hex().as_str().to_owned())
}

/// The span id as 16 lowercase hex digits.
#[pyfunction]
pub fn span_id_to_hex(py: Python<'_>, span_id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(span_id_arg(py, span_id)?.to_hex().as_str().to_owned())
}

/// A 16- or 32-digit lowercase hex trace id (B3, OT), left-padded to 32.
#[pyfunction]
pub fn trace_id_from_short_hex(py: Python<'_>, hex: PyBackedStr) -> PyResult<String> {
    let id = TraceId::from_hex_short(&hex).map_err(about(py, "trace_id"))?;
    Ok(id.to_hex().as_str().to_owned())
}

/// The low 64 bits as 16 hex digits: what a 64-bit-only field carries (the
/// high half is dropped on purpose; see `trace_id_to_u64` to refuse instead).
#[pyfunction]
pub fn trace_id_low_hex(py: Python<'_>, trace_id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(trace_id_arg(py, trace_id)?.low_hex().as_str().to_owned())
}

/// The trace id as a 64-bit int; `TracepropError(truncation)` when the high
/// 64 bits are not zero.
#[pyfunction]
pub fn trace_id_to_u64(py: Python<'_>, trace_id: &Bound<'_, PyAny>) -> PyResult<u64> {
    trace_id_arg(py, trace_id)?
        .to_u64()
        .map_err(about(py, "trace_id"))
}

/// Datadog's encoding: `(decimal low 64 bits, _dd.p.tid or None)`.
#[pyfunction]
pub fn trace_id_to_datadog(
    py: Python<'_>,
    trace_id: &Bound<'_, PyAny>,
) -> PyResult<(String, Option<String>)> {
    let (decimal, tid) = trace_id_arg(py, trace_id)?.to_datadog();
    Ok((
        decimal.as_str().to_owned(),
        tid.map(|t| t.as_str().to_owned()),
    ))
}

/// From Datadog's decimal trace id and optional `_dd.p.tid` (the high 64 bits).
#[pyfunction]
#[pyo3(signature = (decimal, tid = None))]
pub fn trace_id_from_datadog(
    py: Python<'_>,
    decimal: PyBackedStr,
    tid: Option<PyBackedStr>,
) -> PyResult<String> {
    let id = TraceId::from_datadog(&decimal, tid.as_deref()).map_err(about(py, "trace_id"))?;
    Ok(id.to_hex().as_str().to_owned())
}

/// The AWS X-Ray `Root` value, `1-{8 hex}-{24 hex}`.
#[pyfunction]
pub fn trace_id_to_xray(py: Python<'_>, trace_id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(trace_id_arg(py, trace_id)?
        .to_xray_root()
        .as_str()
        .to_owned())
}

/// From an AWS X-Ray `Root` value.
#[pyfunction]
pub fn trace_id_from_xray(py: Python<'_>, root: PyBackedStr) -> PyResult<String> {
    let id = TraceId::from_xray_root(&root).map_err(about(py, "xray root"))?;
    Ok(id.to_hex().as_str().to_owned())
}

/// The span id in decimal (Datadog parent id, Google Cloud span id).
#[pyfunction]
pub fn span_id_to_decimal(py: Python<'_>, span_id: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(span_id_arg(py, span_id)?.to_decimal().as_str().to_owned())
}

/// From a decimal span id (1 to 20 digits, at most 2^64-1, non-zero).
#[pyfunction]
pub fn span_id_from_decimal(py: Python<'_>, decimal: PyBackedStr) -> PyResult<String> {
    let id = SpanId::from_decimal(&decimal).map_err(about(py, "span_id"))?;
    Ok(id.to_hex().as_str().to_owned())
}
