//! Python binding (pyo3). Placeholder.
