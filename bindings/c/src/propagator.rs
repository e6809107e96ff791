//! The composite propagator: configuration, extraction from header views and
//! injection through a callback or into caller buffers (SEMANTICS §9).

use crate::guard::{guard, guard_value};
use crate::ptr::{self, Out, OutArray};
use crate::result::traceprop_result;
use crate::types::{
    format_from_c, traceprop_baggage_member, traceprop_context, traceprop_format, traceprop_header,
    traceprop_str, traceprop_tracestate_member, TRACEPROP_BAGGAGE_MAX_MEMBERS,
    TRACEPROP_FORMAT_COUNT, TRACEPROP_TRACESTATE_MAX_MEMBERS,
};
use crate::w3c::{baggage_from_c, tracestate_from_c, tracestate_member};
use core::ffi::{c_char, c_void, CStr};
use core::ptr::addr_of_mut;
use traceprop::propagator::{self, Config, Extraction, Format, Policy};
use traceprop::w3c::baggage as w3c_baggage;
use traceprop::{Header, Headers, Propagation, SpanContext, TraceState, Writer};

/// Which format wins when several yield a valid context.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_policy {
    /// The last listed valid one (OpenTelemetry composite semantics).
    TRACEPROP_POLICY_LAST = 0,
    /// The first listed valid one (Datadog semantics).
    TRACEPROP_POLICY_FIRST = 1,
}

/// A propagator configuration: an ordered list of distinct formats and a
/// policy. Fill it with `traceprop_config_parse`, or by hand.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_config {
    /// `traceprop_format` values, in order (duplicates are ignored).
    pub formats: [u32; TRACEPROP_FORMAT_COUNT],
    /// How many entries of `formats` are used.
    pub formats_len: usize,
    /// A `traceprop_policy` value.
    pub policy: u32,
}

impl traceprop_config {
    fn of(c: &Config) -> Self {
        let mut formats = [0; TRACEPROP_FORMAT_COUNT];
        for (slot, &f) in formats.iter_mut().zip(c.formats()) {
            *slot = traceprop_format::from(f) as u32;
        }
        let policy = match c.policy() {
            Policy::Last => traceprop_policy::TRACEPROP_POLICY_LAST,
            Policy::First => traceprop_policy::TRACEPROP_POLICY_FIRST,
        };
        traceprop_config {
            formats,
            formats_len: c.formats().len(),
            policy: policy as u32,
        }
    }

    pub(crate) fn to_core(self) -> Result<Config, traceprop_result> {
        let invalid = traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT;
        let used = self.formats.get(..self.formats_len).ok_or(invalid)?;
        let mut formats = [Format::TraceContext; TRACEPROP_FORMAT_COUNT];
        for (slot, &n) in formats.iter_mut().zip(used) {
            *slot = format_from_c(n).ok_or(invalid)?;
        }
        let policy = match self.policy {
            0 => Policy::Last,
            1 => Policy::First,
            _ => return Err(invalid),
        };
        let formats = formats.get(..used.len()).ok_or(invalid)?;
        Ok(Config::from_formats(formats).with_policy(policy))
    }
}

/// Parses an `OTEL_PROPAGATORS`-style list (`"tracecontext,b3"`): split on
/// `,`, trimmed, case-insensitive, de-duplicated; unknown names are skipped
/// (list them with `traceprop_config_unknown_names`); `none` anywhere means no
/// format; an empty list means `tracecontext,baggage`. Policy: last.
///
/// # Safety
/// `list` is NULL or valid for `len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_config_parse(
    list: *const c_char,
    len: usize,
    out: *mut traceprop_config,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `list` is valid for `len` bytes by the contract.
        let config = Config::parse(unsafe { ptr::text(list, len) }?);
        // SAFETY: writable by the contract.
        unsafe { out.write(traceprop_config::of(&config)) };
        Ok(())
    })
}

