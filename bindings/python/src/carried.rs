//! What a context carries besides ids and flags, owned: the core's types
//! borrow from the request, so the pieces kept are copied into one text
//! buffer, with the range of each, at extraction. On inject they are lent
//! back to the core in place ([`Carried::lend`]): nothing is split or parsed
//! again, and the core's large lists are filled where they lie, never moved.
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
use traceprop::{Baggage, DatadogTags, Error, Propagation, TraceState};

/// Which spelling the carried Datadog tags arrived in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagsSpelling {
    Header,
    TraceState,
}

/// A tracestate or baggage member, its text kept in [`Carried::text`].
#[derive(Clone)]
struct Entry {
    key: Range<usize>,
    /// The value (a baggage value as received, in `encoding`).
    value: Range<usize>,
    encoding: Encoding,
    /// Baggage properties (empty for a tracestate member).
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
    /// The SkyWalking `sw8` value the context came from, so that a SkyWalking
    /// hop keeps SkyWalking's own trace id and fields.
    sw8: Range<usize>,
    /// The tracestate members (the first `tracestate_len`), then the baggage
    /// members, in order: one list, one allocation.
    entries: Vec<Entry>,
    tracestate_len: usize,
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

    fn tracestate_entries(&self) -> &[Entry] {
        self.entries.get(..self.tracestate_len).unwrap_or_default()
    }

    fn baggage_entries(&self) -> &[Entry] {
        self.entries.get(self.tracestate_len..).unwrap_or_default()
    }

    /// The entry of a tracestate member.
    fn ts_entry(&mut self, m: &tracestate::Member<'_>) -> Entry {
        Entry {
            key: self.keep(m.key),
            value: self.keep(m.value),
            encoding: Encoding::Raw,
            properties: 0..0,
        }
    }

    /// The entry of a baggage member.
    fn baggage_entry(&mut self, m: &Member<'_>) -> Entry {
        Entry {
            key: self.keep(m.key),
            value: self.keep(m.value.raw()),
            encoding: m.value.encoding(),
            properties: self.keep(m.properties),
        }
    }

