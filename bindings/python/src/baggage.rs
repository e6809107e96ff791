//! `BaggageMember`: one baggage member as Python sees it.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyTuple};
use traceprop::w3c::baggage::{Member, Value};

/// One baggage member: key, decoded value, and its properties.
#[pyclass(frozen, module = "traceprop")]
pub struct BaggageMember {
    key: String,
    value: String,
    properties: String,
}

impl BaggageMember {
    /// A member of a decoded value; `properties` as in the header.
    pub fn new(key: String, value: String, properties: String) -> Self {
        BaggageMember {
            key,
            value,
            properties,
        }
    }

    /// Key, decoded value and raw properties.
    pub fn parts(&self) -> (String, String, String) {
        (
            self.key.clone(),
            self.value.clone(),
            self.properties.clone(),
        )
    }

    /// The core's view of the properties (the value is not needed).
    fn member(&self) -> Member<'_> {
        Member {
            key: &self.key,
            value: Value::default(),
            properties: &self.properties,
        }
    }
}

#[pymethods]
impl BaggageMember {
    /// A member; `properties` as in the header (`"p1;p2=x"`).
    #[new]
    #[pyo3(signature = (key, value, properties = String::new()))]
    #[pyo3(text_signature = "(key, value, properties='')")]
    fn py_new(key: String, value: String, properties: String) -> Self {
        BaggageMember::new(key, value, properties)
    }

    /// The key.
    #[getter]
    fn key(&self) -> &str {
        &self.key
    }

    /// The decoded value.
    #[getter]
    fn value(&self) -> &str {
        &self.value
    }

    /// The properties as `(key, value-or-None)` pairs, trimmed.
    #[getter]
    fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let props: Vec<_> = self.member().properties().collect();
        PyTuple::new(py, props)
    }

    /// The properties in canonical header form (`p1;p2=x`), `""` when none.
    #[getter]
    fn properties_text(&self) -> PyResult<String> {
        let member = self.member();
        let mut buf = vec![0u8; self.properties.len()];
        let mut w = traceprop::Writer::new(&mut buf);
        member
            .write_properties(&mut w)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(String::from_utf8_lossy(w.written()).into_owned())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<BaggageMember>().is_ok_and(|o| {
            let o = o.get();
            o.key == self.key && o.value == self.value && o.properties == self.properties
        })
    }

    fn __hash__(&self) -> u64 {
        use core::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&self.key, &self.value, &self.properties).hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        if self.properties.is_empty() {
            format!("BaggageMember({:?}, {:?})", self.key, self.value)
        } else {
            format!(
                "BaggageMember({:?}, {:?}, {:?})",
                self.key, self.value, self.properties
            )
        }
    }
}
