//! Header carriers (where headers are read from), sinks (where they are
//! written), and [`Headers`]: the one-pass index of every header any codec reads.
//!
//! A real request carries 15 to 40 headers. Instead of asking the carrier once
//! per format and header name, [`Headers::collect`] walks the carrier once and
//! keeps a borrowed slice for every header name a codec knows, so extraction with
//! ten formats costs one walk plus fixed-offset lookups.

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
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        for (k, v) in self {
            f(k, v);
        }
    }
}

impl<'a, const N: usize> Carrier<'a> for [(&'a str, &'a str); N] {
    fn for_each(&self, f: &mut dyn FnMut(&'a str, &'a str)) {
        self.as_slice().for_each(f);
    }
}

impl<'a, C: Carrier<'a> + ?Sized> Carrier<'a> for &C {
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
    pub fn lookup(name: &str) -> Option<Header> {
        // Called for every line of every request: dispatch on the length, so
        // a header that is not ours costs at most three short comparisons
        // (usually one byte each) instead of a scan of every name.
        use Header::*;
        let candidates: &[Header] = match name.len() {
            2 => &[B3],
            3 => &[Sw8],
            5 => &[Sw8X],
            7 => &[Baggage],
            10 => &[Tracestate, XB3Flags],
            11 => &[Traceparent, XB3SpanId],
            12 => &[XB3TraceId, XB3Sampled],
            13 => &[UberTraceId],
            14 => &[JaegerBaggage, DatadogTags, GrpcTraceBin],
            15 => &[XRay, Sw8Correlation],
            16 => &[OtSpanId, DatadogOrigin],
            17 => &[XB3ParentSpanId, OtTraceId, OtSampled],
            18 => &[DatadogTraceId],
            19 => &[DatadogParentId],
            21 => &[CloudTrace],
            27 => &[DatadogSamplingPriority],
            _ => &[],
        };
        let first = name.as_bytes().first().map(u8::to_ascii_lowercase);
        candidates.iter().copied().find(|h| {
            h.name().as_bytes().first() == first.as_ref() && h.name().eq_ignore_ascii_case(name)
        })
    }
}

/// Prefix of Jaeger baggage headers (`uberctx-{key}`).
pub const UBERCTX_PREFIX: &str = "uberctx-";
/// Prefix of OT baggage headers (`ot-baggage-{key}`).
pub const OT_BAGGAGE_PREFIX: &str = "ot-baggage-";

/// At most this many non-empty `tracestate` lines are kept: twice the member
/// limit, so lines holding only separators do not count against it; more
/// lines make the tracestate invalid.
pub const MAX_TRACESTATE_LINES: usize = 64;
/// At most this many non-empty `baggage` lines, and prefixed baggage headers of
/// each kind, are kept (the baggage member limit).
pub const MAX_BAGGAGE_LINES: usize = 180;

/// Up to `N` borrowed values, plus how many were offered.
#[derive(Debug, Clone, Copy)]
pub struct Lines<'a, T: Copy, const N: usize> {
    items: [T; N],
    len: usize,
    offered: usize,
    _life: core::marker::PhantomData<&'a ()>,
}

impl<'a, T: Copy, const N: usize> Lines<'a, T, N> {
    const fn new(empty: T) -> Self {
        Lines {
            items: [empty; N],
            len: 0,
            offered: 0,
            _life: core::marker::PhantomData,
        }
    }

    fn push(&mut self, item: T) {
        self.offered = self.offered.saturating_add(1);
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = item;
            self.len += 1;
        }
    }

    /// The kept values, in order.
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or_default()
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
    pub fn collect<C: Carrier<'a> + ?Sized>(carrier: &C) -> Self {
        let mut h = Headers::default();
        carrier.for_each(&mut |name, value| h.add(name, value));
        h
    }

    /// Adds one header line.
    pub fn add(&mut self, name: &'a str, value: &'a str) {
        let value = trim_ows(value);
        if let Some(header) = Header::lookup(name) {
            let i = header as usize;
            if self.first[i].is_none() {
                self.first[i] = Some(value);
            }
            self.count[i] = self.count[i].saturating_add(1);
            match header {
                Header::Tracestate if !value.is_empty() => self.tracestate.push(value),
                Header::Baggage if !value.is_empty() => self.baggage.push(value),
                _ => {}
            }
        } else if let Some(key) = strip_prefix_ignore_case(name, UBERCTX_PREFIX) {
            self.uberctx.push((key, value));
        } else if let Some(key) = strip_prefix_ignore_case(name, OT_BAGGAGE_PREFIX) {
            self.ot_baggage.push((key, value));
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
pub fn trim_ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    if name.len() > prefix.len() && head.eq_ignore_ascii_case(prefix) {
        name.get(prefix.len()..)
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
