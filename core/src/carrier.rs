//! Header carriers (where headers are read from), sinks (where they are
//! written), and [`Headers`]: the one-pass index of every header any codec reads.
//!
//! A real request carries 15 to 40 headers. Instead of asking the carrier once
//! per format and header name, [`Headers::collect`] walks the carrier once and
//! keeps a borrowed slice for every header name a codec knows, so extraction with
//! ten formats costs one walk plus fixed-offset lookups.

use crate::slots::Slots;

/// A set of header lines that can be walked once, in order.
///
/// Implement it for your framework's header map: call `f` with every
/// `(name, value)` line; names in any case (matching is case-insensitive),
/// values as received. A repeated header is several calls with the same name.
///
/// ```
/// use traceprop::Carrier;
/// struct MyHeaders(Vec<(String, String)>);
/// impl<'a> Carrier<'a> for &'a MyHeaders {
///     fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
///         for (k, v) in &self.0 {
///             f(k, v);
///         }
///     }
/// }
/// ```
pub trait Carrier<'a> {
    /// Calls `f` with every header line.
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str));
}

impl<'a> Carrier<'a> for [(&'a str, &'a str)] {
    #[inline]
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

impl<'a, const N: usize> Carrier<'a> for [(&'a str, &'a str); N] {
    #[inline]
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        self.as_slice().for_each(f);
    }
}

impl<'a, C: Carrier<'a> + ?Sized> Carrier<'a> for &C {
    #[inline]
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        (**self).for_each(f);
    }
}

/// Where injected headers go: `set` is called once per header, with a
/// lowercase name and a value that lives only for the call (copy it).
///
/// Any `FnMut(&str, &str)` is a sink.
pub trait Sink {
    /// Sets header `name` to `value`.
    fn set(&mut self, name: &str, value: &str);
}

impl<F: FnMut(&str, &str)> Sink for F {
    fn set(&mut self, name: &str, value: &str) {
        self(name, value);
    }
}

/// Every header name a codec reads. Matching is ASCII case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Header {
    Traceparent,
    Tracestate,
    Baggage,
    B3,
    XB3TraceId,
    XB3SpanId,
    XB3ParentSpanId,
    XB3Sampled,
    XB3Flags,
    UberTraceId,
    JaegerBaggage,
    OtTraceId,
    OtSpanId,
    OtSampled,
    DatadogTraceId,
    DatadogParentId,
    DatadogSamplingPriority,
    DatadogOrigin,
    DatadogTags,
    XRay,
    CloudTrace,
    Sw8,
    Sw8Correlation,
    Sw8X,
    GrpcTraceBin,
}

impl Header {
    /// How many names there are.
    pub const COUNT: usize = 25;
    /// Every name, in declaration order.
    pub const ALL: [Header; Header::COUNT] = [
        Header::Traceparent,
        Header::Tracestate,
        Header::Baggage,
        Header::B3,
        Header::XB3TraceId,
        Header::XB3SpanId,
        Header::XB3ParentSpanId,
        Header::XB3Sampled,
        Header::XB3Flags,
        Header::UberTraceId,
        Header::JaegerBaggage,
        Header::OtTraceId,
        Header::OtSpanId,
        Header::OtSampled,
        Header::DatadogTraceId,
        Header::DatadogParentId,
        Header::DatadogSamplingPriority,
        Header::DatadogOrigin,
        Header::DatadogTags,
        Header::XRay,
        Header::CloudTrace,
        Header::Sw8,
        Header::Sw8Correlation,
        Header::Sw8X,
        Header::GrpcTraceBin,
    ];

