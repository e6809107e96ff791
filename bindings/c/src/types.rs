//! The `#[repr(C)]` value types of the ABI and their conversions to and from
//! the core's types.

use crate::ptr;
use crate::result::traceprop_result;
use core::ffi::c_char;
use traceprop::datadog::Text;
use traceprop::propagator::Format;
use traceprop::w3c::baggage::{self, Encoding};
use traceprop::w3c::tracestate;
use traceprop::{DatadogTags, SpanContext, SpanId, TraceId};

/// How many propagation formats there are (the size of the per-format arrays).
pub const TRACEPROP_FORMAT_COUNT: usize = 11;
/// The most tracestate members (W3C Trace Context §3.3.1).
pub const TRACEPROP_TRACESTATE_MAX_MEMBERS: usize = 32;
/// The most baggage members propagated (SEMANTICS §2).
pub const TRACEPROP_BAGGAGE_MAX_MEMBERS: usize = 180;
/// The longest encoded `baggage` value written.
pub const TRACEPROP_BAGGAGE_MAX_LEN: usize = 8192;
/// The length of an encoded `traceparent` (version 00).
pub const TRACEPROP_TRACEPARENT_LEN: usize = 55;
/// The length of a trace id in hex.
pub const TRACEPROP_TRACE_ID_HEX_LEN: usize = 32;
/// The length of a span id in hex (also of Datadog's `_dd.p.tid`).
pub const TRACEPROP_SPAN_ID_HEX_LEN: usize = 16;
/// The longest 64-bit decimal id (Datadog, Cloud Trace).
pub const TRACEPROP_DECIMAL_ID_MAX_LEN: usize = 20;
/// The length of an AWS X-Ray `Root` value.
pub const TRACEPROP_XRAY_ROOT_LEN: usize = 35;
/// How many header names the library reads (see `traceprop_header_name`).
pub const TRACEPROP_HEADER_COUNT: usize = 25;
/// How many header-name prefixes carry baggage (see `traceprop_header_prefix`).
pub const TRACEPROP_HEADER_PREFIX_COUNT: usize = 2;

const _: () = {
    assert!(TRACEPROP_FORMAT_COUNT == Format::COUNT);
    assert!(TRACEPROP_TRACESTATE_MAX_MEMBERS == tracestate::MAX_MEMBERS);
    assert!(TRACEPROP_BAGGAGE_MAX_MEMBERS == baggage::MAX_MEMBERS);
    assert!(TRACEPROP_BAGGAGE_MAX_LEN == baggage::MAX_LEN);
    assert!(TRACEPROP_TRACEPARENT_LEN == traceprop::w3c::traceparent::MAX_LEN);
    assert!(TRACEPROP_HEADER_COUNT == traceprop::Header::COUNT);
};

/// A borrowed, not NUL-terminated string: `len` bytes at `ptr`.
///
/// As input, `{NULL, 0}` is the empty string (or "absent" where a field says
/// so). As output, it points into the caller's input and is valid only as
/// long as that input; an empty present string is never NULL.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_str {
    /// The first byte.
    pub ptr: *const c_char,
    /// The length in bytes.
    pub len: usize,
}

impl traceprop_str {
    /// `{NULL, 0}`.
    pub(crate) const NONE: traceprop_str = traceprop_str {
        ptr: core::ptr::null(),
        len: 0,
    };

    /// A view of `s` (a static empty string when `s` is empty).
    pub(crate) fn of(s: &str) -> Self {
        if s.is_empty() {
            return traceprop_str {
                ptr: c"".as_ptr(),
                len: 0,
            };
        }
        traceprop_str {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    /// `{NULL, 0}` for `None`.
    pub(crate) fn of_option(s: Option<&str>) -> Self {
        s.map_or(traceprop_str::NONE, traceprop_str::of)
    }
}

/// A 128-bit trace id, big-endian.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct traceprop_trace_id {
    /// The bytes, most significant first.
    pub bytes: [u8; 16],
}

/// A 64-bit span id, big-endian.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct traceprop_span_id {
    /// The bytes, most significant first.
    pub bytes: [u8; 8],
}

impl From<TraceId> for traceprop_trace_id {
    fn from(id: TraceId) -> Self {
        traceprop_trace_id {
            bytes: id.to_bytes(),
        }
    }
}

impl From<traceprop_trace_id> for TraceId {
    fn from(id: traceprop_trace_id) -> Self {
        TraceId::from_bytes(id.bytes)
    }
}