/// Writes views of the names in `list` that are neither a format nor `none`
/// (pointing into `list`) and their count; BUFFER_TOO_SMALL with the count
/// when more than `cap`. `(NULL, 0)` asks for the count only.
///
/// # Safety
/// `list` NULL or valid for `len` bytes; `out` NULL or valid for `cap` writes;
/// `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_config_unknown_names(
    list: *const c_char,
    len: usize,
    out: *mut traceprop_str,
    cap: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out_len = Out::new(out_len)?;
        let out = OutArray::new(out, cap)?;
        // SAFETY: `list` is valid for `len` bytes by the contract.
        let list = unsafe { ptr::text(list, len) }?;
        let count = Config::unknown_names(list).count();
        // SAFETY: writable by the contract.
        unsafe { out_len.write(count) };
        if count > out.capacity() {
            return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
        }
        for (i, name) in Config::unknown_names(list).enumerate() {
            // SAFETY: `i < count <= cap`; valid for writes by the contract.
            unsafe { out.set(i, traceprop_str::of(name)) };
        }
        Ok(())
    })
}

/// The format named `name` (case-insensitive, with the usual aliases such as
/// `b3single`); UNKNOWN_PROPAGATOR when there is none.
///
/// # Safety
/// `name` NULL or valid for `len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_format_from_name(
    name: *const c_char,
    len: usize,
    out: *mut u32,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `name` is valid for `len` bytes by the contract.
        let name = unsafe { ptr::text(name, len) }?;
        let format =
            Format::from_name(name).ok_or(traceprop_result::TRACEPROP_RESULT_UNKNOWN_PROPAGATOR)?;
        // SAFETY: writable by the contract.
        unsafe { out.write(traceprop_format::from(format) as u32) };
        Ok(())
    })
}

/// Whether extracting with `config` reads header `name` (any case): a
/// binding that copies headers across a language boundary passes only these
/// to `traceprop_extract`. False for a NULL or invalid argument.
///
/// # Safety
/// `config` NULL or valid; `name` NULL or valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn traceprop_config_reads(
    config: *const traceprop_config,
    name: *const c_char,
    len: usize,
) -> bool {
    guard_value(false, || {
        // SAFETY: `config` is NULL or valid, `name` valid for `len` bytes,
        // by the contract.
        let (config, name) = unsafe { (ptr::input(config), ptr::text(name, len)) };
        match (config.and_then(|c| c.to_core()), name) {
            (Ok(config), Ok(name)) => config.reads(name),
            _ => false,
        }
    })
}

fn format_c_name(f: Format) -> &'static CStr {
    match f {
        Format::TraceContext => c"tracecontext",
        Format::Baggage => c"baggage",
        Format::B3 => c"b3",
        Format::B3Multi => c"b3multi",
        Format::Jaeger => c"jaeger",
        Format::OtTrace => c"ottrace",
        Format::XRay => c"xray",
        Format::Datadog => c"datadog",
        Format::CloudTrace => c"cloudtrace",
        Format::Sw8 => c"sw8",
        Format::GrpcTraceBin => c"grpc-trace-bin",
    }
}

/// The canonical name of `format` (`"tracecontext"`), static and
/// NUL-terminated; NULL for a number that is not a format.
#[no_mangle]
pub extern "C" fn traceprop_format_name(format: u32) -> *const c_char {
    guard_value(core::ptr::null(), || {
        format_from_c(format).map_or(core::ptr::null(), |f| format_c_name(f).as_ptr())
    })
}

fn header_c_name(h: Header) -> &'static CStr {
    match h {
        Header::Traceparent => c"traceparent",
        Header::Tracestate => c"tracestate",
        Header::Baggage => c"baggage",
        Header::B3 => c"b3",
        Header::XB3TraceId => c"x-b3-traceid",
        Header::XB3SpanId => c"x-b3-spanid",
        Header::XB3ParentSpanId => c"x-b3-parentspanid",
        Header::XB3Sampled => c"x-b3-sampled",
        Header::XB3Flags => c"x-b3-flags",
        Header::UberTraceId => c"uber-trace-id",
        Header::JaegerBaggage => c"jaeger-baggage",
        Header::OtTraceId => c"ot-tracer-traceid",
        Header::OtSpanId => c"ot-tracer-spanid",
        Header::OtSampled => c"ot-tracer-sampled",
        Header::DatadogTraceId => c"x-datadog-trace-id",
        Header::DatadogParentId => c"x-datadog-parent-id",
        Header::DatadogSamplingPriority => c"x-datadog-sampling-priority",
        Header::DatadogOrigin => c"x-datadog-origin",
        Header::DatadogTags => c"x-datadog-tags",
        Header::XRay => c"x-amzn-trace-id",
        Header::CloudTrace => c"x-cloud-trace-context",
        Header::Sw8 => c"sw8",
        Header::Sw8Correlation => c"sw8-correlation",
        Header::Sw8X => c"sw8-x",
        Header::GrpcTraceBin => c"grpc-trace-bin",
    }
}

