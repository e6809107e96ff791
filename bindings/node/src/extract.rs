//! Extraction: the compact record every extract returns, and the details
//! fetched only when read.

use napi::bindgen_prelude::{Either, Either3};
use napi_derive::napi;
use traceprop::propagator::{self, Extraction, Format};
use traceprop::w3c::{baggage, tracestate};
use traceprop::{xray, DatadogTags, Error, Writer};

use crate::carrier::{Input, Lines};
use crate::coded;
use crate::config::Key;

/// Record kind: a valid span context was found.
const CONTEXT: char = 'C';
/// Record kind: no span context, but baggage.
const BAGGAGE_ONLY: char = 'B';

/// Details bit: the baggage is not empty.
const HAS_BAGGAGE: u8 = 1;
/// Details bit: the context carries a sampling priority, origin or `_dd.p.*` tags.
const HAS_DATADOG: u8 = 2;
/// Details bit: the context carries extra X-Ray fields.
const HAS_XRAY: u8 = 4;
/// Details bit: the report says more than "one format matched" (another
/// format matched, one was rejected, or the tracestate was dropped).
const HAS_REPORT: u8 = 8;
/// Details bit: the context came from a SkyWalking `sw8` value.
const HAS_SW8: u8 = 16;

fn run<T>(
    key: f64,
    input: &Input,
    lines: u32,
    f: impl FnOnce(&Extraction<'_>) -> T,
) -> Result<T, Error> {
    let config = Key::config(key)?;
    let lines = Lines::new(input, lines)?;
    // Filled in place: returning an `Extraction` would copy its room.
    let mut x = Extraction::default();
    propagator::extract_into(&config, &lines, &mut x);
    Ok(f(&x))
}

/// Extracts with the packed configuration `key` and answers with one
/// record, or `""` when neither a context nor baggage was found:
///
/// | offset | field |
/// |---|---|
/// | 0 | `C` (context) or `B` (baggage only; the context fields are filler) |
/// | 1..33 | trace id, 32 lowercase hex |
/// | 33..49 | span id, 16 lowercase hex |
/// | 49 | sampled: `1`, `0`, or `-` for no decision |
/// | 50, 51 | debug, random: `1` or `0` |
/// | 52 | the winning format: `a` + its index in `Format::ALL` |
/// | 53 | `@` + the details bits (baggage 1, Datadog 2, X-Ray 4, report 8, SkyWalking 16) |
/// | 54.. | the tracestate, canonical, empty when none |
///
/// With baggage, the record goes on with `NUL {key} NUL {decoded value} NUL
/// {canonical properties}` per member: one string costs far less to create
/// than an array of them. A decoded value holding NUL itself (from `%00`)
/// would make that ambiguous, so then the answer is an array instead: the
/// record, then key, value and properties per member.
///
/// Errors (as codes): `malformed` when `input` does not hold `lines` lines
/// (retry with the array form), `unknown_propagator` for a foreign key.
#[napi]
pub fn extract(
    key: f64,
    input: Either<String, Vec<String>>,
    lines: u32,
) -> Either3<String, Vec<String>, u32> {
    let answer = run(key, &input, lines, |x| {
        let Some(mut record) = record(x) else {
            return Either3::A(String::new());
        };
        let mut members = Vec::with_capacity(3 * x.baggage.len());
        for m in x.baggage.members() {
            push_member(&mut members, m);
        }
        if members.iter().any(|s| s.contains('\0')) {
            members.insert(0, record);
            return Either3::B(members);
        }
        for s in &members {
            record.push('\0');
            record.push_str(s);
        }
        Either3::A(record)
    });
    answer.unwrap_or_else(|e| Either3::C(e.code()))
}

fn record(x: &Extraction<'_>) -> Option<String> {
    let mut bits = 0;
    if !x.baggage.is_empty() {
        bits |= HAS_BAGGAGE;
    }
    if x.matched().len() > 1 || !x.rejected().is_empty() || x.tracestate_error.is_some() {
        bits |= HAS_REPORT;
    }
    let mut out = String::with_capacity(54 + tracestate::TRUNCATE_LEN);
    match (x.context, x.source) {
        (Some(ctx), Some(source)) => {
            if ctx.sampling_priority.is_some()
                || ctx.origin.is_some()
                || ctx.dd_tags != DatadogTags::None
            {
                bits |= HAS_DATADOG;
            }
            if !ctx.xray_extra.is_empty() {
                bits |= HAS_XRAY;
            }
            if !ctx.sw8.is_empty() {
                bits |= HAS_SW8;
            }
            out.push(CONTEXT);
            out.push_str(&ctx.trace_id.to_hex());
            out.push_str(&ctx.span_id.to_hex());
            out.push(match ctx.sampled {
                Some(true) => '1',
                Some(false) => '0',
                None => '-',
            });
            out.push(if ctx.debug { '1' } else { '0' });
            out.push(if ctx.random { '1' } else { '0' });
            out.push(char::from(b'a' + format_index(source)));
        }
        _ if bits & HAS_BAGGAGE != 0 => {
            out.push(BAGGAGE_ONLY);
            out.extend(core::iter::repeat_n('0', 48));
            out.push_str("-00-");
        }
        _ => return None,
    }
    out.push(char::from(b'@' + bits));
    push_tracestate(&mut out, &x.tracestate);
    Some(out)
}

/// Appends the canonical tracestate. Almost every tracestate fits the
/// 512-character size the spec asks vendors to propagate, so that is tried
/// on the stack first; zeroing a [`tracestate::MAX_LEN`] (16 KiB) buffer on
/// every call would cost more than the whole extraction.
fn push_tracestate(out: &mut String, ts: &traceprop::TraceState<'_>) {
    if ts.is_empty() {
        return;
    }
    let mut small = [0u8; tracestate::TRUNCATE_LEN];
    if let Ok(n) = ts.encode(&mut small) {
        push_ascii(out, &small, n);
    } else {
        let mut large = vec![0u8; tracestate::MAX_LEN];
        let n = ts.encode(&mut large).unwrap_or(0);
        push_ascii(out, &large, n);
    }
}

fn push_ascii(out: &mut String, buf: &[u8], n: usize) {
    out.push_str(core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default());
}

fn format_index(f: Format) -> u8 {
    Format::ALL
        .iter()
        .position(|x| *x == f)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

/// A format that yielded a valid context.
#[napi(object, object_from_js = false)]
pub struct Match {
    /// The format name.
    pub format: &'static str,
    /// Its trace id.
    pub trace_id: String,
    /// Its span id.
    pub span_id: String,
}

/// A format whose headers were present but invalid.
#[napi(object, object_from_js = false)]
pub struct Rejection {
    /// The format name.
    pub format: &'static str,
    /// Why: the core error name.
    pub code: &'static str,
}

/// What the record leaves out, baggage aside ([`baggage`]).
#[napi(object, object_from_js = false)]
pub struct Details {
    /// Datadog's sampling priority.
    pub sampling_priority: Option<i32>,
    /// Datadog's origin.
    pub origin: Option<String>,
    /// The carried `_dd.p.*` tags, as received.
    pub datadog_tags: Option<String>,
    /// Where the tags came from: `header` (`x-datadog-tags` syntax) or
    /// `tracestate` (the `dd` member's `t.*` syntax).
    pub datadog_tags_syntax: Option<&'static str>,
    /// The X-Ray fields other than Root, Parent and Sampled, verbatim, joined
    /// by `;`.
    pub xray_extra: Option<String>,
    /// The SkyWalking `sw8` value the context was extracted from, verbatim.
    pub sw8: Option<String>,
    /// The winning format.
    pub source: Option<&'static str>,
    /// Every format that yielded a valid context, in list order.
    pub matched: Vec<Match>,
    /// Whether the matched formats disagree on the trace id.
    pub conflict: bool,
    /// Every format whose headers were present but invalid.
    pub rejections: Vec<Rejection>,
    /// Why a present tracestate was dropped (core error name).
    pub tracestate_error: Option<&'static str>,
}

/// The fields [`extract`]'s record leaves out, for the same input.
#[napi]
pub fn details(key: f64, input: Either<String, Vec<String>>, lines: u32) -> Either<Details, u32> {
    coded(run(key, &input, lines, details_of))
}

fn details_of(x: &Extraction<'_>) -> Details {
    let ctx = x.context.unwrap_or_default();
    let (datadog_tags, datadog_tags_syntax) = match ctx.dd_tags {
        DatadogTags::None => (None, None),
        DatadogTags::Header(raw) => (Some(raw.to_owned()), Some("header")),
        DatadogTags::TraceState(raw) => (Some(raw.to_owned()), Some("tracestate")),
    };
    Details {
        sampling_priority: ctx.sampling_priority,
        origin: ctx.origin.map(|t| t.to_string()),
        datadog_tags,
        datadog_tags_syntax,
        xray_extra: Some(
            xray::extra_fields(ctx.xray_extra)
                .collect::<Vec<_>>()
                .join(";"),
        )
        .filter(|s| !s.is_empty()),
        sw8: Some(ctx.sw8).filter(|s| !s.is_empty()).map(str::to_owned),
        source: x.source.map(Format::name),
        matched: x
            .matched()
            .iter()
            .map(|(f, c)| Match {
                format: f.name(),
                trace_id: c.trace_id.to_hex().as_str().to_owned(),
                span_id: c.span_id.to_hex().as_str().to_owned(),
            })
            .collect(),
        conflict: x.conflict(),
        rejections: x
            .rejected()
            .iter()
            .map(|r| Rejection {
                format: r.format.name(),
                code: r.error.name(),
            })
            .collect(),
        tracestate_error: x.tracestate_error.map(Error::name),
    }
}

fn push_member(out: &mut Vec<String>, m: &baggage::Member<'_>) {
    let mut value = vec![0u8; m.value.raw().len()];
    let mut props = vec![0u8; m.properties.len()];
    let mut w = Writer::new(&mut props);
    // Canonical properties are never longer than the raw ones, and a decoded
    // value never longer than its raw form: neither write can run short.
    let _ = m.write_properties(&mut w);
    out.push(m.key.to_owned());
    out.push(
        m.value
            .decode_into(&mut value)
            .unwrap_or_default()
            .to_owned(),
    );
    out.push(String::from_utf8_lossy(w.written()).into_owned());
}

/// `value` parsed as a tracestate and truncated to at most `max_len`
/// characters by the W3C rule (entries over 128 characters first, then from
/// the right, whole entries only), for a consumer with a size limit (the
/// OpenTelemetry JS `TraceState` holds at most 512). Errors as the parse.
#[napi]
pub fn truncate_tracestate(value: String, max_len: u32) -> Either<String, u32> {
    coded(traceprop::TraceState::parse(&value).map(|mut ts| {
        ts.truncate(usize::try_from(max_len).unwrap_or(usize::MAX));
        let mut out = String::new();
        push_tracestate(&mut out, &ts);
        out
    }))
}