    /// The lowercase header name, as injected.
    ///
    /// ```
    /// assert_eq!(traceprop::Header::XB3TraceId.name(), "x-b3-traceid");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Header::Traceparent => "traceparent",
            Header::Tracestate => "tracestate",
            Header::Baggage => "baggage",
            Header::B3 => "b3",
            Header::XB3TraceId => "x-b3-traceid",
            Header::XB3SpanId => "x-b3-spanid",
            Header::XB3ParentSpanId => "x-b3-parentspanid",
            Header::XB3Sampled => "x-b3-sampled",
            Header::XB3Flags => "x-b3-flags",
            Header::UberTraceId => "uber-trace-id",
            Header::JaegerBaggage => "jaeger-baggage",
            Header::OtTraceId => "ot-tracer-traceid",
            Header::OtSpanId => "ot-tracer-spanid",
            Header::OtSampled => "ot-tracer-sampled",
            Header::DatadogTraceId => "x-datadog-trace-id",
            Header::DatadogParentId => "x-datadog-parent-id",
            Header::DatadogSamplingPriority => "x-datadog-sampling-priority",
            Header::DatadogOrigin => "x-datadog-origin",
            Header::DatadogTags => "x-datadog-tags",
            Header::XRay => "x-amzn-trace-id",
            Header::CloudTrace => "x-cloud-trace-context",
            Header::Sw8 => "sw8",
            Header::Sw8Correlation => "sw8-correlation",
            Header::Sw8X => "sw8-x",
            Header::GrpcTraceBin => "grpc-trace-bin",
        }
    }

    /// The header with this name, in any case.
    ///
    /// ```
    /// use traceprop::Header;
    /// assert_eq!(Header::lookup("TraceParent"), Some(Header::Traceparent));
    /// assert_eq!(Header::lookup("trace-parent"), None);
    /// ```
    #[must_use]
    #[inline]
    pub fn lookup(name: &str) -> Option<Header> {
        // Called for every line of every request: the length and first
        // letter (two bytes for the four pairs they leave) pick the only
        // possible name, which is compared inline, a word at a time, against
        // the constant, so a header that is not ours usually costs one table
        // jump and one comparison.
        let b = name.as_bytes();
        let lower = |i: usize| b.get(i).map_or(0, |c| c | 0x20);
        // The name of `$h`, as an array: the comparison is then inlined with
        // its length and case mask as constants.
        macro_rules! is {
            ($h:ident) => {{
                const NAME: &[u8] = Header::$h.name().as_bytes();
                const ARRAY: &[u8; NAME.len()] = match NAME.first_chunk() {
                    Some(array) => array,
                    None => unreachable!(),
                };
                eq_name(b, ARRAY).then_some(Header::$h)
            }};
        }
        match (b.len(), lower(0)) {
            (2, b'b') => is!(B3),
            (3, b's') => is!(Sw8),
            (5, b's') => is!(Sw8X),
            (7, b'b') => is!(Baggage),
            (10, b't') => is!(Tracestate),
            (10, b'x') => is!(XB3Flags),
            (11, b't') => is!(Traceparent),
            (11, b'x') => is!(XB3SpanId),
            (12, b'x') if lower(5) == b't' => is!(XB3TraceId),
            (12, b'x') => is!(XB3Sampled),
            (13, b'u') => is!(UberTraceId),
            (14, b'j') => is!(JaegerBaggage),
            (14, b'x') => is!(DatadogTags),
            (14, b'g') => is!(GrpcTraceBin),
            (15, b'x') => is!(XRay),
            (15, b's') => is!(Sw8Correlation),
            (16, b'o') => is!(OtSpanId),
            (16, b'x') => is!(DatadogOrigin),
            (17, b'x') => is!(XB3ParentSpanId),
            (17, b'o') if lower(10) == b't' => is!(OtTraceId),
            (17, b'o') => is!(OtSampled),
            (18, b'x') => is!(DatadogTraceId),
            (19, b'x') => is!(DatadogParentId),
            (21, b'x') => is!(CloudTrace),
            (27, b'x') => is!(DatadogSamplingPriority),
            _ => None,
        }
    }
}