/// Header name `index` (0 to `TRACEPROP_HEADER_COUNT - 1`) of the headers the
/// library reads, lowercase, static; NULL past the end. With
/// `traceprop_header_prefix`, this tells a binding which headers to pass to
/// `traceprop_extract` (any other header is ignored).
#[no_mangle]
pub extern "C" fn traceprop_header_name(index: usize) -> *const c_char {
    guard_value(core::ptr::null(), || {
        Header::ALL
            .get(index)
            .map_or(core::ptr::null(), |&h| header_c_name(h).as_ptr())
    })
}

const PREFIXES: [&CStr; 2] = [c"uberctx-", c"ot-baggage-"];

/// Header-name prefix `index` (0 to `TRACEPROP_HEADER_PREFIX_COUNT - 1`) of the
/// baggage headers the library reads (`"uberctx-"`), static; NULL past the end.
#[no_mangle]
pub extern "C" fn traceprop_header_prefix(index: usize) -> *const c_char {
    guard_value(core::ptr::null(), || {
        PREFIXES
            .get(index)
            .map_or(core::ptr::null(), |p| p.as_ptr())
    })
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the package version contains a NUL"),
    };

/// The library version (`"0.1.0"`), static; compare with `TRACEPROP_VERSION`
/// from the header to detect a mismatched library.
#[no_mangle]
pub extern "C" fn traceprop_version() -> *const c_char {
    guard_value(core::ptr::null(), || VERSION.as_ptr())
}

/// A format that yielded a valid context, and that context.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_match {
    /// The format.
    pub format: traceprop_format,
    /// Its context.
    pub context: traceprop_context,
}

/// A format whose headers were present but invalid, and why.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_rejection {
    /// The format.
    pub format: traceprop_format,
    /// What was wrong.
    pub error: traceprop_result,
}

/// What `traceprop_extract` found. Every view points into the headers passed
/// to it; array entries past their `_len` are unspecified.
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct traceprop_extraction {
    /// Whether a format yielded a valid context.
    pub has_context: bool,
    /// The winning context (meaningful when `has_context`).
    pub context: traceprop_context,
    /// The format it came from (meaningful when `has_context`).
    pub source: traceprop_format,
    /// Whether two matched formats disagree on the trace id.
    pub conflict: bool,
    /// How many entries of `matched` are used.
    pub matched_len: usize,
    /// Every format that yielded a valid context, in configuration order.
    pub matched: [traceprop_match; TRACEPROP_FORMAT_COUNT],
    /// How many entries of `rejected` are used.
    pub rejected_len: usize,
    /// Every format whose headers were present but invalid.
    pub rejected: [traceprop_rejection; TRACEPROP_FORMAT_COUNT],
    /// Why a present tracestate was dropped; TRACEPROP_RESULT_OK otherwise.
    pub tracestate_error: traceprop_result,
    /// How many entries of `tracestate` are used.
    pub tracestate_len: usize,
    /// The W3C tracestate (kept when `tracecontext` yielded the winning trace id).
    pub tracestate: [traceprop_tracestate_member; TRACEPROP_TRACESTATE_MAX_MEMBERS],
    /// How many entries of `baggage` are used.
    pub baggage_len: usize,
    /// The baggage of every baggage-carrying format, merged in list order.
    pub baggage: [traceprop_baggage_member; TRACEPROP_BAGGAGE_MAX_MEMBERS],
}

/// What a header value that is not UTF-8 is seen as: one character no
/// format accepts, so that format is rejected (and a baggage or tracestate
/// line is invalid), never partly read.
const NOT_UTF8: &str = "\u{fffd}";

