//! Injection and translation: headers cross back as one
//! `"\n{name}\n{value}"` string.

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use traceprop::datadog::Text;
use traceprop::propagator;
use traceprop::w3c::baggage::{Encoding, Member, Value};
use traceprop::{Baggage, Error, Propagation, Sink, SpanContext, SpanId, TraceId};

use crate::carrier::Lines;
use crate::coded;
use crate::config::Key;

/// Flags bit: sampled.
const SAMPLED: u32 = 1;
/// Flags bit: the W3C random flag.
const RANDOM: u32 = 2;
/// Flags bit: debug.
const DEBUG: u32 = 4;
/// Flags bit: no sampling decision (overrides [`SAMPLED`]).
const DEFERRED: u32 = 8;
/// Flags bit: no span context, only baggage (the ids are ignored; trace
/// formats write nothing).
const NO_CONTEXT: u32 = 16;

/// Collects injected headers as `"\n{name}\n{value}"`, refusing any name or
/// value with CR, LF or NUL: no HTTP field may hold them, and a line feed
/// would split the string wrongly.
struct Joined {
    out: String,
    bad: bool,
}

impl Default for Joined {
    fn default() -> Self {
        // Room for a few headers (a traceparent line is 68 bytes) without
        // growing the string.
        Joined {
            out: String::with_capacity(256),
            bad: false,
        }
    }
}

impl Sink for Joined {
    fn set(&mut self, name: &str, value: &str) {
        let forbidden = |s: &str| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
        self.bad |= forbidden(name) || forbidden(value);
        self.out.push('\n');
        self.out.push_str(name);
        self.out.push('\n');
        self.out.push_str(value);
    }
}

impl Joined {
    fn finish(self) -> Result<String, Error> {
        if self.bad {
            Err(Error::InvalidValue)
        } else {
            Ok(self.out)
        }
    }
}

fn context<'a>(trace_id: &str, span_id: &str, flags: u32) -> Result<SpanContext<'a>, Error> {
    if flags & NO_CONTEXT != 0 {
        return Ok(SpanContext::default());
    }
    let mut ctx = SpanContext::new(TraceId::from_hex(trace_id)?, SpanId::from_hex(span_id)?);
    ctx.sampled = (flags & DEFERRED == 0).then_some(flags & SAMPLED != 0);
    ctx.random = flags & RANDOM != 0;
    ctx.debug = flags & DEBUG != 0;
    Ok(ctx)
}

fn write(key: f64, p: &Propagation<'_>) -> Result<String, Error> {
    let config = Key::config(key)?;
    let mut sink = Joined::default();
    propagator::inject(&config, p, &mut sink);
    sink.finish()
}

/// Injects a context with no tracestate, baggage or vendor fields. `ids` is
/// the 32-hex trace id followed by the 16-hex span id (one string converts
/// faster than two); `flags`: sampled 1, random 2, debug 4, deferred 8, no
/// context 16. Errors (as codes): the ids' parse errors, `invalid_value` for a
/// header that cannot be sent.
#[napi]
pub fn inject(key: f64, ids: String, flags: u32) -> Either<String, u32> {
    coded(
        ids.split_at_checked(32)
            .ok_or(Error::InvalidLength)
            .and_then(|(trace_id, span_id)| context(trace_id, span_id, flags))
            .and_then(|ctx| write(key, &Propagation::new(ctx))),
    )
}

/// The text fields of [`inject_full`]'s `texts`, in order; `""` is absent.
/// (An array crosses faster than an object: reading a named property
/// interns its name on every call.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    /// A W3C tracestate value.
    TraceState,
    /// Datadog's origin.
    Origin,
    /// Carried `_dd.p.*` tags.
    DatadogTags,
    /// `tracestate` when the tags are in the `dd` member's `t.*` syntax, else
    /// the `x-datadog-tags` syntax.
    DatadogTagsSyntax,
    /// Extra X-Ray fields, verbatim.
    XRayExtra,
    /// The SkyWalking `sw8` value the context was extracted from, verbatim
    /// (the core continues it: `traceprop::sw8::Sw8::encode_next`).
    Sw8,
}