impl From<SpanId> for traceprop_span_id {
    fn from(id: SpanId) -> Self {
        traceprop_span_id {
            bytes: id.to_bytes(),
        }
    }
}

impl From<traceprop_span_id> for SpanId {
    fn from(id: traceprop_span_id) -> Self {
        SpanId::from_bytes(id.bytes)
    }
}

/// The sampling decision (`traceprop_context.sampled`).
#[allow(non_camel_case_types)]
#[repr(i8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_sampled {
    /// No decision (deferred); formats without that state write "not sampled".
    TRACEPROP_SAMPLED_DEFERRED = -1,
    /// Not sampled.
    TRACEPROP_SAMPLED_NO = 0,
    /// Sampled.
    TRACEPROP_SAMPLED_YES = 1,
}

/// The syntax of `traceprop_context.dd_tags` (Datadog `_dd.p.*` tags).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_dd_tags {
    /// No tags.
    TRACEPROP_DD_TAGS_NONE = 0,
    /// An `x-datadog-tags` header value (`_dd.p.dm=-4,_dd.p.tid=…`).
    TRACEPROP_DD_TAGS_HEADER = 1,
    /// The `dd` tracestate member's value (`t.dm:-4;t.tid:…`).
    TRACEPROP_DD_TAGS_TRACESTATE = 2,
}

/// A span context: the union of every format's fields.
///
/// As input, integer fields holding an enum must hold one of its values, and
/// the views must be valid UTF-8.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_context {
    /// The trace id (64-bit ids are left-padded).
    pub trace_id: traceprop_trace_id,
    /// The span id of the caller (the parent of the next span).
    pub span_id: traceprop_span_id,
    /// A `traceprop_sampled` value.
    pub sampled: i8,
    /// Debug / force-sample (B3 `d`, `X-B3-Flags: 1`, Jaeger 0x02).
    pub debug: bool,
    /// The W3C Level 2 random-trace-id flag.
    pub random: bool,
    /// Whether `sampling_priority` holds a Datadog sampling priority.
    pub has_sampling_priority: bool,
    /// Datadog's sampling priority.
    pub sampling_priority: i32,
    /// Datadog's origin as received; `ptr == NULL` when absent. When
    /// `origin_tracestate` is set it is in the tracestate `dd` spelling (`~`
    /// for `=`): read it with `traceprop_context_origin_decode`.
    pub origin: traceprop_str,
    /// Whether `origin` is in the tracestate spelling.
    pub origin_tracestate: bool,
    /// A `traceprop_dd_tags` value: the syntax of `dd_tags`.
    pub dd_tags_syntax: u32,
    /// Datadog's carried `_dd.p.*` tags, as received.
    pub dd_tags: traceprop_str,
    /// AWS X-Ray fields other than Root, Parent and Sampled, verbatim.
    pub xray_extra: traceprop_str,
    /// The SkyWalking `sw8` value the context came from (empty when none),
    /// so a re-injected `sw8` keeps SkyWalking's own ids.
    pub sw8: traceprop_str,
}

impl traceprop_context {
    /// The C view of a core context (views borrow what `ctx` borrows).
    pub(crate) fn of(ctx: &SpanContext<'_>) -> Self {
        let (dd_tags_syntax, dd_tags) = match ctx.dd_tags {
            DatadogTags::None => (
                traceprop_dd_tags::TRACEPROP_DD_TAGS_NONE,
                traceprop_str::NONE,
            ),
            DatadogTags::Header(s) => (
                traceprop_dd_tags::TRACEPROP_DD_TAGS_HEADER,
                traceprop_str::of(s),
            ),
            DatadogTags::TraceState(s) => (
                traceprop_dd_tags::TRACEPROP_DD_TAGS_TRACESTATE,
                traceprop_str::of(s),
            ),
        };
        let sampled = match ctx.sampled {
            None => traceprop_sampled::TRACEPROP_SAMPLED_DEFERRED,
            Some(false) => traceprop_sampled::TRACEPROP_SAMPLED_NO,
            Some(true) => traceprop_sampled::TRACEPROP_SAMPLED_YES,
        };
        traceprop_context {
            trace_id: ctx.trace_id.into(),
            span_id: ctx.span_id.into(),
            sampled: sampled as i8,
            debug: ctx.debug,
            random: ctx.random,
            has_sampling_priority: ctx.sampling_priority.is_some(),
            sampling_priority: ctx.sampling_priority.unwrap_or(0),
            origin: traceprop_str::of_option(ctx.origin.map(|o| o.raw())),
            origin_tracestate: ctx.origin.is_some_and(|o| o.is_tracestate()),
            dd_tags_syntax: dd_tags_syntax as u32,
            dd_tags,
            xray_extra: traceprop_str::of(ctx.xray_extra),
            sw8: traceprop_str::of(ctx.sw8),
        }
    }

