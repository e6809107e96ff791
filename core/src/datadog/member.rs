//! The `dd` member of the W3C tracestate: `dd=s:2;o:rum;p:00f067aa0ba902b7;t.dm:-4`.
//!
//! Fields are `;`-separated `key:value` pairs, in any order (dd-trace-go
//! `parseTracestate`, dd-trace-py `_get_tracestate_values`): `s` sampling
//! priority, `o` origin, `p` the last Datadog parent span id (16 hex),
//! `t.<name>` the propagated tag `_dd.p.<name>`; `~` stands for `=` in values.
//!
//! When the member is written: see [`encode`] and [`inject_tracestate`].

use super::tags::{Tag, TID, TRACESTATE_PREFIX};
use super::{format_sampling_priority, parse_sampling_priority, Text};
use crate::buffer::as_text;
use crate::carrier::{Header, Sink};
use crate::context::{DatadogTags, Propagation, SpanContext};
use crate::w3c::tracestate::{self, TraceState, MAX_VALUE_LEN, TRUNCATE_LEN};
use crate::{Error, SpanId, Writer};

/// The tracestate key of Datadog's member.
pub const KEY: &str = "dd";
/// The longest member value written (a tracestate value's limit; dd-trace-go
/// caps the member at 256 characters too).
pub const MAX_LEN: usize = MAX_VALUE_LEN;

/// The fields of a `dd` member value. Unknown and malformed fields are
/// skipped; a repeated field keeps its first occurrence.
///
/// ```
/// use traceprop::{datadog::member::Member, DatadogTags};
/// let m = Member::parse("s:2;o:synthetics~browser;p:00f067aa0ba902b7;t.dm:-4");
/// assert_eq!(m.sampling_priority, Some(2));
/// assert_eq!(m.origin.unwrap(), "synthetics=browser");
/// assert_eq!(m.parent_id.unwrap().to_hex().as_str(), "00f067aa0ba902b7");
/// assert_eq!(m.tags.iter().next().unwrap().name, "dm");
/// let bad = Member::parse("s:high;p:xyz");
/// assert_eq!((bad.sampling_priority, bad.parent_id), (None, None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// `s`: the sampling priority.
    pub sampling_priority: Option<i32>,
    /// `o`: the origin, non-empty.
    pub origin: Option<Text<'a>>,
    /// `p`: the last Datadog parent span id.
    pub parent_id: Option<SpanId>,
    /// The `t.*` tags: [`DatadogTags::TraceState`] of the whole value.
    pub tags: DatadogTags<'a>,
}

impl<'a> Member<'a> {
    /// Reads the fields of a `dd` member value. Never fails: every field is
    /// optional, and a malformed one is dropped alone (SEMANTICS §0).
    #[must_use]
    pub fn parse(value: &'a str) -> Self {
        let mut m = Member {
            sampling_priority: None,
            origin: None,
            parent_id: None,
            tags: DatadogTags::TraceState(value),
        };
        for (key, v) in value.split(';').filter_map(|f| f.split_once(':')) {
            match key {
                "s" if m.sampling_priority.is_none() => {
                    m.sampling_priority = parse_sampling_priority(v).ok();
                }
                "o" if m.origin.is_none() && !v.is_empty() => {
                    m.origin = Some(Text::from_tracestate(v));
                }
                "p" if m.parent_id.is_none() => m.parent_id = SpanId::from_hex(v).ok(),
                _ => {}
            }
        }
        m
    }
}

/// Copies the `dd` member of `ts` into `ctx`, a context just extracted from
/// `traceparent`: origin, tags, and the sampling priority reconciled with the
/// sampled flag as every Datadog tracer does (the flag wins on disagreement):
///
/// | flag | `s` | priority |
/// |---|---|---|
/// | 1 | > 0 | `s` |
/// | 1 | <= 0, absent or malformed | 1 |
/// | 0 | <= 0 | `s` |
/// | 0 | > 0, absent or malformed | 0 |
///
/// Without a `dd` member, `ctx` is left as is.
///
/// ```
/// use traceprop::{datadog, SpanContext, SpanId, TraceId, TraceState};
/// let ts = TraceState::parse("dd=s:2;o:rum;t.dm:-4,congo=t61rcWkgMzE").unwrap();
/// let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(false));
/// datadog::apply_tracestate(&ts, &mut ctx);
/// assert_eq!(ctx.sampling_priority, Some(0)); // `s:2` contradicts flag 00
/// assert_eq!(ctx.origin.unwrap(), "rum");
/// let mut plain = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
/// datadog::apply_tracestate(&TraceState::parse("congo=1").unwrap(), &mut plain);
/// assert_eq!(plain.sampling_priority, None);
/// ```
pub fn apply_tracestate<'a>(ts: &TraceState<'a>, ctx: &mut SpanContext<'a>) {
    let Some(value) = ts.get(KEY) else {
        return;
    };
    let m = Member::parse(value);
    let sampled = ctx.is_sampled();
    ctx.sampling_priority = Some(match m.sampling_priority {
        Some(s) if (s > 0) == sampled => s,
        _ => i32::from(sampled),
    });
    ctx.origin = m.origin;
    ctx.dd_tags = m.tags;
}