/// Extracts with `config` from `headers` (names in any case; a name may
/// repeat), in one pass. Never fails on bad header content: a malformed
/// format is listed in `rejected`. A header whose name is not UTF-8 is
/// ignored; a value that is not UTF-8 is invalid for its format.
///
/// `*out` borrows from `headers`: its views are valid as long as the header
/// bytes are. It is about 13 KiB; reuse one.
///
/// # Safety
/// `config` NULL or valid; `headers` NULL or valid for `headers_len` reads
/// (views too); `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_extract(
    config: *const traceprop_config,
    headers: *const traceprop_header,
    headers_len: usize,
    out: *mut traceprop_extraction,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `config` is NULL or valid by the contract.
        let config = unsafe { ptr::input(config) }?.to_core()?;
        let mut h = Headers::default();
        // SAFETY: forwarded to the caller.
        unsafe { add_headers(headers, headers_len, &mut h) }?;
        let mut x = Extraction::default();
        propagator::extract_headers_into(&config, &h, &mut x);
        // SAFETY: `out` is writable by the contract.
        unsafe { write_extraction(&out, &x) };
        Ok(())
    })
}

/// Adds the C header lines to `h` (filled in place: a returned `Headers`
/// would be copied with room for every limit, about 16 KiB). A name that is
/// not UTF-8 is skipped, a value that is not UTF-8 becomes [`NOT_UTF8`].
///
/// # Safety
/// `headers` NULL or valid for `headers_len` reads, views too, for `'a`.
pub(crate) unsafe fn add_headers<'a>(
    headers: *const traceprop_header,
    headers_len: usize,
    h: &mut Headers<'a>,
) -> Result<(), traceprop_result> {
    // SAFETY: `headers` is valid for `headers_len` reads by the contract.
    let lines = unsafe { ptr::slice(headers, headers_len) }?;
    for line in lines {
        // SAFETY: the header views are valid by the contract.
        let (name, value) = unsafe { (ptr::view(line.name), ptr::view(line.value)) };
        let value = match value {
            Err(traceprop_result::TRACEPROP_RESULT_INVALID_UTF8) => NOT_UTF8,
            other => other?,
        };
        match name {
            Err(traceprop_result::TRACEPROP_RESULT_INVALID_UTF8) => continue,
            other => h.add(other?, value),
        }
    }
    Ok(())
}

/// Writes `x` field by field (only the used array entries).
///
/// # Safety
/// The pointer of `out` is valid for writing a whole `traceprop_extraction`.
pub(crate) unsafe fn write_extraction(out: &Out<traceprop_extraction>, x: &Extraction<'_>) {
    let p = out.as_ptr();
    let ctx = x.context.unwrap_or_default();
    // SAFETY: `p` is non-NULL, aligned and valid for writes (caller); every
    // place below is a field of `*p`, written without creating a reference,
    // and every array index is below the array's length (the `take`s).
    unsafe {
        addr_of_mut!((*p).has_context).write(x.context.is_some());
        addr_of_mut!((*p).context).write(traceprop_context::of(&ctx));
        let source = x.source.unwrap_or(Format::TraceContext);
        addr_of_mut!((*p).source).write(source.into());
        addr_of_mut!((*p).conflict).write(x.conflict());

        let matched = addr_of_mut!((*p).matched).cast::<traceprop_match>();
        let mut n = 0;
        for (format, ctx) in x.matched().iter().take(TRACEPROP_FORMAT_COUNT) {
            let m = traceprop_match {
                format: (*format).into(),
                context: traceprop_context::of(ctx),
            };
            matched.add(n).write(m);
            n += 1;
        }
        addr_of_mut!((*p).matched_len).write(n);

        let rejected = addr_of_mut!((*p).rejected).cast::<traceprop_rejection>();
        let mut n = 0;
        for r in x.rejected().iter().take(TRACEPROP_FORMAT_COUNT) {
            let r = traceprop_rejection {
                format: r.format.into(),
                error: r.error.into(),
            };
            rejected.add(n).write(r);
            n += 1;
        }
        addr_of_mut!((*p).rejected_len).write(n);

        let error = x
            .tracestate_error
            .map_or(traceprop_result::TRACEPROP_RESULT_OK, Into::into);
        addr_of_mut!((*p).tracestate_error).write(error);
        let tracestate = addr_of_mut!((*p).tracestate).cast::<traceprop_tracestate_member>();
        let mut n = 0;
        for m in x
            .tracestate
            .members()
            .iter()
            .take(TRACEPROP_TRACESTATE_MAX_MEMBERS)
        {
            tracestate.add(n).write(tracestate_member(m));
            n += 1;
        }
        addr_of_mut!((*p).tracestate_len).write(n);

        let baggage = addr_of_mut!((*p).baggage).cast::<traceprop_baggage_member>();
        let mut n = 0;
        for m in x
            .baggage
            .members()
            .iter()
            .take(TRACEPROP_BAGGAGE_MAX_MEMBERS)
        {
            baggage.add(n).write(traceprop_baggage_member::of(m));
            n += 1;
        }
        addr_of_mut!((*p).baggage_len).write(n);
    }
}