    /// The core context this describes.
    ///
    /// # Safety
    /// The views are valid for `'a` (see [`ptr::slice`]).
    pub(crate) unsafe fn to_core<'a>(self) -> Result<SpanContext<'a>, traceprop_result> {
        let mut ctx = SpanContext::new(self.trace_id.into(), self.span_id.into());
        ctx.sampled = match self.sampled {
            -1 => None,
            0 => Some(false),
            1 => Some(true),
            _ => return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT),
        };
        ctx.debug = self.debug;
        ctx.random = self.random;
        ctx.sampling_priority = self.has_sampling_priority.then_some(self.sampling_priority);
        // SAFETY: the views are valid for `'a` by this function's contract.
        unsafe {
            ctx.origin = ptr::optional_view(self.origin)?.map(|raw| {
                if self.origin_tracestate {
                    Text::from_tracestate(raw)
                } else {
                    Text::new(raw)
                }
            });
            ctx.dd_tags = match self.dd_tags_syntax {
                0 => DatadogTags::None,
                1 => DatadogTags::Header(ptr::view(self.dd_tags)?),
                2 => DatadogTags::TraceState(ptr::view(self.dd_tags)?),
                _ => return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT),
            };
            ctx.xray_extra = ptr::view(self.xray_extra)?;
            ctx.sw8 = ptr::view(self.sw8)?;
        }
        Ok(ctx)
    }
}

/// A propagation format, by its number. Numbers are stable.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_format {
    /// `tracecontext`: W3C `traceparent` + `tracestate`.
    TRACEPROP_FORMAT_TRACECONTEXT = 0,
    /// `baggage`: W3C `baggage`.
    TRACEPROP_FORMAT_BAGGAGE = 1,
    /// `b3`: the single `b3` header.
    TRACEPROP_FORMAT_B3 = 2,
    /// `b3multi`: the `X-B3-*` headers.
    TRACEPROP_FORMAT_B3MULTI = 3,
    /// `jaeger`: `uber-trace-id` and `uberctx-*`.
    TRACEPROP_FORMAT_JAEGER = 4,
    /// `ottrace`: `ot-tracer-*` and `ot-baggage-*`.
    TRACEPROP_FORMAT_OTTRACE = 5,
    /// `xray`: `X-Amzn-Trace-Id`.
    TRACEPROP_FORMAT_XRAY = 6,
    /// `datadog`: `x-datadog-*`.
    TRACEPROP_FORMAT_DATADOG = 7,
    /// `cloudtrace`: `X-Cloud-Trace-Context`.
    TRACEPROP_FORMAT_CLOUDTRACE = 8,
    /// `sw8`: SkyWalking.
    TRACEPROP_FORMAT_SW8 = 9,
    /// `grpc-trace-bin`: the OpenCensus binary context.
    TRACEPROP_FORMAT_GRPC_TRACE_BIN = 10,
}

impl From<Format> for traceprop_format {
    fn from(f: Format) -> Self {
        match f {
            Format::TraceContext => traceprop_format::TRACEPROP_FORMAT_TRACECONTEXT,
            Format::Baggage => traceprop_format::TRACEPROP_FORMAT_BAGGAGE,
            Format::B3 => traceprop_format::TRACEPROP_FORMAT_B3,
            Format::B3Multi => traceprop_format::TRACEPROP_FORMAT_B3MULTI,
            Format::Jaeger => traceprop_format::TRACEPROP_FORMAT_JAEGER,
            Format::OtTrace => traceprop_format::TRACEPROP_FORMAT_OTTRACE,
            Format::XRay => traceprop_format::TRACEPROP_FORMAT_XRAY,
            Format::Datadog => traceprop_format::TRACEPROP_FORMAT_DATADOG,
            Format::CloudTrace => traceprop_format::TRACEPROP_FORMAT_CLOUDTRACE,
            Format::Sw8 => traceprop_format::TRACEPROP_FORMAT_SW8,
            Format::GrpcTraceBin => traceprop_format::TRACEPROP_FORMAT_GRPC_TRACE_BIN,
        }
    }
}

