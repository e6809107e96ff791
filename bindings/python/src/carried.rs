//! What a context carries besides ids and flags, owned: the core's types
//! borrow from the request, so the few pieces kept are copied into one text
//! buffer (plus offsets) and re-borrowed as the core's types when needed.
//! Also the extraction report.

use crate::baggage::BaggageMember;
use crate::errors::{about, error, type_error};
use core::ops::Range;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use traceprop::datadog::Text;
use traceprop::propagator::{Extraction, Format};
use traceprop::w3c::baggage::{Encoding, Member, Value};
use traceprop::w3c::tracestate;
use traceprop::{Baggage, DatadogTags, Error, Propagation, SpanContext, TraceState};

/// Which spelling the carried Datadog tags arrived in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagsSpelling {
    Header,
    TraceState,
}

/// One baggage member, its text kept in [`Carried::text`].
#[derive(Clone)]
struct CarriedMember {
    key: Range<usize>,
    raw: Range<usize>,
    encoding: Encoding,
    properties: Range<usize>,
}

/// Everything a context carries besides ids and flags.
#[derive(Clone, Default)]
pub struct Carried {
    text: String,
    /// The origin, and whether it is in the tracestate spelling (`~` for `=`).
    origin: Option<(Range<usize>, bool)>,
    dd_tags: Option<(TagsSpelling, Range<usize>)>,
    xray_extra: Range<usize>,
    /// Lines that parse ([`TraceState::parse_lines`]) into the tracestate.
    tracestate: Vec<Range<usize>>,
    baggage: Vec<CarriedMember>,
}

impl Carried {
    fn keep(&mut self, s: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    fn get(&self, r: &Range<usize>) -> &str {
        self.text.get(r.clone()).unwrap_or_default()
    }

    /// Copies what an extracted context carries; `tracestate_lines` are the
    /// request's tracestate lines, kept when the extraction kept the tracestate.
    fn from_extraction(x: &Extraction<'_>, tracestate_lines: &[&str]) -> Self {
        let mut c = Carried::default();
        if let Some(ctx) = &x.context {
            c.origin = ctx.origin.map(|o| (c.keep(o.raw()), o.is_tracestate()));
            c.dd_tags = match ctx.dd_tags {
                DatadogTags::None => None,
                DatadogTags::Header(t) => Some((TagsSpelling::Header, c.keep(t))),
                DatadogTags::TraceState(t) => Some((TagsSpelling::TraceState, c.keep(t))),
            };
            c.xray_extra = c.keep(ctx.xray_extra);
        }
        if !x.tracestate.is_empty() {
            c.tracestate = tracestate_lines.iter().map(|l| c.keep(l)).collect();
        }
        c.baggage.reserve(x.baggage.len());
        for m in x.baggage.members() {
            let member = CarriedMember {
                key: c.keep(m.key),
                raw: c.keep(m.value.raw()),
                encoding: m.value.encoding(),
                properties: c.keep(m.properties),
            };
            c.baggage.push(member);
        }
        c
    }

    /// Sets the Datadog origin (plain text).
    pub fn set_origin(&mut self, origin: Option<&str>) {
        self.origin = origin.map(|o| (self.keep(o), false));
    }

    /// Sets the Datadog tags from an `x-datadog-tags` value.
    pub fn set_dd_tags(&mut self, header: Option<&str>) {
        self.dd_tags = header.map(|t| (TagsSpelling::Header, self.keep(t)));
    }

    /// Sets the preserved X-Ray fields.
    pub fn set_xray_extra(&mut self, extra: &str) {
        self.xray_extra = self.keep(extra);
    }

    /// The preserved X-Ray fields, as received.
    pub fn xray_extra(&self) -> &str {
        self.get(&self.xray_extra)
    }

    /// Sets the tracestate from a header value or `(key, value)` pairs
    /// (`None`: no tracestate).
    ///
    /// # Errors
    /// `TracepropError` for an invalid tracestate, `TypeError` for a bad type.
    pub fn set_tracestate(
        &mut self,
        py: Python<'_>,
        ts: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.tracestate.clear();
        let Some(ts) = ts else { return Ok(()) };
        if let Ok(s) = ts.cast::<PyString>() {
            let s = s.to_cow()?;
            TraceState::parse(&s).map_err(about(py, "tracestate"))?;
            self.tracestate = vec![self.keep(&s)];
            return Ok(());
        }
        let pairs: Vec<(String, String)> = ts
            .try_iter()
            .map_err(|_| type_error("tracestate", "a str or (key, value) pairs", ts))?
            .map(|item| item?.extract::<(String, String)>())
            .collect::<PyResult<_>>()?;
        if pairs.len() > tracestate::MAX_MEMBERS {
            return Err(error(py, "tracestate", Error::TooManyMembers));
        }
        // `put` moves a key to the front: putting in reverse keeps the order,
        // and the first of two equal keys wins, as when parsing.
        let mut state = TraceState::EMPTY;
        for (k, v) in pairs.iter().rev() {
            state.put(k, v).map_err(about(py, "tracestate"))?;
        }
        let mut buf = vec![0u8; state.encoded_len()];
        let n = state.encode(&mut buf).map_err(about(py, "tracestate"))?;
        let encoded = core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default();
        if !encoded.is_empty() {
            self.tracestate = vec![self.keep(encoded)];
        }
        Ok(())
    }

    /// The tracestate, parsed again from the kept lines.
    ///
    /// # Errors
    /// Never for kept lines (they parsed when kept).
    pub fn tracestate(&self) -> Result<TraceState<'_>, Error> {
        let mut lines = [""; tracestate::MAX_MEMBERS];
        for (slot, r) in lines.iter_mut().zip(&self.tracestate) {
            *slot = self.get(r);
        }
        let n = self.tracestate.len().min(lines.len());
        TraceState::parse_lines(lines.get(..n).unwrap_or_default())
    }

