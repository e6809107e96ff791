//! The span context every codec reads and writes, and the [`Propagation`]
//! (context + tracestate + baggage) that crosses a process border.

use crate::datadog::Text;
use crate::id::{SpanId, TraceId};
use crate::w3c::baggage::Baggage;
use crate::w3c::tracestate::TraceState;

/// W3C trace flags (one byte). Only [`TraceFlags::SAMPLED`] and
/// [`TraceFlags::RANDOM`] are defined; encoders zero every other bit.
///
/// ```
/// use traceprop::TraceFlags;
/// let f = TraceFlags::from_byte(0x0b);
/// assert!(f.sampled() && f.random());
/// assert_eq!(f.known().to_byte(), 0x03);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// Bit 0x01: the caller may have recorded the trace.
    pub const SAMPLED: TraceFlags = TraceFlags(0x01);
    /// Bit 0x02 (Level 2): the right-most 7 bytes of the trace id are random.
    pub const RANDOM: TraceFlags = TraceFlags(0x02);

    /// From the raw byte, unknown bits included.
    #[must_use]
    pub const fn from_byte(b: u8) -> Self {
        TraceFlags(b)
    }

    /// The raw byte.
    #[must_use]
    pub const fn to_byte(self) -> u8 {
        self.0
    }

    /// Whether 0x01 is set.
    #[must_use]
    pub const fn sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// Whether 0x02 is set.
    #[must_use]
    pub const fn random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }

    /// Only the defined bits (what is written on inject).
    #[must_use]
    pub const fn known(self) -> Self {
        TraceFlags(self.0 & (Self::SAMPLED.0 | Self::RANDOM.0))
    }
}

/// Datadog's propagated `_dd.p.*` tags, borrowed in the syntax they arrived in.
///
/// Two spellings exist: the `x-datadog-tags` header (`_dd.p.dm=-4,_dd.p.tid=…`)
/// and the `t.*` fields of the `dd` tracestate member (`t.dm:-4;t.tid:…`, `~`
/// for `=`). Both are kept as received and re-encoded by the Datadog codec, so
/// no tag is lost and nothing is allocated; `_dd.p.tid` is never copied but
/// re-derived from the trace id. Iterate with [`DatadogTags::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DatadogTags<'a> {
    /// No tags.
    #[default]
    None,
    /// The raw value of an `x-datadog-tags` header; only `_dd.p.*` keys are
    /// carried, and a value that [`crate::datadog::tags::parse`] rejects
    /// (malformed, over 512 bytes) carries nothing.
    Header(&'a str),
    /// The raw value of a `dd=` tracestate member (its `t.*` fields are the
    /// tags; its `p` field is kept when the member is rewritten).
    TraceState(&'a str),
}

/// A remote span context in the union of every format's fields.
///
/// ```
/// use traceprop::{SpanContext, SpanId, TraceId};
/// let ctx = SpanContext::new(TraceId::from_u64(1), SpanId::from_u64(2)).with_sampled(Some(true));
/// assert!(ctx.is_valid());
/// assert_eq!(ctx.flags().to_byte(), 0x01);
/// assert!(!SpanContext::new(TraceId::INVALID, SpanId::from_u64(2)).is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanContext<'a> {
    /// The 128-bit trace id (64-bit ids are left-padded).
    pub trace_id: TraceId,
    /// The span id of the caller (the parent of the next span).
    pub span_id: SpanId,
    /// The sampling decision: `Some(true)`, `Some(false)`, or `None` (deferred).
    pub sampled: Option<bool>,
    /// Debug / force-sample (B3 `d`, `X-B3-Flags: 1`, Jaeger 0x02).
    pub debug: bool,
    /// The W3C Level 2 random-trace-id flag.
    pub random: bool,
    /// Datadog's sampling priority, when one was carried.
    pub sampling_priority: Option<i32>,
    /// Datadog's origin (`x-datadog-origin`, tracestate `dd` `o:`), as
    /// received: [`Text`] decodes the tracestate spelling (`~` for `=`).
    pub origin: Option<Text<'a>>,
    /// Datadog's carried `_dd.p.*` tags.
    pub dd_tags: DatadogTags<'a>,
    /// AWS X-Ray fields other than `Root`, `Parent` and `Sampled`, verbatim
    /// and in order (`Lineage=…;Self=…`); empty when none. Borrowed from the
    /// header, it spans from the first such field to the last, so it may hold
    /// `Root`/`Parent`/`Sampled` fields sent between them: read it with
    /// [`crate::xray::extra_fields`], which skips those.
    pub xray_extra: &'a str,
    /// The SkyWalking `sw8` value this context was extracted from (empty when
    /// none), so a SkyWalking → SkyWalking hop keeps SkyWalking's own trace id
    /// and fields ([`crate::sw8::Sw8::encode_next`]).
    pub sw8: &'a str,
}

impl<'a> SpanContext<'a> {
    /// A context with these ids, no sampling decision and no other field.
    #[must_use]
    pub const fn new(trace_id: TraceId, span_id: SpanId) -> Self {
        SpanContext {
            trace_id,
            span_id,
            sampled: None,
            debug: false,
            random: false,
            sampling_priority: None,
            origin: None,
            dd_tags: DatadogTags::None,
            xray_extra: "",
            sw8: "",
        }
    }

    /// The same context with another sampling decision.
    #[must_use]
    pub const fn with_sampled(mut self, sampled: Option<bool>) -> Self {
        self.sampled = sampled;
        self
    }

    /// Whether both ids are non-zero.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }

    /// Whether the decision is "sampled" (`None` counts as not sampled, as in
    /// every format without a deferred state).
    #[must_use]
    pub const fn is_sampled(&self) -> bool {
        matches!(self.sampled, Some(true))
    }

    /// The W3C flags this context carries (sampled and random bits only).
    #[must_use]
    pub const fn flags(&self) -> TraceFlags {
        let mut b = 0;
        if self.is_sampled() {
            b |= TraceFlags::SAMPLED.0;
        }
        if self.random {
            b |= TraceFlags::RANDOM.0;
        }
        TraceFlags(b)
    }
}

/// Everything that crosses a process border: the span context, the W3C
/// tracestate and the baggage.
#[derive(Debug, Clone, Default)]
pub struct Propagation<'a> {
    /// The span context.
    pub context: SpanContext<'a>,
    /// The W3C tracestate (empty when none).
    pub tracestate: TraceState<'a>,
    /// The baggage (empty when none).
    pub baggage: Baggage<'a>,
}

impl<'a> Propagation<'a> {
    /// A propagation of `context` with no tracestate and no baggage.
    #[must_use]
    pub fn new(context: SpanContext<'a>) -> Self {
        Propagation {
            context,
            tracestate: TraceState::new(),
            baggage: Baggage::new(),
        }
    }
}
