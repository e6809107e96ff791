//! `TracepropError`: the one exception of the package, a `ValueError` whose
//! `kind` is the core's stable [`Error::name`] and `code` its [`Error::code`].

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use traceprop::Error;

pyo3::create_exception!(
    traceprop,
    TracepropError,
    PyValueError,
    "Invalid input for a traceprop call.\n\n`kind` is a stable snake_case name (`invalid_hex`, `zero_id`, ...)\nand `code` its stable number, the same in every binding."
);

/// A `TracepropError` for `kind`, saying which argument was wrong.
pub fn error(py: Python<'_>, what: &str, kind: Error) -> PyErr {
    let err = TracepropError::new_err(format!("{what}: {kind} ({})", kind.name()));
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = value.setattr(pyo3::intern!(py, "kind"), kind.name());
    let _ = value.setattr(pyo3::intern!(py, "code"), kind.code());
    err
}

/// A closure mapping a core error to a `TracepropError` about `what`.
pub fn about<'a>(py: Python<'a>, what: &'a str) -> impl Fn(Error) -> PyErr + 'a {
    move |kind| error(py, what, kind)
}

/// A `TypeError` naming the expected type.
pub fn type_error(what: &str, expected: &str, got: &Bound<'_, PyAny>) -> PyErr {
    let got = got
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{what} must be {expected}, not {got}"))
}
