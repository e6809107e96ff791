//! Trace and span ids: hex, decimal, Datadog and AWS X-Ray encodings.

use crate::guard::{guard, guard_value};
use crate::ptr::{self, Out};
use crate::result::traceprop_result;
use crate::types::{traceprop_span_id, traceprop_trace_id};
use core::ffi::c_char;
use traceprop::{Error, SpanId, TraceId};

/// Parses the text at `(s, len)` with `parse` and writes the id to `*out`.
///
/// # Safety
/// `s` is NULL or valid for `len` bytes; `out` is NULL or writable.
unsafe fn parse_id<I, O: From<I>>(
    s: *const c_char,
    len: usize,
    out: *mut O,
    parse: impl FnOnce(&str) -> Result<I, Error>,
) -> Result<(), traceprop_result> {
    let out = Out::new(out)?;
    // SAFETY: `s` is valid for `len` bytes by the contract.
    let id = parse(unsafe { ptr::text(s, len) }?)?;
    // SAFETY: `out` is writable by the contract.
    unsafe { out.write(id.into()) };
    Ok(())
}

/// Copies `s` into `buf` and stores its length in `*out_len`; when `len` is
/// too short, stores the length needed and returns BUFFER_TOO_SMALL.
///
/// # Safety
/// `buf` is NULL or valid for `len` byte writes; `out_len` NULL or valid.
pub(crate) unsafe fn write_text(
    s: &[u8],
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> Result<(), traceprop_result> {
    let out_len = Out::new(out_len)?;
    // SAFETY: forwarded to the caller.
    let buf = unsafe { ptr::buffer(buf, len) }?;
    match buf.get_mut(..s.len()) {
        Some(dst) => {
            dst.copy_from_slice(s);
            // SAFETY: `out_len` is valid for a write by the caller's contract.
            unsafe { out_len.write(s.len()) };
            Ok(())
        }
        None => {
            // SAFETY: as above.
            unsafe { out_len.write(s.len()) };
            Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL)
        }
    }
}

/// Parses exactly 32 lowercase hex digits into `*out` (non-zero).
///
/// # Safety
/// `s` is NULL or valid for `len` bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_from_hex(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_trace_id,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_id(s, len, out, TraceId::from_hex) })
}

/// Parses 16 or 32 lowercase hex digits (B3, OT); 16 are left-padded.
///
/// # Safety
/// As `traceprop_trace_id_from_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_from_hex_short(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_trace_id,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_id(s, len, out, TraceId::from_hex_short) })
}

/// Writes the 32 lowercase hex digits of `id` (needs 32 bytes).
///
/// # Safety
/// `buf` is NULL or valid for `len` byte writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_to_hex(
    id: traceprop_trace_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let hex = TraceId::from(id).to_hex();
        // SAFETY: forwarded to the caller.
        unsafe { write_text(hex.as_bytes(), buf, len, out_len) }
    })
}

/// Parses Datadog's decimal 64-bit trace id plus the optional `_dd.p.tid`
/// (16 lowercase hex, the high 64 bits; `tid_len == 0` means none).
///
/// # Safety
/// `decimal`/`tid` are NULL or valid for their lengths; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_from_datadog(
    decimal: *const c_char,
    decimal_len: usize,
    tid: *const c_char,
    tid_len: usize,
    out: *mut traceprop_trace_id,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: the strings are valid for their lengths by the contract.
        let (decimal, tid) =
            unsafe { (ptr::text(decimal, decimal_len)?, ptr::text(tid, tid_len)?) };
        let id = TraceId::from_datadog(decimal, (!tid.is_empty()).then_some(tid))?;
        // SAFETY: `out` is writable by the contract.
        unsafe { out.write(id.into()) };
        Ok(())
    })
}

/// Writes Datadog's trace id: the low 64 bits in decimal (at most 20 bytes).
///
/// # Safety
/// As `traceprop_trace_id_to_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_to_datadog(
    id: traceprop_trace_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let (decimal, _) = TraceId::from(id).to_datadog();
        // SAFETY: forwarded to the caller.
        unsafe { write_text(decimal.as_bytes(), buf, len, out_len) }
    })
}

/// Writes Datadog's `_dd.p.tid` (the high 64 bits as 16 hex digits), or
/// nothing (`*out_len == 0`) when they are zero.
///
/// # Safety
/// As `traceprop_trace_id_to_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_to_datadog_tid(
    id: traceprop_trace_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let (_, tid) = TraceId::from(id).to_datadog();
        let bytes = tid.as_ref().map_or(&[][..], |t| t.as_bytes());
        // SAFETY: forwarded to the caller.
        unsafe { write_text(bytes, buf, len, out_len) }
    })
}

/// Parses an AWS X-Ray `Root` value, `1-{8 hex}-{24 hex}`.
///
/// # Safety
/// As `traceprop_trace_id_from_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_from_xray_root(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_trace_id,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_id(s, len, out, TraceId::from_xray_root) })
}

/// Writes the AWS X-Ray `Root` value of `id` (needs 35 bytes).
///
/// # Safety
/// As `traceprop_trace_id_to_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_trace_id_to_xray_root(
    id: traceprop_trace_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let root = TraceId::from(id).to_xray_root();
        // SAFETY: forwarded to the caller.
        unsafe { write_text(root.as_bytes(), buf, len, out_len) }
    })
}

/// Whether `id` is not all zeros.
#[no_mangle]
pub extern "C" fn traceprop_trace_id_is_valid(id: traceprop_trace_id) -> bool {
    guard_value(false, || TraceId::from(id).is_valid())
}

/// Parses exactly 16 lowercase hex digits into `*out` (non-zero).
///
/// # Safety
/// `s` is NULL or valid for `len` bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_span_id_from_hex(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_span_id,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_id(s, len, out, SpanId::from_hex) })
}

/// Writes the 16 lowercase hex digits of `id`.
///
/// # Safety
/// `buf` is NULL or valid for `len` byte writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_span_id_to_hex(
    id: traceprop_span_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let hex = SpanId::from(id).to_hex();
        // SAFETY: forwarded to the caller.
        unsafe { write_text(hex.as_bytes(), buf, len, out_len) }
    })
}

/// Parses 1 to 20 decimal digits (Datadog parent id, Cloud Trace span id),
/// at most 2^64-1, non-zero.
///
/// # Safety
/// As `traceprop_span_id_from_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_span_id_from_decimal(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_span_id,
) -> traceprop_result {
    // SAFETY: forwarded to the caller.
    guard(|| unsafe { parse_id(s, len, out, SpanId::from_decimal) })
}

/// Writes `id` in decimal, without leading zeros (at most 20 bytes).
///
/// # Safety
/// As `traceprop_span_id_to_hex`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_span_id_to_decimal(
    id: traceprop_span_id,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let decimal = SpanId::from(id).to_decimal();
        // SAFETY: forwarded to the caller.
        unsafe { write_text(decimal.as_bytes(), buf, len, out_len) }
    })
}

/// Whether `id` is not all zeros.
#[no_mangle]
pub extern "C" fn traceprop_span_id_is_valid(id: traceprop_span_id) -> bool {
    guard_value(false, || SpanId::from(id).is_valid())
}