/// What `traceprop_inject*` write: a context, a tracestate and a baggage.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_propagation {
    /// The span context (trace formats write nothing when it is invalid).
    pub context: traceprop_context,
    /// The tracestate members, in order (NULL when `tracestate_len` is 0).
    pub tracestate: *const traceprop_tracestate_member,
    /// How many.
    pub tracestate_len: usize,
    /// The baggage members, in order (values in their `encoding`; use
    /// TRACEPROP_ENCODING_RAW for plain text).
    pub baggage: *const traceprop_baggage_member,
    /// How many.
    pub baggage_len: usize,
}

/// Points `*out` at what `x` carries downstream: its context (all-zero, so
/// only baggage is written, when it has none), tracestate and baggage. `*out`
/// borrows from `x`.
///
/// # Safety
/// `x` NULL or a valid extraction; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_extraction_propagation(
    x: *const traceprop_extraction,
    out: *mut traceprop_propagation,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `x` is NULL or valid by the contract.
        let x = unsafe { ptr::input(x) }?;
        let context = if x.has_context {
            x.context
        } else {
            traceprop_context::of(&SpanContext::default())
        };
        let p = traceprop_propagation {
            context,
            tracestate: x.tracestate.as_ptr(),
            tracestate_len: x.tracestate_len.min(TRACEPROP_TRACESTATE_MAX_MEMBERS),
            baggage: x.baggage.as_ptr(),
            baggage_len: x.baggage_len.min(TRACEPROP_BAGGAGE_MAX_MEMBERS),
        };
        // SAFETY: writable by the contract.
        unsafe { out.write(p) };
        Ok(())
    })
}

/// Builds in `p` (a default `Propagation`) the core propagation `c`
/// describes. A non-NULL `tracestate` or `baggage` is a header value that
/// stands for `c`'s members of that kind: it is read as extraction reads that
/// header (an invalid tracestate is dropped whole, an invalid baggage member
/// alone). Filled in place: a returned `Propagation` would be copied with
/// room for every baggage member (about 11 KiB).
///
/// # Safety
/// `c`'s arrays and every view are valid for `'a`.
unsafe fn propagation_from_c<'a>(
    c: &traceprop_propagation,
    tracestate: traceprop_str,
    baggage: traceprop_str,
    p: &mut Propagation<'a>,
) -> Result<(), traceprop_result> {
    // SAFETY: valid for `'a` by the contract.
    let (tracestate, baggage) = unsafe {
        (
            ptr::optional_view(tracestate)?,
            ptr::optional_view(baggage)?,
        )
    };
    // SAFETY: valid for `'a` by the contract.
    unsafe {
        p.context = c.context.to_core()?;
        match tracestate {
            Some(value) => p.tracestate = TraceState::parse(value).unwrap_or_default(),
            None => tracestate_from_c(
                ptr::slice(c.tracestate, c.tracestate_len)?,
                &mut p.tracestate,
            )?,
        }
        match baggage {
            Some(value) => {
                // Through `Headers`: parsing into `p.baggage` in place.
                let mut h = Headers::default();
                h.add(Header::Baggage.name(), value);
                w3c_baggage::extract_into(&h, &mut p.baggage);
            }
            None => baggage_from_c(ptr::slice(c.baggage, c.baggage_len)?, &mut p.baggage)?,
        }
    }
    Ok(())
}

/// Checks and converts the arguments of the inject functions, then runs
/// `inject` with them.
///
/// # Safety
/// As the inject functions' contracts (`tracestate` and `baggage` as in
/// [`propagation_from_c`]).
unsafe fn with_inject_args<R>(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    tracestate: traceprop_str,
    baggage: traceprop_str,
    inject: impl FnOnce(&Config, &Propagation<'_>) -> Result<R, traceprop_result>,
) -> Result<R, traceprop_result> {
    let mut p = Propagation::default();
    // SAFETY: forwarded to the caller.
    unsafe {
        let config = ptr::input(config)?.to_core()?;
        propagation_from_c(ptr::input(propagation)?, tracestate, baggage, &mut p)?;
        inject(&config, &p)
    }
}

/// Receives one injected header: a lowercase name and a value, valid only
/// during the call (copy them).
#[allow(non_camel_case_types)]
pub type traceprop_sink_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, name: traceprop_str, value: traceprop_str)>;