fn text(texts: &[String], field: TextField) -> Option<&str> {
    texts
        .get(field as usize)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// [`inject`] with the optional parts: `texts` is `[tracestate, origin,
/// datadog tags, datadog tags syntax, x-ray extra, sw8]` (`""` for absent),
/// `baggage` is `[key, value, properties, …]` with values not encoded.
/// Baggage members past the limits are dropped whole (SEMANTICS §2); an
/// invalid tracestate is an error.
#[napi]
pub fn inject_full(
    key: f64,
    trace_id: String,
    span_id: String,
    flags: u32,
    texts: Vec<String>,
    sampling_priority: Option<i32>,
    baggage: Option<Vec<String>>,
) -> Either<String, u32> {
    use TextField::*;
    coded((|| {
        let mut ctx = context(&trace_id, &span_id, flags)?;
        ctx.sampling_priority = sampling_priority;
        ctx.origin = text(&texts, Origin).map(Text::new);
        ctx.dd_tags = match (text(&texts, DatadogTags), text(&texts, DatadogTagsSyntax)) {
            (None, _) => traceprop::DatadogTags::None,
            (Some(raw), Some("tracestate")) => traceprop::DatadogTags::TraceState(raw),
            (Some(raw), _) => traceprop::DatadogTags::Header(raw),
        };
        ctx.xray_extra = text(&texts, XRayExtra).unwrap_or("");
        ctx.sw8 = text(&texts, Sw8).unwrap_or("");
        let mut p = Propagation::new(ctx);
        if let Some(ts) = text(&texts, TraceState) {
            p.tracestate = traceprop::TraceState::parse(ts)?;
        }
        p.baggage = baggage_of(baggage.as_deref().unwrap_or_default());
        write(key, &p)
    })())
}

fn baggage_of(flat: &[String]) -> Baggage<'_> {
    let mut b = Baggage::EMPTY;
    for m in flat.chunks_exact(3) {
        if let [key, value, properties] = m {
            if let Ok(value) = Value::new(value, Encoding::Raw) {
                // Past the limits a member is dropped whole (SEMANTICS §2).
                let _ = b.push(Member {
                    key,
                    value,
                    properties,
                });
            }
        }
    }
    b
}

/// A gateway's step: extracts with `from` and injects the result with `to`
/// in one call; nothing is written when no valid context was found. Errors as
/// [`crate::extract::extract`] and [`inject`].
#[napi]
pub fn translate(
    from: f64,
    to: f64,
    input: Either<String, Vec<String>>,
    lines: u32,
) -> Either<String, u32> {
    coded((|| {
        let (from, to) = (Key::config(from)?, Key::config(to)?);
        let lines = Lines::new(&input, lines)?;
        let mut sink = Joined::default();
        propagator::translate(&from, &to, &lines, &mut sink);
        sink.finish()
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_headers_refuse_line_breaks() {
        let mut ok = Joined::default();
        ok.set("b3", "1");
        ok.set("tracestate", "a=1");
        assert_eq!(ok.finish().unwrap(), "\nb3\n1\ntracestate\na=1");
        for (name, value) in [("x", "a\nb"), ("x", "a\rb"), ("x", "a\0b"), ("a\nb", "v")] {
            let mut bad = Joined::default();
            bad.set(name, value);
            assert_eq!(
                bad.finish(),
                Err(Error::InvalidValue),
                "{name:?}: {value:?}"
            );
        }
    }

    #[test]
    fn flags_map_to_the_context() {
        let ctx = context(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            DEFERRED | SAMPLED | DEBUG,
        )
        .unwrap();
        assert_eq!((ctx.sampled, ctx.debug, ctx.random), (None, true, false));
        let ctx = context("", "", NO_CONTEXT).unwrap();
        assert!(!ctx.is_valid());
        assert_eq!(
            context("0", "00f067aa0ba902b7", 0).unwrap_err(),
            Error::InvalidLength
        );
    }
}