/// Whether `ctx` carries Datadog state that `traceparent` cannot: a sampling
/// priority, an origin, or a propagated tag other than `_dd.p.tid` (which the
/// trace id already holds).
///
/// ```
/// use traceprop::{datadog::member, DatadogTags, SpanContext, SpanId, TraceId};
/// let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2));
/// ctx.dd_tags = DatadogTags::Header("_dd.p.tid=640cfd8d00000000");
/// assert!(!member::carries_datadog(&ctx));
/// ctx.sampling_priority = Some(1);
/// assert!(member::carries_datadog(&ctx));
/// ```
#[must_use]
pub fn carries_datadog(ctx: &SpanContext<'_>) -> bool {
    ctx.sampling_priority.is_some()
        || ctx.origin.is_some_and(|o| !o.is_empty())
        || (ctx.dd_tags != DatadogTags::None && carries_tags(ctx.dd_tags))
}

/// Whether `tags` hold one other than `tid`; out of line, as most contexts
/// carry no tags.
#[inline(never)]
fn carries_tags(tags: DatadogTags<'_>) -> bool {
    tags.iter().any(|t| t.name != TID)
}

/// Writes the `dd` member value for `ctx` into `out`; returns its length, 0
/// when [`carries_datadog`] is false (no member to write).
///
/// Fields, in dd-trace-go's order: `s:{priority}` when set; `o:{origin}`;
/// `p:{16 hex}`, which is the received `p` when the tags came from a `dd`
/// member (a pass-through keeps the last *Datadog* parent) and the context's
/// span id otherwise (the span is a Datadog span, as dd-trace writes it);
/// then `t.{name}:{value}` for every carried tag except `tid`. Values are
/// sanitised as dd-trace-go does: in values `=` becomes `~` and `,`, `;`,
/// `~` become `_` (a value received in the tracestate spelling keeps its
/// `~`); in tag names `=`, `,`, `;`, `:`, `~` become `_`; every run of bytes
/// outside `!`..`~` (space included, so no value ends in a space) becomes one
/// `_`. A field that would take the value past [`MAX_LEN`] is
/// skipped, as dd-trace-go skips tags past its 256-character cap.
///
/// ```
/// use traceprop::{datadog::{member, Text}, DatadogTags, Error, SpanContext, SpanId, TraceId};
/// let mut ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(0xf067aa0ba902b7));
/// ctx.sampling_priority = Some(2);
/// ctx.origin = Some(Text::new("synthetics=browser"));
/// ctx.dd_tags = DatadogTags::Header("_dd.p.dm=-4,_dd.p.tid=640cfd8d00000000");
/// let mut buf = [0u8; member::MAX_LEN];
/// let n = member::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"s:2;o:synthetics~browser;p:00f067aa0ba902b7;t.dm:-4");
/// assert_eq!(member::encode(&ctx, &mut [0u8; 8]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`] when `out` cannot hold the value.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !carries_datadog(ctx) {
        return Ok(0);
    }
    let mut buf = [0u8; MAX_LEN];
    let mut w = Writer::new(&mut buf);
    if let Some(s) = ctx.sampling_priority {
        field(&mut w, |w| {
            w.push_str("s:")?;
            w.push(format_sampling_priority(s).as_bytes())
        });
    }
    if let Some(origin) = ctx.origin.filter(|o| !o.is_empty()) {
        field(&mut w, |w| {
            w.push_str("o:")?;
            push_sanitized(w, origin, false)
        });
    }
    let parent = match ctx.dd_tags {
        DatadogTags::TraceState(raw) => Member::parse(raw).parent_id,
        DatadogTags::Header(_) | DatadogTags::None => Some(ctx.span_id),
    };
    if let Some(parent) = parent {
        field(&mut w, |w| {
            w.push_str("p:")?;
            w.push(parent.to_hex().as_bytes())
        });
    }
    for Tag { name, value } in ctx.dd_tags.iter().filter(|t| t.name != TID) {
        field(&mut w, |w| {
            w.push_str(TRACESTATE_PREFIX)?;
            push_sanitized(w, Text::new(name), true)?;
            w.push_byte(b':')?;
            push_sanitized(w, value, false)
        });
    }
    let n = w.len();
    let mut out = Writer::new(out);
    out.push(buf.get(..n).unwrap_or_default())?;
    Ok(n)
}

