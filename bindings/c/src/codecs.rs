//! The single-value vendor codecs: parse one header value into a context,
//! encode a context into one header value. Multi-header formats (B3 multi,
//! OT, Datadog's headers) are written by the composite (`traceprop_inject`
//! with a one-format configuration); Datadog's headers are also parsed by
//! `traceprop_datadog_parse`.

use crate::guard::guard;
use crate::id::write_text;
use crate::ptr::{self, Out};
use crate::result::traceprop_result;
use crate::types::traceprop_context;
use core::ffi::c_char;
use traceprop::{b3, cloudtrace, grpc_trace_bin, jaeger, sw8, xray, Error, SpanContext};

/// Room for the longest value any of these codecs writes.
const SCRATCH_LEN: usize = 512;
const _: () = {
    assert!(b3::MAX_LEN <= SCRATCH_LEN);
    assert!(jaeger::MAX_LEN <= SCRATCH_LEN);
    assert!(xray::MAX_LEN <= SCRATCH_LEN);
    assert!(cloudtrace::MAX_LEN <= SCRATCH_LEN);
    assert!(sw8::MAX_LEN <= SCRATCH_LEN);
    assert!(grpc_trace_bin::MAX_LEN * 2 <= SCRATCH_LEN);
};

/// Parses the text at `(s, len)` with `parse` and writes the context.
///
/// # Safety
/// `s` NULL or valid for `len` bytes (for as long as the context's views are
/// used); `out` NULL or writable.
unsafe fn parse_with(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
    parse: impl for<'a> FnOnce(&'a str) -> Result<SpanContext<'a>, Error>,
) -> Result<(), traceprop_result> {
    let out = Out::new(out)?;
    // SAFETY: `s` is valid for `len` bytes by the contract.
    let ctx = parse(unsafe { ptr::text(s, len) }?)?;
    // SAFETY: writable by the contract.
    unsafe { out.write(traceprop_context::of(&ctx)) };
    Ok(())
}

/// Encodes `*ctx` with `encode` into `buf`.
///
/// # Safety
/// `ctx` NULL or valid (views too); `buf` NULL or valid for `len` byte writes;
/// `out_len` NULL or writable.
unsafe fn encode_with(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
    encode: impl FnOnce(&SpanContext<'_>, &mut [u8]) -> Result<usize, Error>,
) -> Result<(), traceprop_result> {
    // SAFETY: `ctx` and its views are valid by the contract.
    let ctx = unsafe { ptr::input(ctx)?.to_core()? };
    let mut scratch = [0u8; SCRATCH_LEN];
    let n = encode(&ctx, &mut scratch)?;
    // SAFETY: forwarded to the caller.
    unsafe { write_text(scratch.get(..n).unwrap_or_default(), buf, len, out_len) }
}

/// Parses a single `b3` header value (SEMANTICS §3). A sampling-only value
/// (`0`, `1`, `d`) is SAMPLING_ONLY: it carries no context.
///
/// # Safety
/// `s` NULL or valid for `len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_b3_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    guard(|| {
        // SAFETY: forwarded to the caller.
        unsafe {
            parse_with(s, len, out, |v| {
                b3::parse_single(v)?.context().ok_or(Error::SamplingOnly)
            })
        }
    })
}

/// Writes the single `b3` header value of `ctx`.
///
/// # Safety
/// `ctx` NULL or valid (views too); `buf` NULL or valid for `len` byte
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_b3_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, b3::encode_single) })
}

/// Parses a Jaeger `uber-trace-id` value (SEMANTICS §4).
///
/// # Safety
/// As `traceprop_b3_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_jaeger_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_with(s, len, out, |v| Ok(jaeger::parse(v)?.context())) })
}

/// Writes the `uber-trace-id` value of `ctx`.
///
/// # Safety
/// As `traceprop_b3_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_jaeger_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, jaeger::encode) })
}

/// Parses an AWS `X-Amzn-Trace-Id` value (SEMANTICS §7); unknown fields are
/// kept in the context's `xray_extra` (a view into `s`).
///
/// # Safety
/// As `traceprop_b3_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_xray_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_with(s, len, out, |v| Ok(xray::parse(v)?.context())) })
}

/// Writes the `X-Amzn-Trace-Id` value of `ctx`, preserved fields included.
///
/// # Safety
/// As `traceprop_b3_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_xray_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, xray::encode) })
}

/// Parses a Google `X-Cloud-Trace-Context` value (SEMANTICS §8).
///
/// # Safety
/// As `traceprop_b3_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_cloudtrace_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_with(s, len, out, |v| Ok(cloudtrace::parse(v)?.context())) })
}

