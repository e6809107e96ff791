//! Datadog's propagated `_dd.p.*` tags: the `x-datadog-tags` header grammar,
//! iteration over [`DatadogTags`] in either spelling, and the header encoder.
//!
//! Grammar (dd-trace-py `_tagset`, dd-trace-go `parsePropagatableTraceTags`):
//! `tag *( "," tag )`, `tag = key "=" value`, split at the first `=`; keys are
//! printable ASCII without space, `=` or `,`; values printable ASCII (space
//! allowed) without `,`; neither may be empty. SP/HTAB around a tag is
//! ignored. A header over 512 bytes ([`MAX_LEN`]) or with one malformed tag is
//! ignored whole (dd-trace-go / -py: `extract_max_size`, `decoding_error`).
//! Only `_dd.p.*` keys are carried (dd-trace-py filters the others out).

use super::Text;
use crate::carrier::trim_ows;
use crate::context::{DatadogTags, SpanContext};
use crate::{Error, Writer};

/// The longest `x-datadog-tags` value read or written
/// (`DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH`'s default, and dd-trace-go's cap).
pub const MAX_LEN: usize = 512;
/// The key prefix of propagated tags in the header spelling.
pub const HEADER_PREFIX: &str = "_dd.p.";
/// The key prefix of propagated tags in the tracestate `dd` spelling.
pub const TRACESTATE_PREFIX: &str = "t.";
/// The name (after the prefix) of the tag carrying the trace id's high half.
pub const TID: &str = "tid";

/// One propagated tag: its name after `_dd.p.` / `t.`, and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The name without its prefix (`dm` for `_dd.p.dm` and `t.dm`).
    pub name: &'a str,
    /// The value.
    pub value: Text<'a>,
}

/// Checks an `x-datadog-tags` value (trimmed by the caller) and borrows it.
///
/// ```
/// use traceprop::{datadog::tags, DatadogTags, Error};
/// assert_eq!(tags::parse("_dd.p.dm=-4"), Ok(DatadogTags::Header("_dd.p.dm=-4")));
/// assert_eq!(tags::parse("_dd.p.a=1,,_dd.p.b=2"), Err(Error::Malformed));
/// assert_eq!(tags::parse(&"x".repeat(513)), Err(Error::TooLong));
/// ```
///
/// # Errors
/// [`Error::Empty`], [`Error::TooLong`] (over [`MAX_LEN`] bytes),
/// [`Error::Malformed`] (an empty tag or one without `=`),
/// [`Error::InvalidKey`] or [`Error::InvalidValue`].
pub fn parse(value: &str) -> Result<DatadogTags<'_>, Error> {
    if value.is_empty() {
        return Err(Error::Empty);
    }
    if value.len() > MAX_LEN {
        return Err(Error::TooLong);
    }
    for tag in value.split(',') {
        let (key, val) = trim_ows(tag).split_once('=').ok_or(Error::Malformed)?;
        if key.is_empty() || !key.bytes().all(is_header_key_byte) {
            return Err(Error::InvalidKey);
        }
        if val.is_empty() || !val.bytes().all(is_header_value_byte) {
            return Err(Error::InvalidValue);
        }
    }
    Ok(DatadogTags::Header(value))
}

fn is_header_key_byte(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && b != b'=' && b != b','
}

fn is_header_value_byte(b: u8) -> bool {
    matches!(b, 0x20..=0x7e) && b != b','
}

impl<'a> DatadogTags<'a> {
    /// The carried `_dd.p.*` tags, in order, whatever their spelling. A header
    /// value that [`parse`] rejects yields none.
    ///
    /// ```
    /// use traceprop::DatadogTags;
    /// let h = DatadogTags::Header("_dd.p.dm=-4,foo=bar,_dd.p.usr.id=a=b");
    /// let names: Vec<_> = h.iter().map(|t| (t.name, t.value.to_string())).collect();
    /// assert_eq!(names, [("dm", "-4".to_owned()), ("usr.id", "a=b".to_owned())]);
    /// let ts = DatadogTags::TraceState("s:1;t.usr.id:a~b;o:rum");
    /// assert_eq!(ts.iter().next().unwrap().value, "a=b");
    /// assert_eq!(DatadogTags::Header("_dd.p.dm").iter().count(), 0);
    /// ```
    #[must_use]
    pub fn iter(&self) -> Tags<'a> {
        match *self {
            DatadogTags::None => Tags {
                fields: "".split(','),
                header: true,
            },
            DatadogTags::Header(raw) => header_tags(if parse(raw).is_ok() { raw } else { "" }),
            DatadogTags::TraceState(raw) => Tags {
                fields: raw.split(';'),
                header: false,
            },
        }
    }
}