/// Appends one `;`-separated field, or nothing when it does not fit.
fn field(w: &mut Writer<'_>, write: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>) {
    let mark = w.len();
    let written = if mark > 0 { w.push_byte(b';') } else { Ok(()) }.and_then(|()| write(w));
    if written.is_err() {
        w.truncate(mark);
    }
}

/// Writes `text` in the `dd` member spelling (see [`encode`]).
fn push_sanitized(w: &mut Writer<'_>, text: Text<'_>, name: bool) -> Result<(), Error> {
    let mut in_run = false;
    for b in text.raw().bytes() {
        let out = match b {
            0x21..=0x7e => match b {
                b'~' if text.is_tracestate() && !name => b'~',
                b'=' if !name => b'~',
                b',' | b';' | b'~' | b'=' => b'_',
                b':' if name => b'_',
                _ => b,
            },
            _ if in_run => continue,
            _ => {
                in_run = true;
                w.push_byte(b'_')?;
                continue;
            }
        };
        in_run = false;
        w.push_byte(out)?;
    }
    Ok(())
}

/// Writes the `tracestate` header of `p` (called for `tracecontext` after
/// `traceparent`).
///
/// When the context [carries Datadog state](carries_datadog), the `dd` member
/// of [`encode`] replaces any received one at the front (W3C §Mutating: a
/// modified member moves left; every Datadog tracer writes `dd` first); the
/// right-most member beyond 32 is evicted, and when the header would exceed
/// 512 characters the *other* members are truncated as the spec orders
/// (entries over 128 characters first, then from the right), the `dd` member
/// never. Otherwise the tracestate is written unchanged, a received `dd`
/// member included.
///
/// ```
/// use traceprop::{datadog, Propagation, SpanContext, SpanId, TraceId, TraceState};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// let mut p = Propagation::new(ctx);
/// p.tracestate = TraceState::parse("congo=t61rcWkgMzE,dd=s:1").unwrap();
/// let mut out = Vec::new();
/// datadog::inject_tracestate(&p, &mut |k: &str, v: &str| out.push(v.to_owned())).unwrap();
/// assert_eq!(out, ["congo=t61rcWkgMzE,dd=s:1"]); // no Datadog state: unchanged
///
/// p.context.sampling_priority = Some(2);
/// out.clear();
/// datadog::inject_tracestate(&p, &mut |k: &str, v: &str| out.push(v.to_owned())).unwrap();
/// assert_eq!(out, ["dd=s:2;p:0000000000000002,congo=t61rcWkgMzE"]);
/// ```
///
/// # Errors
/// None in practice (the member is sanitised and the buffers sized); an
/// encoding error is passed on.
pub fn inject_tracestate(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    if !carries_datadog(&p.context) {
        return tracestate::inject(p, sink);
    }
    inject_with_member(p, sink)
}

/// [`inject_tracestate`] of a context that [carries Datadog
/// state](carries_datadog), out of line: the common case needs no buffer.
#[inline(never)]
fn inject_with_member(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut value = [0u8; MAX_LEN];
    let n = encode(&p.context, &mut value)?;
    if n == 0 {
        return tracestate::inject(p, sink);
    }
    let mut ts: TraceState<'_> = p.tracestate;
    ts.remove(KEY);
    // `dd=` + value, and the comma before the others.
    ts.truncate(TRUNCATE_LEN.saturating_sub(KEY.len() + 1 + n + 1));
    ts.put(KEY, as_text(&value, n))?;
    let mut buf = [0u8; TRUNCATE_LEN];
    let len = ts.encode(&mut buf)?;
    sink.set(Header::Tracestate.name(), as_text(&buf, len));
    Ok(())
}