/// Injects `propagation` in every format of `config`, calling `sink` once
/// per header. A format that cannot write it (an invalid context for a trace
/// format) writes nothing; the others still write.
///
/// # Safety
/// `config`, `propagation` (arrays and views too) NULL or valid; `sink` a
/// function safe to call with `user_data`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_inject(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    sink: traceprop_sink_fn,
    user_data: *mut c_void,
) -> traceprop_result {
    guard(|| {
        let sink = sink.ok_or(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER)?;
        let call_sink = |config: &Config, p: &Propagation<'_>| {
            propagator::inject(config, p, &mut |name: &str, value: &str| {
                // SAFETY: the caller provides a sink callable with
                // `user_data`; the views are valid during the call, as
                // documented.
                unsafe { sink(user_data, traceprop_str::of(name), traceprop_str::of(value)) }
            });
            Ok(())
        };
        let none = traceprop_str::NONE;
        // SAFETY: forwarded to the caller.
        unsafe { with_inject_args(config, propagation, none, none, call_sink) }
    })
}

/// Whether a name or value can be written on one header line.
fn one_line(s: &str) -> bool {
    !s.bytes().any(|c| c == b'\r' || c == b'\n')
}

/// Injects `propagation` into `buf` as `name: value\r\n` lines (HTTP/1.1
/// header syntax). BUFFER_TOO_SMALL stores the size needed in `*out_len`;
/// INVALID_VALUE when a value (e.g. raw OT baggage) holds CR or LF.
///
/// # Safety
/// `config`, `propagation` (arrays and views too) NULL or valid; `buf` NULL
/// or valid for `len` byte writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_inject_lines(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out_len = Out::new(out_len)?;
        // SAFETY: forwarded to the caller.
        let mut w = Writer::new(unsafe { ptr::buffer(buf, len) }?);
        let (mut needed, mut overflow, mut multiline) = (0usize, false, false);
        let write_lines = |config: &Config, p: &Propagation<'_>| {
            propagator::inject(config, p, &mut |name: &str, value: &str| {
                multiline |= !one_line(name) || !one_line(value);
                needed = needed.saturating_add(name.len() + value.len() + 4);
                if !overflow {
                    overflow = [name, ": ", value, "\r\n"]
                        .iter()
                        .any(|part| w.push_str(part).is_err());
                }
            });
            Ok(())
        };
        let none = traceprop_str::NONE;
        // SAFETY: forwarded to the caller.
        unsafe { with_inject_args(config, propagation, none, none, write_lines) }?;
        if multiline {
            return Err(traceprop_result::TRACEPROP_RESULT_INVALID_VALUE);
        }
        // SAFETY: writable by the contract.
        unsafe { out_len.write(needed) };
        if overflow {
            return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
        }
        Ok(())
    })
}

/// Injects `propagation` into caller storage without a callback: each
/// header's name and value bytes are copied into `buf` and described by a
/// `traceprop_header` view (into `buf`) in `headers`. On success
/// `*out_headers_len` is the header count and `*out_buf_len` the bytes used;
/// on BUFFER_TOO_SMALL both hold the sizes needed (and the arrays are
/// unspecified).
///
/// # Safety
/// `config`, `propagation` (arrays and views too) NULL or valid; `buf` NULL or
/// valid for `buf_len` byte writes; `headers` NULL or valid for `headers_cap`
/// writes; the out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_inject_headers(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    buf: *mut c_char,
    buf_len: usize,
    headers: *mut traceprop_header,
    headers_cap: usize,
    out_headers_len: *mut usize,
    out_buf_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let none = traceprop_str::NONE;
        let out = HeadersOut::new(
            buf,
            buf_len,
            headers,
            headers_cap,
            out_headers_len,
            out_buf_len,
        )?;
        // SAFETY: forwarded to the caller.
        unsafe { inject_headers(config, propagation, none, none, out) }
    })
}