    /// Sets the baggage from a mapping of decoded values, or `(key, value)` /
    /// `(key, value, properties)` tuples, or `BaggageMember`s (`None`: none).
    ///
    /// # Errors
    /// `TracepropError` past the baggage limits, `TypeError` for a bad type.
    pub fn set_baggage(&mut self, py: Python<'_>, b: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.baggage.clear();
        let Some(b) = b else { return Ok(()) };
        let items = if let Ok(d) = b.cast::<PyDict>() {
            d.items().into_any()
        } else if b.is_instance_of::<PyString>() {
            return Err(type_error("baggage", "a mapping or members", b));
        } else {
            match b.getattr_opt(pyo3::intern!(py, "items"))? {
                Some(items) => items.call0()?,
                None => b.clone(),
            }
        };
        let iter = items
            .try_iter()
            .map_err(|_| type_error("baggage", "a mapping or members", b))?;
        let mut members: Vec<(String, String, String)> = Vec::new();
        for item in iter {
            let item = item?;
            let member = if let Ok(m) = item.cast::<BaggageMember>() {
                m.get().parts()
            } else if let Ok((k, v)) = item.extract::<(String, String)>() {
                (k, v, String::new())
            } else if let Ok(t) = item.extract::<(String, String, String)>() {
                t
            } else {
                return Err(type_error(
                    "a baggage member",
                    "(key, value), (key, value, properties) or BaggageMember",
                    &item,
                ));
            };
            members.push(member);
        }
        // The core's list applies the limits and the one-value-per-key rule.
        let mut list = Baggage::EMPTY;
        for (key, value, properties) in &members {
            let value = Value::new(value, Encoding::Raw).map_err(about(py, "baggage value"))?;
            list.push(Member {
                key,
                value,
                properties,
            })
            .map_err(about(py, "baggage"))?;
        }
        for m in list.members() {
            let member = CarriedMember {
                key: self.keep(m.key),
                raw: self.keep(m.value.raw()),
                encoding: Encoding::Raw,
                properties: self.keep(m.properties),
            };
            self.baggage.push(member);
        }
        Ok(())
    }

    fn member_value(&self, m: &CarriedMember) -> String {
        let raw = self.get(&m.raw);
        let mut buf = vec![0u8; raw.len()];
        Value::new(raw, m.encoding)
            .and_then(|v| v.decode_into(&mut buf).map(str::to_owned))
            .unwrap_or_default()
    }