/// Whether `input` is `lower` (lowercase letters, digits and `-`) in any
/// case. Inlined with a constant `lower`, so the case mask of every word is a
/// constant too: eight bytes are one load, one `or` and one comparison.
#[inline(always)]
fn eq_name<const N: usize>(input: &[u8], lower: &[u8; N]) -> bool {
    let Ok(input) = <&[u8; N]>::try_from(input) else {
        return false;
    };
    if N < 8 {
        return input.iter().zip(lower).fold(0, |diff, (&c, &l)| {
            // Letters compare with 0x20 forced on: `A` | 0x20 == `a`.
            let fold = if l >= b'a' { 0x20 } else { 0 };
            diff | ((c | fold) ^ l)
        }) == 0;
    }
    // Words at 0, 8, … and a last one ending at `N` (overlapping); no early
    // exit, as branches on header bytes mispredict.
    let mut differ = 0;
    let mut at = 0;
    while at < N {
        let start = if at + 8 > N { N - 8 } else { at };
        differ |= word_diff(input, lower, start);
        at += 8;
    }
    differ == 0
}

/// The bits in which the eight bytes at `at` differ ([`eq_name`]).
#[inline(always)]
fn word_diff(input: &[u8], lower: &[u8], at: usize) -> u64 {
    let load = |b: &[u8]| {
        b.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let (Some(c), Some(l)) = (load(input), load(lower)) else {
        return u64::MAX;
    };
    // 0x20 in every byte of `l` that is a letter (>= `a`; digits and `-` are
    // below): adding 0x1f sets bit 7 exactly there, with no carry between
    // bytes since every byte of `l` is ASCII.
    let fold = ((l + 0x1f1f_1f1f_1f1f_1f1f) & 0x8080_8080_8080_8080) >> 2;
    (c | fold) ^ l
}

/// Prefix of Jaeger baggage headers (`uberctx-{key}`).
pub const UBERCTX_PREFIX: &str = ascii(UBERCTX);
/// Prefix of OT baggage headers (`ot-baggage-{key}`).
pub const OT_BAGGAGE_PREFIX: &str = ascii(OT_BAGGAGE);
// The prefixes as arrays, which `Headers::add` compares inline.
const UBERCTX: &[u8; 8] = b"uberctx-";
const OT_BAGGAGE: &[u8; 11] = b"ot-baggage-";

/// A constant's ASCII bytes as text (checked at compile time).
const fn ascii(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("not ASCII"),
    }
}

/// At most this many non-empty `tracestate` lines are kept: twice the member
/// limit, so lines holding only separators do not count against it; more
/// lines make the tracestate invalid.
pub const MAX_TRACESTATE_LINES: usize = 64;
/// At most this many non-empty `baggage` lines, and prefixed baggage headers of
/// each kind, are kept (the baggage member limit).
pub const MAX_BAGGAGE_LINES: usize = 180;

/// Lines kept inline before a list grows to its full capacity.
const INLINE_LINES: usize = 4;

/// Up to `N` borrowed values, plus how many were offered.
#[derive(Debug, Clone, Copy)]
pub struct Lines<'a, T: Copy, const N: usize> {
    items: Slots<T, INLINE_LINES, N>,
    empty: T,
    len: usize,
    offered: usize,
    _life: core::marker::PhantomData<&'a ()>,
}

impl<'a, T: Copy, const N: usize> Lines<'a, T, N> {
    fn new(empty: T) -> Self {
        Lines {
            items: Slots::filled(empty),
            empty,
            len: 0,
            offered: 0,
            _life: core::marker::PhantomData,
        }
    }

    fn push(&mut self, item: T) {
        self.offered = self.offered.saturating_add(1);
        if let Some(slot) = self.items.slot(self.len, self.empty) {
            *slot = item;
            self.len += 1;
        }
    }

    /// The kept values, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        self.items.as_slice().get(..self.len).unwrap_or_default()
    }

    /// Whether more values were offered than kept.
    #[must_use]
    pub fn overflowed(&self) -> bool {
        self.offered > self.len
    }
}

/// The headers of one request that any codec reads, collected in one walk.
/// Values are trimmed of SP/HTAB at both ends (SEMANTICS §0).
///
/// ```
/// use traceprop::{Header, Headers};
/// let h = Headers::collect(&[("TraceParent", " 00-x "), ("tracestate", "a=1"), ("tracestate", "b=2")]);
/// assert_eq!(h.get(Header::Traceparent), Some("00-x"));
/// assert_eq!(h.tracestate_lines(), &["a=1", "b=2"]);
/// assert_eq!(h.get(Header::B3), None);
/// ```
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    first: [Option<&'a str>; Header::COUNT],
    count: [u32; Header::COUNT],
    tracestate: Lines<'a, &'a str, MAX_TRACESTATE_LINES>,
    baggage: Lines<'a, &'a str, MAX_BAGGAGE_LINES>,
    uberctx: Lines<'a, (&'a str, &'a str), MAX_BAGGAGE_LINES>,
    ot_baggage: Lines<'a, (&'a str, &'a str), MAX_BAGGAGE_LINES>,
}

