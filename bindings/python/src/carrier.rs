//! Reading header lines out of Python objects: a dict, a list of pairs, or
//! anything with `items()` (`http.client.HTTPMessage`, `wsgiref.headers.Headers`,
//! multidicts). Names and values are `str`, UTF-8 `bytes` (ASGI), or, for a
//! value, a list/tuple of those (several lines of one header).
//!
//! Only the lines the configured formats read are kept ([`Wanted`]): a
//! request's other headers cost a length check (names are ASCII, so a name
//! whose length no wanted name has cannot match) or one name comparison, and
//! their values are never read (so their type does not matter). A kept line's
//! name is the core's [`Header`] (its text is dropped) or, for a prefixed
//! baggage header, the text as sent. [`Lines::add_to`] then fills the core's
//! [`Headers`] in place.
//!
//! Text is borrowed from the Python objects where the interpreter allows it
//! (one `bytes` object per string on CPython 3.9's stable ABI); text that is not
//! valid UTF-8 (lone surrogates, bad bytes) is replaced lossily, so the codecs
//! see it as present and invalid instead of the call failing.

use crate::errors::type_error;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};
use traceprop::propagator::Format;
use traceprop::{Carrier, Header, Headers};

/// One name or value, valid UTF-8.
enum Text {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
    Lossy(String),
}

impl Text {
    fn from_py(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Text> {
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Text::from_str(s));
        }
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            let b: PyBackedBytes = obj.extract()?;
            return Ok(match core::str::from_utf8(&b) {
                Ok(_) => Text::Bytes(b),
                Err(_) => Text::Lossy(String::from_utf8_lossy(&b).into_owned()),
            });
        }
        Err(type_error(what, "str or bytes", obj))
    }

    fn from_str(s: &Bound<'_, PyString>) -> Text {
        match PyBackedStr::try_from(s.clone()) {
            Ok(s) => Text::Str(s),
            Err(_) => Text::Lossy(s.to_string_lossy().into_owned()),
        }
    }

    fn clone_ref(&self, py: Python<'_>) -> Text {
        match self {
            Text::Str(s) => Text::Str(s.clone_ref(py)),
            Text::Bytes(b) => Text::Bytes(b.clone_ref(py)),
            Text::Lossy(s) => Text::Lossy(s.clone()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Text::Str(s) => s,
            // Checked to be UTF-8 when made.
            Text::Bytes(b) => core::str::from_utf8(b).unwrap_or_default(),
            Text::Lossy(s) => s,
        }
    }
}

/// The header names a configuration's formats read.
#[derive(Clone, Copy)]
pub struct Wanted {
    headers: [bool; Header::COUNT],
    /// Bit `n` is set when a wanted header name is `n` bytes long.
    lengths: u64,
    prefixes: [Option<&'static str>; 2],
}

impl Wanted {
    /// The names `formats` read ([`Format::headers`], [`Format::baggage_prefix`]).
    pub fn new(formats: &[Format]) -> Self {
        let mut w = Wanted {
            headers: [false; Header::COUNT],
            lengths: 0,
            prefixes: [None; 2],
        };
        for f in formats {
            for &h in f.headers() {
                w.headers[h as usize] = true;
                w.lengths |= 1u64.checked_shl(h.name().len() as u32).unwrap_or(0);
            }
            if let Some(p) = f.baggage_prefix() {
                if let Some(slot) = w.prefixes.iter_mut().find(|s| s.is_none_or(|s| s == p)) {
                    *slot = Some(p);
                }
            }
        }
        w
    }

    /// Whether a name of `len` characters can be wanted (a false positive is
    /// fine: [`Wanted::wants`] decides).
    fn may_want_len(&self, len: usize) -> bool {
        let known = u32::try_from(len)
            .ok()
            .and_then(|n| 1u64.checked_shl(n))
            .is_some_and(|bit| self.lengths & bit != 0);
        known || self.prefixes.iter().flatten().any(|p| len > p.len())
    }