    /// Copies what an extraction carries: the winning context's Datadog and
    /// X-Ray fields, the tracestate members and the baggage members.
    fn from_extraction(x: &Extraction<'_>) -> Self {
        let (origin, dd_tags, xray_extra, sw8) = x
            .context
            .as_ref()
            .map_or((None, DatadogTags::None, "", ""), |c| {
                (c.origin, c.dd_tags, c.xray_extra, c.sw8)
            });
        let tags = match dd_tags {
            DatadogTags::None => None,
            DatadogTags::Header(t) => Some((TagsSpelling::Header, t)),
            DatadogTags::TraceState(t) => Some((TagsSpelling::TraceState, t)),
        };
        let (ts, bag) = (x.tracestate.members(), x.baggage.members());
        // Sized once: the text and the entries are one allocation each.
        let text_len = origin.map_or(0, |o| o.raw().len())
            + tags.map_or(0, |(_, t)| t.len())
            + xray_extra.len()
            + sw8.len()
            + ts.iter()
                .map(|m| m.key.len() + m.value.len())
                .sum::<usize>()
            + bag
                .iter()
                .map(|m| m.key.len() + m.value.raw().len() + m.properties.len())
                .sum::<usize>();
        let mut c = Carried {
            text: String::with_capacity(text_len),
            entries: Vec::with_capacity(ts.len() + bag.len()),
            tracestate_len: ts.len(),
            ..Carried::default()
        };
        c.origin = origin.map(|o| (c.keep(o.raw()), o.is_tracestate()));
        c.dd_tags = tags.map(|(spelling, t)| (spelling, c.keep(t)));
        c.xray_extra = c.keep(xray_extra);
        c.sw8 = c.keep(sw8);
        for m in ts {
            let e = c.ts_entry(m);
            c.entries.push(e);
        }
        for m in bag {
            let e = c.baggage_entry(m);
            c.entries.push(e);
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

    /// Replaces the tracestate members with those of `state`.
    fn keep_tracestate(&mut self, state: &TraceState<'_>) {
        let kept: Vec<Entry> = state.members().iter().map(|m| self.ts_entry(m)).collect();
        let old = self.tracestate_entries().len();
        self.tracestate_len = kept.len();
        self.entries.splice(..old, kept);
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
        let Some(ts) = ts else {
            self.keep_tracestate(&TraceState::EMPTY);
            return Ok(());
        };
        if let Ok(s) = ts.cast::<PyString>() {
            let s = s.to_cow()?;
            let state = TraceState::parse(&s).map_err(about(py, "tracestate"))?;
            self.keep_tracestate(&state);
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
        self.keep_tracestate(&state);
        Ok(())
    }

    /// Puts the tracestate members into `ts` (empty), in order.
    fn lend_tracestate<'a>(&'a self, ts: &mut TraceState<'a>) -> Result<(), Error> {
        // `put` moves a key to the front: putting in reverse keeps the order.
        for e in self.tracestate_entries().iter().rev() {
            ts.put(self.get(&e.key), self.get(&e.value))?;
        }
        Ok(())
    }

    /// The tracestate.
    ///
    /// # Errors
    /// Never for kept members (they were valid when kept).
    pub fn tracestate(&self) -> Result<TraceState<'_>, Error> {
        let mut ts = TraceState::EMPTY;
        self.lend_tracestate(&mut ts)?;
        Ok(ts)
    }

    /// The tracestate members as `(key, value)` pairs, in order.
    pub fn tracestate_members<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.tracestate_entries()
                .iter()
                .map(|e| (self.get(&e.key), self.get(&e.value))),
        )
    }

    /// Sets the baggage from a mapping of decoded values, or `(key, value)` /
    /// `(key, value, properties)` tuples, or `BaggageMember`s (`None`: none).
    ///
    /// # Errors
    /// `TracepropError` past the baggage limits, `TypeError` for a bad type.
    pub fn set_baggage(&mut self, py: Python<'_>, b: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.entries.truncate(self.tracestate_len);
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
            let e = self.baggage_entry(m);
            self.entries.push(e);
        }
        Ok(())
    }

    fn member_value(&self, e: &Entry) -> String {
        let raw = self.get(&e.value);
        let mut buf = vec![0u8; raw.len()];
        Value::new(raw, e.encoding)
            .and_then(|v| v.decode_into(&mut buf).map(str::to_owned))
            .unwrap_or_default()
    }

    /// The baggage members as `BaggageMember`s, in order.
    pub fn baggage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let members = self
            .baggage_entries()
            .iter()
            .map(|e| {
                let member = BaggageMember::new(
                    self.get(&e.key).to_owned(),
                    self.member_value(e),
                    self.get(&e.properties).to_owned(),
                );
                Bound::new(py, member)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, members)
    }

    /// The decoded baggage value of `key`.
    pub fn baggage_value(&self, key: &str) -> Option<String> {
        self.baggage_entries()
            .iter()
            .find(|e| self.get(&e.key) == key)
            .map(|e| self.member_value(e))
    }

    /// How many baggage members.
    pub fn baggage_len(&self) -> usize {
        self.baggage_entries().len()
    }

    /// Lends everything carried here to `p` (a fresh [`Propagation::new`]),
    /// in place: `p`'s tracestate and baggage are large, so they are filled
    /// where they lie rather than built and moved.
    ///
    /// # Errors
    /// A kept field the core no longer accepts (cannot happen: each was
    /// checked when kept).
    pub fn lend<'a>(&'a self, p: &mut Propagation<'a>) -> Result<(), Error> {
        p.context.origin = self.origin.as_ref().map(|(r, tilde)| {
            if *tilde {
                Text::from_tracestate(self.get(r))
            } else {
                Text::new(self.get(r))
            }
        });
        p.context.dd_tags = match &self.dd_tags {
            None => DatadogTags::None,
            Some((TagsSpelling::Header, r)) => DatadogTags::Header(self.get(r)),
            Some((TagsSpelling::TraceState, r)) => DatadogTags::TraceState(self.get(r)),
        };
        p.context.xray_extra = self.xray_extra();
        p.context.sw8 = self.get(&self.sw8);
        self.lend_tracestate(&mut p.tracestate)?;
        for e in self.baggage_entries() {
            p.baggage.push(Member {
                key: self.get(&e.key),
                value: Value::new(self.get(&e.value), e.encoding)?,
                properties: self.get(&e.properties),
            })?;
        }
        Ok(())
    }
}

/// What extraction reports besides the winning context. Inline lists (a
/// configuration names each format once): no allocation per extraction.
#[derive(Clone, Default)]
pub struct Report {
    source: Option<Format>,
    matched: [Option<Format>; Format::COUNT],
    conflict: bool,
    rejections: [Option<(Format, Error)>; Format::COUNT],
    tracestate_error: Option<Error>,
}

impl Report {
    fn from_extraction(x: &Extraction<'_>) -> Self {
        let mut r = Report {
            source: x.source,
            conflict: x.conflict(),
            tracestate_error: x.tracestate_error,
            ..Report::default()
        };
        for (slot, (f, _)) in r.matched.iter_mut().zip(x.matched()) {
            *slot = Some(*f);
        }
        for (slot, rejection) in r.rejections.iter_mut().zip(x.rejected()) {
            *slot = Some((rejection.format, rejection.error));
        }
        r
    }

    /// The propagator whose context won.
    pub fn source(&self) -> Option<&'static str> {
        self.source.map(Format::name)
    }

    /// Every propagator that found a valid context, in configuration order.
    pub fn matched<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let names: Vec<&str> = self.matched.iter().flatten().map(|f| f.name()).collect();
        PyTuple::new(py, names)
    }

    /// Whether two matched propagators disagree on the trace id.
    pub fn conflict(&self) -> bool {
        self.conflict
    }

    /// `(propagator, error kind)` for every present but invalid format.
    pub fn rejections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let pairs: Vec<(&str, &str)> = self
            .rejections
            .iter()
            .flatten()
            .map(|(f, e)| (f.name(), e.name()))
            .collect();
        PyTuple::new(py, pairs)
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
    pub fn from_extraction(x: &Extraction<'_>) -> Self {
        Shared {
            carried: Carried::from_extraction(x),
            report: Report::from_extraction(x),
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