impl Default for Headers<'_> {
    fn default() -> Self {
        Headers {
            first: [None; Header::COUNT],
            count: [0; Header::COUNT],
            tracestate: Lines::new(""),
            baggage: Lines::new(""),
            uberctx: Lines::new(("", "")),
            ot_baggage: Lines::new(("", "")),
        }
    }
}

impl<'a> Headers<'a> {
    /// Walks `carrier` once and indexes every known header.
    #[inline]
    pub fn collect<C: Carrier<'a> + ?Sized>(carrier: &C) -> Self {
        let mut h = Headers::default();
        h.add_all(carrier);
        h
    }

    /// Adds every line of `carrier` ([`Headers::add`]).
    #[inline]
    pub(crate) fn add_all<C: Carrier<'a> + ?Sized>(&mut self, carrier: &C) {
        carrier.for_each(&mut |name, value| self.add(name, value));
    }

    /// Adds one header line.
    #[inline]
    pub fn add(&mut self, name: &'a str, value: &'a str) {
        if let Some(header) = Header::lookup(name) {
            self.add_known(header, value);
        } else if let Some(b'u' | b'U' | b'o' | b'O') = name.as_bytes().first() {
            // Most names are neither: one byte tells.
            self.add_prefixed(name, value);
        }
    }

    fn add_known(&mut self, header: Header, value: &'a str) {
        let value = trim_ows(value);
        let i = header as usize;
        if let (Some(first), Some(count)) = (self.first.get_mut(i), self.count.get_mut(i)) {
            if first.is_none() {
                *first = Some(value);
            }
            *count = count.saturating_add(1);
        }
        match header {
            Header::Tracestate if !value.is_empty() => self.tracestate.push(value),
            Header::Baggage if !value.is_empty() => self.baggage.push(value),
            _ => {}
        }
    }

    fn add_prefixed(&mut self, name: &'a str, value: &'a str) {
        if let Some(key) = strip_prefix(name, UBERCTX) {
            self.uberctx.push((key, trim_ows(value)));
        } else if let Some(key) = strip_prefix(name, OT_BAGGAGE) {
            self.ot_baggage.push((key, trim_ows(value)));
        }
    }

    /// The first line of `header`, trimmed; `None` when absent.
    #[must_use]
    pub fn get(&self, header: Header) -> Option<&'a str> {
        self.first[header as usize]
    }

    /// How many lines of `header` were sent.
    #[must_use]
    pub fn count(&self, header: Header) -> usize {
        self.count[header as usize] as usize
    }

    /// The non-empty `tracestate` lines, in order.
    #[must_use]
    pub fn tracestate_lines(&self) -> &[&'a str] {
        self.tracestate.as_slice()
    }

    /// Whether more non-empty `tracestate` lines came than can be members.
    #[must_use]
    pub fn tracestate_overflowed(&self) -> bool {
        self.tracestate.overflowed()
    }

    /// The non-empty `baggage` lines, in order (at most [`MAX_BAGGAGE_LINES`]).
    #[must_use]
    pub fn baggage_lines(&self) -> &[&'a str] {
        self.baggage.as_slice()
    }

    /// The `uberctx-{key}` headers as `(key, raw value)`, in order; the key is
    /// the name's suffix as sent.
    #[must_use]
    pub fn uberctx(&self) -> &[(&'a str, &'a str)] {
        self.uberctx.as_slice()
    }

    /// The `ot-baggage-{key}` headers as `(key, raw value)`, in order.
    #[must_use]
    pub fn ot_baggage(&self) -> &[(&'a str, &'a str)] {
        self.ot_baggage.as_slice()
    }
}