    /// The baggage members as `BaggageMember`s, in order.
    pub fn baggage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let members = self
            .baggage
            .iter()
            .map(|m| {
                let member = BaggageMember::new(
                    self.get(&m.key).to_owned(),
                    self.member_value(m),
                    self.get(&m.properties).to_owned(),
                );
                Bound::new(py, member)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, members)
    }

    /// The decoded baggage value of `key`.
    pub fn baggage_value(&self, key: &str) -> Option<String> {
        self.baggage
            .iter()
            .find(|m| self.get(&m.key) == key)
            .map(|m| self.member_value(m))
    }

    /// How many baggage members.
    pub fn baggage_len(&self) -> usize {
        self.baggage.len()
    }

    /// The core's view of `ctx` with everything carried here.
    ///
    /// # Errors
    /// A kept field the core no longer accepts (cannot happen: each was
    /// checked when kept).
    pub fn propagation<'a>(&'a self, mut ctx: SpanContext<'a>) -> Result<Propagation<'a>, Error> {
        ctx.origin = self.origin.as_ref().map(|(r, tilde)| {
            if *tilde {
                Text::from_tracestate(self.get(r))
            } else {
                Text::new(self.get(r))
            }
        });
        ctx.dd_tags = match &self.dd_tags {
            None => DatadogTags::None,
            Some((TagsSpelling::Header, r)) => DatadogTags::Header(self.get(r)),
            Some((TagsSpelling::TraceState, r)) => DatadogTags::TraceState(self.get(r)),
        };
        ctx.xray_extra = self.xray_extra();
        let mut p = Propagation::new(ctx);
        if !self.tracestate.is_empty() {
            p.tracestate = self.tracestate()?;
        }
        for m in &self.baggage {
            p.baggage.push(Member {
                key: self.get(&m.key),
                value: Value::new(self.get(&m.raw), m.encoding)?,
                properties: self.get(&m.properties),
            })?;
        }
        Ok(p)
    }
}

/// What extraction reports besides the winning context.
#[derive(Clone, Default)]
pub struct Report {
    source: Option<Format>,
    matched: Vec<Format>,
    conflict: bool,
    rejections: Vec<(Format, Error)>,
    tracestate_error: Option<Error>,
}

impl Report {
    /// The propagator whose context won.
    pub fn source(&self) -> Option<&'static str> {
        self.source.map(Format::name)
    }

    /// Every propagator that found a valid context, in configuration order.
    pub fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.matched.iter().map(|f| f.name()))
    }

    /// Whether two matched propagators disagree on the trace id.
    pub fn conflict(&self) -> bool {
        self.conflict
    }

    /// `(propagator, error kind)` for every present but invalid format.
    pub fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.rejections.iter().map(|(f, e)| (f.name(), e.name())),
        )
    }

    /// Why a present tracestate was dropped.
    pub fn tracestate_error(&self) -> Option<&'static str> {
        self.tracestate_error.map(Error::name)
    }
}

/// The immutable part of a context or an extraction, shared between them.
#[derive(Clone, Default)]
pub struct Shared {
    /// What is carried.
    pub carried: Carried,
    /// The extraction report (empty for a context made by the caller).
    pub report: Report,
}

impl Shared {
    /// Copies what `x` carries and reports out of the request.
    pub fn from_extraction(x: &Extraction<'_>, tracestate_lines: &[&str]) -> Self {
        Shared {
            carried: Carried::from_extraction(x, tracestate_lines),
            report: Report {
                source: x.source,
                matched: x.matched().iter().map(|(f, _)| *f).collect(),
                conflict: x.conflict(),
                rejections: x.rejected().iter().map(|r| (r.format, r.error)).collect(),
                tracestate_error: x.tracestate_error,
            },
        }
    }

    /// What a context made by the caller shares: `carried`, no report.
    pub fn made(carried: Carried) -> Self {
        Shared {
            carried,
            report: Report::default(),
        }
    }
}