/// Writes the `X-Cloud-Trace-Context` value of `ctx`.
///
/// # Safety
/// As `traceprop_b3_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_cloudtrace_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, cloudtrace::encode) })
}

/// Parses a SkyWalking `sw8` value into the context it maps to.
///
/// # Safety
/// As `traceprop_b3_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_sw8_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_with(s, len, out, |v| sw8::parse(v)?.context()) })
}

/// Writes the `sw8` value of `ctx`.
///
/// # Safety
/// As `traceprop_b3_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_sw8_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, sw8::encode) })
}

/// Parses a `grpc-trace-bin` value as sent in text metadata (base64).
///
/// # Safety
/// As `traceprop_b3_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_grpc_trace_bin_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe {
        parse_with(
            s,
            len,
            out,
            |v| Ok(grpc_trace_bin::parse_text(v)?.context()),
        )
    })
}

/// Writes the base64 `grpc-trace-bin` text value of `ctx`.
///
/// # Safety
/// As `traceprop_b3_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_grpc_trace_bin_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf, len, out_len, grpc_trace_bin::encode_text) })
}

/// Parses the binary `grpc-trace-bin` form (`len` bytes at `bytes`).
///
/// # Safety
/// `bytes` NULL or valid for `len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_grpc_trace_bin_parse_bytes(
    bytes: *const u8,
    len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `bytes` is valid for `len` bytes by the contract.
        let parsed = grpc_trace_bin::parse(unsafe { ptr::slice(bytes, len) }?)?;
        // SAFETY: writable by the contract.
        unsafe { out.write(traceprop_context::of(&parsed.context())) };
        Ok(())
    })
}

/// Writes the binary `grpc-trace-bin` form of `ctx` (29 bytes).
///
/// # Safety
/// As `traceprop_b3_encode`, with `buf` as bytes.
#[no_mangle]
pub unsafe extern "C" fn traceprop_grpc_trace_bin_encode_bytes(
    ctx: *const traceprop_context,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { encode_with(ctx, buf.cast(), len, out_len, grpc_trace_bin::encode) })
}

/// Parses Datadog's headers (SEMANTICS §6): the two decimal ids, and the
/// optional sampling priority, origin and `x-datadog-tags` values (a NULL
/// pointer means the header is absent). The context's views point into them.
///
/// # Safety
/// Each string NULL or valid for its length; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_datadog_parse(
    trace_id: *const c_char,
    trace_id_len: usize,
    parent_id: *const c_char,
    parent_id_len: usize,
    sampling_priority: *const c_char,
    sampling_priority_len: usize,
    origin: *const c_char,
    origin_len: usize,
    tags: *const c_char,
    tags_len: usize,
    out: *mut traceprop_context,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        let optional = |s: *const c_char, len| {
            // SAFETY: each string is NULL or valid for its length by the contract.
            unsafe { ptr::optional_view(crate::types::traceprop_str { ptr: s, len }) }
        };
        // SAFETY: as above.
        let (trace_id, parent_id) = unsafe {
            (
                ptr::text(trace_id, trace_id_len)?,
                ptr::text(parent_id, parent_id_len)?,
            )
        };
        let ctx = traceprop::datadog::parse(
            trace_id,
            parent_id,
            optional(sampling_priority, sampling_priority_len)?,
            optional(origin, origin_len)?,
            optional(tags, tags_len)?,
        )?;
        // SAFETY: writable by the contract.
        unsafe { out.write(traceprop_context::of(&ctx)) };
        Ok(())
    })
}

/// Decodes the context's Datadog origin into `buf` (the tracestate spelling's
/// `~` becomes `=`); needs `ctx->origin.len` bytes. MISSING when there is no
/// origin.
///
/// # Safety
/// `ctx` NULL or valid (views too); `buf` NULL or valid for `len` byte
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_context_origin_decode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out_len)?;
        // SAFETY: `ctx` and its views are valid by the contract.
        let ctx = unsafe { ptr::input(ctx)?.to_core()? };
        let origin = ctx.origin.ok_or(Error::Missing)?;
        // SAFETY: forwarded to the caller.
        let buf = unsafe { ptr::buffer(buf, len) }?;
        let result = origin.decode_into(buf).map(str::len);
        // SAFETY: writable by the contract.
        unsafe { out.write(result.unwrap_or(origin.len())) };
        result.map(|_| ()).map_err(Into::into)
    })
}