/// Trims SP and HTAB at both ends.
#[must_use]
#[inline]
pub fn trim_ows(s: &str) -> &str {
    let b = s.as_bytes();
    // Values rarely carry OWS: two byte tests, inlined, tell.
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) if !is_ows(first) && !is_ows(last) => s,
        _ => trim_ows_slow(s),
    }
}

fn trim_ows_slow(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_ows(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| !is_ows(c)).map_or(start, |i| i + 1);
    // Both ends are next to an ASCII byte, so on character boundaries.
    s.get(start..end).unwrap_or_default()
}

/// SP or HTAB.
const fn is_ows(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// The rest of `name` after `prefix` in any case, when not empty.
fn strip_prefix<'a, const N: usize>(name: &'a str, prefix: &[u8; N]) -> Option<&'a str> {
    let head = name.as_bytes().get(..N)?;
    if name.len() > N && eq_name(head, prefix) {
        name.get(N..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for h in Header::ALL {
            assert_eq!(Header::lookup(h.name()), Some(h));
            let n = h.name().len();
            let mut buf = [0u8; 32];
            buf[..n].copy_from_slice(h.name().as_bytes());
            buf[..n].make_ascii_uppercase();
            let upper = core::str::from_utf8(&buf[..n]).unwrap();
            assert_eq!(Header::lookup(upper), Some(h));
            buf[n] = b'X';
            let longer = core::str::from_utf8(&buf[..=n]).unwrap();
            assert_eq!(Header::lookup(longer), None);
            assert_eq!(Header::lookup(&longer[2..]), None);
            assert_eq!(
                h as usize,
                Header::ALL.iter().position(|x| *x == h).unwrap()
            );
        }
    }

    #[test]
    fn names_match_in_any_case_only() {
        // Each name (a prefix with a key after it) is found by its own
        // matcher: `Header::lookup`, or `Headers::add` for the prefixes.
        let found = |name: &str, which: usize| match Header::ALL.get(which) {
            Some(h) => Header::lookup(name) == Some(*h),
            None => {
                let mut h = Headers::default();
                h.add(name, "v");
                [h.uberctx(), h.ot_baggage()][which - Header::COUNT] == [("k", "v")]
            }
        };
        let names = Header::ALL.iter().map(|h| h.name());
        for (which, name) in names.chain([UBERCTX_PREFIX, OT_BAGGAGE_PREFIX]).enumerate() {
            let mut buf = [0u8; 32];
            let lower = name.as_bytes();
            let n = lower.len();
            buf[..n].copy_from_slice(lower);
            // Prefixes are looked up with a key.
            let len = if which < Header::COUNT { n } else { n + 1 };
            buf[n] = b'k';
            let found_in = |buf: &[u8; 32]| -> bool {
                found(core::str::from_utf8(&buf[..len]).unwrap(), which)
            };
            assert!(found_in(&buf), "{name}");
            for i in 0..n {
                let mut other = buf;
                // Flipping bit 5 turns a letter into its other case and any
                // other byte into a different character (`-` into CR).
                other[i] ^= 0x20;
                assert_eq!(
                    found_in(&other),
                    lower[i].is_ascii_lowercase(),
                    "{name} at {i}"
                );
                other[i] = lower[i].wrapping_add(1);
                assert!(!found_in(&other), "{name} at {i}");
            }
        }
    }

    #[test]
    fn prefixes_and_counts() {
        let h = Headers::collect(&[
            ("UberCtx-User", "a%20b"),
            ("uberctx-", "ignored"),
            ("OT-Baggage-k", "v"),
            ("traceparent", "x"),
            ("traceparent", "y"),
            ("tracestate", " "),
        ]);
        assert_eq!(h.uberctx(), &[("User", "a%20b")]);
        assert_eq!(h.ot_baggage(), &[("k", "v")]);
        assert_eq!(h.count(Header::Traceparent), 2);
        assert_eq!(h.get(Header::Traceparent), Some("x"));
        assert!(h.tracestate_lines().is_empty());
        assert_eq!(h.get(Header::Tracestate), Some(""));
    }
}