    /// The name `name` stands for, when the configuration reads it.
    fn name(&self, name: Text) -> Option<Name> {
        let s = name.as_str();
        match Header::lookup(s) {
            Some(h) => self.headers[h as usize].then_some(Name::Known(h)),
            None => self
                .prefixes
                .iter()
                .flatten()
                .any(|p| {
                    s.get(..p.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(p))
                })
                .then_some(Name::Prefixed(name)),
        }
    }
}

/// A wanted line's name: a header the core knows (its text no longer
/// needed), or a prefixed baggage header (`uberctx-{key}`), kept as sent.
enum Name {
    Known(Header),
    Prefixed(Text),
}

impl Name {
    fn clone_ref(&self, py: Python<'_>) -> Name {
        match self {
            Name::Known(h) => Name::Known(*h),
            Name::Prefixed(t) => Name::Prefixed(t.clone_ref(py)),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Name::Known(h) => h.name(),
            Name::Prefixed(t) => t.as_str(),
        }
    }
}

/// The wanted header lines of one request, held while the core reads them.
pub struct Lines {
    lines: Vec<(Name, Text)>,
    wanted: Wanted,
}

/// Room for this many wanted lines is made once per request (a request
/// carries a few trace headers; more lines grow the list).
const LINES: usize = 8;

impl Lines {
    /// Reads every header line of `headers`.
    ///
    /// # Errors
    /// `TypeError` for an unsupported carrier, name or value type; `ValueError`
    /// for a pair that is not two items.
    pub fn from_py(headers: &Bound<'_, PyAny>, wanted: Wanted) -> PyResult<Lines> {
        let mut lines = Lines {
            lines: Vec::with_capacity(LINES),
            wanted,
        };
        if let Ok(dict) = headers.cast::<PyDict>() {
            for (name, value) in dict.iter() {
                lines.add(&name, &value)?;
            }
        } else if let Ok(list) = headers.cast::<PyList>() {
            for pair in list.iter() {
                lines.add_pair(&pair)?;
            }
        } else if let Ok(tuple) = headers.cast::<PyTuple>() {
            for pair in tuple.iter() {
                lines.add_pair(&pair)?;
            }
        } else if headers.is_instance_of::<PyString>()
            || headers.is_instance_of::<PyBytes>()
            || headers.is_instance_of::<PyByteArray>()
        {
            return Err(type_error(
                "headers",
                "a mapping or (name, value) pairs",
                headers,
            ));
        } else if let Some(items) = headers.getattr_opt(pyo3::intern!(headers.py(), "items"))? {
            for pair in items.call0()?.try_iter()? {
                lines.add_pair(&pair?)?;
            }
        } else {
            let iter = headers
                .try_iter()
                .map_err(|_| type_error("headers", "a mapping or (name, value) pairs", headers))?;
            for pair in iter {
                lines.add_pair(&pair?)?;
            }
        }
        Ok(lines)
    }

    fn add_pair(&mut self, pair: &Bound<'_, PyAny>) -> PyResult<()> {
        let pair = pair
            .cast::<PyTuple>()
            .map(|t| t.as_any().clone())
            .or_else(|_| pair.cast::<PyList>().map(|l| l.as_any().clone()))
            .map_err(|_| type_error("a header line", "a (name, value) pair", pair))?;
        if pair.len()? != 2 {
            return Err(PyValueError::new_err(
                "a header line must be a (name, value) pair",
            ));
        }
        self.add(&pair.get_item(0)?, &pair.get_item(1)?)
    }

    fn add(&mut self, name: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let name = match name.cast::<PyString>() {
            Ok(s) if !self.wanted.may_want_len(s.code_point_len()?) => return Ok(()),
            Ok(s) => Text::from_str(s),
            Err(_) => Text::from_py(name, "a header name")?,
        };
        let Some(name) = self.wanted.name(name) else {
            return Ok(());
        };
        if let Ok(s) = value.cast::<PyString>() {
            self.lines.push((name, Text::from_str(s)));
        } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            for line in value.try_iter()? {
                let line = Text::from_py(&line?, "a header value")?;
                self.lines.push((name.clone_ref(value.py()), line));
            }
        } else {
            self.lines
                .push((name, Text::from_py(value, "a header value")?));
        }
        Ok(())
    }

    /// Adds every line to `h`, in order.
    pub fn add_to<'a>(&'a self, h: &mut Headers<'a>) {
        for (name, value) in &self.lines {
            h.add(name.as_str(), value.as_str());
        }
    }
}

impl<'a> Carrier<'a> for &'a Lines {
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        for (name, value) in &self.lines {
            f(name.as_str(), value.as_str());
        }
    }
}