/// `traceprop_inject_headers` with the tracestate and the baggage given as
/// header values, for a caller that holds them as text (an OpenTelemetry
/// SDK's serialized `TraceState` and `Baggage`): a non-NULL `tracestate` or
/// `baggage` is read as extraction reads that header (an invalid tracestate
/// is dropped whole, an invalid baggage member alone) and stands for
/// `propagation`'s members of that kind; NULL uses the members. With
/// `baggage` = `"k=v,bad key=1"` the `baggage` header written is `k=v`; with
/// `tracestate` = `"a=1,B=2"` (invalid) no `tracestate` header is written.
///
/// # Safety
/// As `traceprop_inject_headers`; `tracestate` and `baggage` NULL or valid
/// for their length.
#[no_mangle]
pub unsafe extern "C" fn traceprop_inject_headers_text(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    tracestate: traceprop_str,
    baggage: traceprop_str,
    buf: *mut c_char,
    buf_len: usize,
    headers: *mut traceprop_header,
    headers_cap: usize,
    out_headers_len: *mut usize,
    out_buf_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = HeadersOut::new(
            buf,
            buf_len,
            headers,
            headers_cap,
            out_headers_len,
            out_buf_len,
        )?;
        // SAFETY: forwarded to the caller.
        unsafe { inject_headers(config, propagation, tracestate, baggage, out) }
    })
}

/// The checked output arguments of the `traceprop_inject_headers*` functions.
struct HeadersOut {
    buf: *mut c_char,
    buf_len: usize,
    headers: OutArray<traceprop_header>,
    headers_len: Out<usize>,
    buf_used: Out<usize>,
}

impl HeadersOut {
    fn new(
        buf: *mut c_char,
        buf_len: usize,
        headers: *mut traceprop_header,
        headers_cap: usize,
        headers_len: *mut usize,
        buf_used: *mut usize,
    ) -> Result<Self, traceprop_result> {
        Ok(HeadersOut {
            buf,
            buf_len,
            headers: OutArray::new(headers, headers_cap)?,
            headers_len: Out::new(headers_len)?,
            buf_used: Out::new(buf_used)?,
        })
    }
}