/// The core format with C number `n`.
pub(crate) fn format_from_c(n: u32) -> Option<Format> {
    Format::ALL
        .into_iter()
        .find(|&f| traceprop_format::from(f) as u32 == n)
}

/// How a baggage value is encoded (`traceprop_baggage_member.encoding`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_encoding {
    /// W3C baggage percent-encoding (`+` is a literal plus).
    TRACEPROP_ENCODING_PERCENT = 0,
    /// URL query encoding (`uberctx-*`: `+` is a space).
    TRACEPROP_ENCODING_QUERY = 1,
    /// Not encoded (`ot-baggage-*`, and values given by the application).
    TRACEPROP_ENCODING_RAW = 2,
}

pub(crate) fn encoding_to_c(e: Encoding) -> traceprop_encoding {
    match e {
        Encoding::Percent => traceprop_encoding::TRACEPROP_ENCODING_PERCENT,
        Encoding::Query => traceprop_encoding::TRACEPROP_ENCODING_QUERY,
        Encoding::Raw => traceprop_encoding::TRACEPROP_ENCODING_RAW,
    }
}

pub(crate) fn encoding_from_c(n: u32) -> Result<Encoding, traceprop_result> {
    [Encoding::Percent, Encoding::Query, Encoding::Raw]
        .into_iter()
        .find(|&e| encoding_to_c(e) as u32 == n)
        .ok_or(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT)
}

/// One header line: a name (any case) and a value.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_header {
    /// The header name.
    pub name: traceprop_str,
    /// The header value.
    pub value: traceprop_str,
}

/// One tracestate list member.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_tracestate_member {
    /// The key.
    pub key: traceprop_str,
    /// The value.
    pub value: traceprop_str,
}

/// One baggage member, value still encoded as received.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_baggage_member {
    /// The key.
    pub key: traceprop_str,
    /// The value, encoded per `encoding` (decode with
    /// `traceprop_baggage_value_decode`).
    pub value: traceprop_str,
    /// A `traceprop_encoding` value.
    pub encoding: u32,
    /// The properties as received after the first `;` (empty when none;
    /// canonical form with `traceprop_baggage_properties_encode`).
    pub properties: traceprop_str,
}

impl traceprop_baggage_member {
    pub(crate) fn of(m: &baggage::Member<'_>) -> Self {
        traceprop_baggage_member {
            key: traceprop_str::of(m.key),
            value: traceprop_str::of(m.value.raw()),
            encoding: encoding_to_c(m.value.encoding()) as u32,
            properties: traceprop_str::of(m.properties),
        }
    }

    /// The core member.
    ///
    /// # Safety
    /// The views are valid for `'a`.
    pub(crate) unsafe fn to_core<'a>(self) -> Result<baggage::Member<'a>, traceprop_result> {
        // SAFETY: forwarded to the caller.
        let (key, raw, properties) = unsafe {
            (
                ptr::view(self.key)?,
                ptr::view(self.value)?,
                ptr::view(self.properties)?,
            )
        };
        let value = baggage::Value::new(raw, encoding_from_c(self.encoding)?)?;
        Ok(baggage::Member {
            key,
            value,
            properties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field survives core -> C -> core. The struct literal names every
    /// field, so a new core field fails to compile here until it is mapped.
    #[test]
    fn context_round_trips() {
        let contexts = [
            SpanContext {
                trace_id: TraceId::from_u128(7),
                span_id: SpanId::from_u64(9),
                sampled: Some(false),
                debug: true,
                random: true,
                sampling_priority: Some(-1),
                origin: Some(Text::from_tracestate("a~b")),
                dd_tags: DatadogTags::TraceState("t.dm:-4"),
                xray_extra: "Lineage=1",
                sw8: "1-x-y-0-a-b-c-d",
            },
            SpanContext {
                trace_id: TraceId::from_u128(1),
                span_id: SpanId::from_u64(2),
                sampled: None,
                debug: false,
                random: false,
                sampling_priority: None,
                origin: Some(Text::new("")),
                dd_tags: DatadogTags::Header("_dd.p.dm=-4"),
                xray_extra: "",
                sw8: "",
            },
            SpanContext::default().with_sampled(Some(true)),
        ];
        for ctx in contexts {
            let c = traceprop_context::of(&ctx);
            // SAFETY: the views point into the static strings above.
            let back = unsafe { c.to_core() }.unwrap();
            assert_eq!(back, ctx);
            assert_eq!(
                back.origin.map(|o| o.is_tracestate()),
                ctx.origin.map(|o| o.is_tracestate())
            );
        }
    }
}