/// The tags of an `x-datadog-tags` value [`parse`] accepted.
pub(crate) fn header_tags(checked: &str) -> Tags<'_> {
    Tags {
        fields: checked.split(','),
        header: true,
    }
}

/// The iterator of [`DatadogTags::iter`].
#[derive(Debug, Clone)]
pub struct Tags<'a> {
    fields: core::str::Split<'a, char>,
    header: bool,
}

impl<'a> Iterator for Tags<'a> {
    type Item = Tag<'a>;

    fn next(&mut self) -> Option<Tag<'a>> {
        for field in self.fields.by_ref() {
            let tag = if self.header {
                trim_ows(field)
                    .split_once('=')
                    .and_then(|(k, v)| Some((k.strip_prefix(HEADER_PREFIX)?, Text::new(v))))
            } else {
                field.split_once(':').and_then(|(k, v)| {
                    Some((k.strip_prefix(TRACESTATE_PREFIX)?, Text::from_tracestate(v)))
                })
            };
            match tag {
                Some((name, value)) if !name.is_empty() && !value.is_empty() => {
                    return Some(Tag { name, value });
                }
                _ => {}
            }
        }
        None
    }
}

/// Writes the `x-datadog-tags` value for `ctx`: its carried tags in order,
/// with `_dd.p.tid` re-derived from the trace id's high half (written in the
/// carried tid's place, else last; dropped when the high half is zero). A
/// carried tag whose name or value is not valid in the header is skipped. When
/// the value would exceed [`MAX_LEN`], the carried tags are dropped whole and
/// only `_dd.p.tid` is kept, so the trace id never loses bits. Returns the
/// length; 0 means "no header".
///
/// ```
/// use traceprop::{datadog::tags, DatadogTags, Error, SpanContext, SpanId, TraceId};
/// let mut ctx = SpanContext::new(TraceId::from_halves(0x640c_fd8d_0000_0000, 5), SpanId::from_u64(1));
/// ctx.dd_tags = DatadogTags::Header("_dd.p.tid=1111111111111111,_dd.p.dm=-4");
/// let mut buf = [0u8; tags::MAX_LEN];
/// let n = tags::encode(&ctx, &mut buf).unwrap();
/// assert_eq!(&buf[..n], b"_dd.p.tid=640cfd8d00000000,_dd.p.dm=-4");
/// assert_eq!(tags::encode(&ctx, &mut [0u8; 10]), Err(Error::BufferTooSmall));
/// ```
///
/// # Errors
/// [`Error::BufferTooSmall`] when `out` cannot hold the value.
pub fn encode(ctx: &SpanContext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    let tid = ctx.trace_id.to_datadog().1;
    let tid = tid.as_ref().map(|t| t.as_str());
    let mut buf = [0u8; MAX_LEN];
    let n = match write_header(ctx.dd_tags, tid, &mut buf) {
        Ok(n) => n,
        Err(_) => write_header(DatadogTags::None, tid, &mut buf)?,
    };
    let mut w = Writer::new(out);
    w.push(buf.get(..n).unwrap_or_default())?;
    Ok(n)
}

fn write_header(tags: DatadogTags<'_>, tid: Option<&str>, out: &mut [u8]) -> Result<usize, Error> {
    let mut w = Writer::new(out);
    let mut tid_written = false;
    for tag in tags.iter() {
        if tag.name == TID {
            if !tid_written {
                tid_written = true;
                if let Some(tid) = tid {
                    push_tag(&mut w, TID, Text::new(tid))?;
                }
            }
            continue;
        }
        let name_ok = tag.name.bytes().all(is_header_key_byte);
        let value_ok = tag.value.bytes().all(is_header_value_byte);
        if name_ok && value_ok {
            push_tag(&mut w, tag.name, tag.value)?;
        }
    }
    if let (false, Some(tid)) = (tid_written, tid) {
        push_tag(&mut w, TID, Text::new(tid))?;
    }
    Ok(w.len())
}

fn push_tag(w: &mut Writer<'_>, name: &str, value: Text<'_>) -> Result<(), Error> {
    if !w.is_empty() {
        w.push_byte(b',')?;
    }
    w.push_str(HEADER_PREFIX)?;
    w.push_str(name)?;
    w.push_byte(b'=')?;
    for b in value.bytes() {
        w.push_byte(b)?;
    }
    Ok(())
}