/// The body of the `traceprop_inject_headers*` functions.
///
/// # Safety
/// As `traceprop_inject_headers_text`, for the pointers `out` was made of.
unsafe fn inject_headers(
    config: *const traceprop_config,
    propagation: *const traceprop_propagation,
    tracestate: traceprop_str,
    baggage: traceprop_str,
    out: HeadersOut,
) -> Result<(), traceprop_result> {
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { ptr::buffer(out.buf, out.buf_len) }?;
    let base: *const c_char = out.buf;
    let headers = &out.headers;
    let (mut used, mut count, mut overflow) = (0usize, 0usize, false);
    let copy_out = |config: &Config, p: &Propagation<'_>| {
        propagator::inject(config, p, &mut |name: &str, value: &str| {
            let start = used;
            let end = start.saturating_add(name.len()).saturating_add(value.len());
            used = end;
            count += 1;
            overflow |= count > headers.capacity();
            let Some(dst) = bytes.get_mut(start..end).filter(|_| !overflow) else {
                overflow = true;
                return;
            };
            let (n, v) = dst.split_at_mut(name.len());
            n.copy_from_slice(name.as_bytes());
            v.copy_from_slice(value.as_bytes());
            // SAFETY: `start + name.len() <= end <= buf_len`, so both
            // offsets stay inside the caller's buffer.
            let (name_ptr, value_ptr) = unsafe { (base.add(start), base.add(start + name.len())) };
            let view = traceprop_header {
                name: traceprop_str {
                    ptr: name_ptr,
                    len: name.len(),
                },
                value: traceprop_str {
                    ptr: value_ptr,
                    len: value.len(),
                },
            };
            // SAFETY: `count - 1 < headers_cap` (checked above); valid for
            // writes by the contract.
            unsafe { headers.set(count - 1, view) };
        });
        Ok(())
    };
    // SAFETY: forwarded to the caller.
    unsafe { with_inject_args(config, propagation, tracestate, baggage, copy_out) }?;
    // SAFETY: writable by the contract.
    unsafe {
        out.headers_len.write(count);
        out.buf_used.write(used);
    }
    if overflow {
        return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use traceprop::carrier::{OT_BAGGAGE_PREFIX, UBERCTX_PREFIX};
    use traceprop::{SpanId, TraceId};

    fn c_str(p: *const c_char) -> &'static str {
        // SAFETY: the functions under test return static NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn static_names_match_the_core() {
        for f in Format::ALL {
            assert_eq!(
                c_str(traceprop_format_name(traceprop_format::from(f) as u32)),
                f.name()
            );
        }
        assert!(traceprop_format_name(TRACEPROP_FORMAT_COUNT as u32).is_null());
        for (i, h) in Header::ALL.iter().enumerate() {
            assert_eq!(c_str(traceprop_header_name(i)), h.name());
        }
        assert!(traceprop_header_name(Header::COUNT).is_null());
        assert_eq!(c_str(traceprop_header_prefix(0)), UBERCTX_PREFIX);
        assert_eq!(c_str(traceprop_header_prefix(1)), OT_BAGGAGE_PREFIX);
        assert!(traceprop_header_prefix(2).is_null());
        assert_eq!(c_str(traceprop_version()), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn config_round_trips() {
        let c = Config::parse("b3, datadog ,tracecontext").with_policy(Policy::First);
        assert_eq!(traceprop_config::of(&c).to_core(), Ok(c));
        let mut bad = traceprop_config::of(&c);
        bad.formats[0] = 99;
        assert_eq!(
            bad.to_core(),
            Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT)
        );
        bad = traceprop_config::of(&c);
        bad.formats_len = 12;
        assert_eq!(
            bad.to_core(),
            Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT)
        );
    }

    /// Injects with `traceprop_inject_headers_text`; the headers as
    /// `name: value` strings.
    fn inject_text(
        list: &str,
        p: &traceprop_propagation,
        tracestate: Option<&str>,
        baggage: Option<&str>,
    ) -> Vec<String> {
        let config = traceprop_config::of(&Config::parse(list));
        let view = |s: Option<&str>| {
            s.map_or(traceprop_str::NONE, |s| traceprop_str {
                ptr: s.as_ptr().cast(),
                len: s.len(),
            })
        };
        let mut buf = [0u8; 512];
        let none = traceprop_str::NONE;
        let mut headers = [traceprop_header {
            name: none,
            value: none,
        }; 8];
        let (mut n, mut used) = (0, 0);
        // SAFETY: every pointer is valid for its length.
        let r = unsafe {
            traceprop_inject_headers_text(
                &config,
                p,
                view(tracestate),
                view(baggage),
                buf.as_mut_ptr().cast(),
                buf.len(),
                headers.as_mut_ptr(),
                headers.len(),
                &mut n,
                &mut used,
            )
        };
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_OK);
        let text = |s: traceprop_str| {
            // SAFETY: the views point into `buf`, alive here.
            let bytes = unsafe { core::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        headers[..n]
            .iter()
            .map(|h| format!("{}: {}", text(h.name), text(h.value)))
            .collect()
    }

    #[test]
    fn header_values_stand_for_the_members() {
        let ctx =
            SpanContext::new(TraceId::from_u128(1), SpanId::from_u64(2)).with_sampled(Some(true));
        let member = traceprop_tracestate_member {
            key: traceprop_str::of("a"),
            value: traceprop_str::of("1"),
        };
        let p = traceprop_propagation {
            context: traceprop_context::of(&ctx),
            tracestate: &member,
            tracestate_len: 1,
            baggage: core::ptr::null(),
            baggage_len: 0,
        };
        let tp = "traceparent: 00-00000000000000000000000000000001-0000000000000002-01";
        // NULL values: the members.
        assert_eq!(
            inject_text("tracecontext,baggage", &p, None, None),
            [tp, "tracestate: a=1"]
        );
        // Values: read as extraction reads the headers.
        assert_eq!(
            inject_text(
                "tracecontext,baggage",
                &p,
                Some("b=2 , c=3"),
                Some("k=v,bad key=1")
            ),
            [tp, "tracestate: b=2,c=3", "baggage: k=v"]
        );
        // An invalid tracestate is dropped whole; an empty value is nothing.
        assert_eq!(
            inject_text("tracecontext,baggage", &p, Some("a=1,B=2"), Some("")),
            [tp]
        );
    }
}
