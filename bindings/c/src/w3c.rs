//! W3C codecs: `traceparent`, `tracestate` and `baggage`.

use crate::guard::guard;
use crate::id::write_text;
use crate::ptr::{self, Out, OutArray};
use crate::result::traceprop_result;
use crate::types::{
    traceprop_baggage_member, traceprop_context, traceprop_span_id, traceprop_str,
    traceprop_trace_id, traceprop_tracestate_member, TRACEPROP_BAGGAGE_MAX_LEN,
};
use core::ffi::c_char;
use traceprop::w3c::{baggage, traceparent};
use traceprop::{Baggage, Error, TraceFlags, TraceState, Writer};

/// A parsed `traceparent`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_traceparent {
    /// The version (`0x00`; higher versions are parsed as 00, `0xff` never).
    pub version: u8,
    /// The trace id.
    pub trace_id: traceprop_trace_id,
    /// The parent (span) id.
    pub span_id: traceprop_span_id,
    /// The flags as received, unknown bits included.
    pub flags: u8,
}

/// Parses one `traceparent` value (W3C Trace Context §3.2; SEMANTICS §1).
///
/// # Safety
/// `s` is NULL or valid for `len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_traceparent_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_traceparent,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `s` is valid for `len` bytes by the contract.
        let tp = traceparent::parse(unsafe { ptr::text(s, len) }?)?;
        let value = traceprop_traceparent {
            version: tp.version,
            trace_id: tp.trace_id.into(),
            span_id: tp.span_id.into(),
            flags: tp.flags.to_byte(),
        };
        // SAFETY: `out` is writable by the contract.
        unsafe { out.write(value) };
        Ok(())
    })
}

/// The context a parsed `traceparent` carries (sampled and random from the
/// flags, no other field).
///
/// # Safety
/// `tp` is NULL or valid; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_traceparent_context(
    tp: *const traceprop_traceparent,
    out: *mut traceprop_context,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        // SAFETY: `tp` is NULL or valid by the contract.
        let tp = unsafe { ptr::input(tp) }?;
        let parsed = traceparent::TraceParent {
            version: tp.version,
            trace_id: tp.trace_id.into(),
            span_id: tp.span_id.into(),
            flags: TraceFlags::from_byte(tp.flags),
        };
        // SAFETY: `out` is writable by the contract.
        unsafe { out.write(traceprop_context::of(&parsed.context())) };
        Ok(())
    })
}

/// Writes `00-{trace id}-{span id}-{flags}` for `ctx` (55 bytes).
///
/// # Safety
/// `ctx` is NULL or valid (its views too); `buf` NULL or valid for `len` byte
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_traceparent_encode(
    ctx: *const traceprop_context,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        // SAFETY: `ctx` and its views are valid by the contract.
        let ctx = unsafe { ptr::input(ctx)?.to_core()? };
        let mut scratch = [0u8; traceparent::MAX_LEN];
        let n = traceparent::encode(&ctx, &mut scratch)?;
        // SAFETY: forwarded to the caller.
        unsafe { write_text(scratch.get(..n).unwrap_or_default(), buf, len, out_len) }
    })
}

/// Writes the members of `list` into `out` (capacity `cap`) and their count
/// into `*out_len`; BUFFER_TOO_SMALL (with the count needed) when they do not fit.
///
/// # Safety
/// `out` is NULL or valid for `cap` writes; `out_len` NULL or writable.
unsafe fn write_members<T, U>(
    list: &[T],
    to_c: impl Fn(&T) -> U,
    out: *mut U,
    cap: usize,
    out_len: *mut usize,
) -> Result<(), traceprop_result> {
    let out_len = Out::new(out_len)?;
    let out = OutArray::new(out, cap)?;
    if list.len() > out.capacity() {
        // SAFETY: writable by the contract.
        unsafe { out_len.write(list.len()) };
        return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
    }
    for (i, m) in list.iter().enumerate() {
        // SAFETY: `i < list.len() <= cap`; valid for writes by the contract.
        unsafe { out.set(i, to_c(m)) };
    }
    // SAFETY: writable by the contract.
    unsafe { out_len.write(list.len()) };
    Ok(())
}

pub(crate) fn tracestate_member(
    m: &traceprop::w3c::tracestate::Member<'_>,
) -> traceprop_tracestate_member {
    traceprop_tracestate_member {
        key: traceprop_str::of(m.key),
        value: traceprop_str::of(m.value),
    }
}

/// Parses one `tracestate` value into at most `cap` member views (32 always
/// suffice). Any invalid member, or more than 32, rejects the whole value.
/// The views point into `s`.
///
/// # Safety
/// `s` is NULL or valid for `len` bytes; `out` NULL or valid for `cap`
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_tracestate_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_tracestate_member,
    cap: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        // SAFETY: `s` is valid for `len` bytes by the contract.
        let ts = TraceState::parse(unsafe { ptr::text(s, len) }?)?;
        // SAFETY: forwarded to the caller.
        unsafe { write_members(ts.members(), tracestate_member, out, cap, out_len) }
    })
}

/// Fills the empty `ts` with `members`, in order (a repeated key keeps its
/// first occurrence). Built in place: a returned `TraceState` would be
/// copied with room for every member.
///
/// # Safety
/// The member views are valid for `'a`.
pub(crate) unsafe fn tracestate_from_c<'a>(
    members: &[traceprop_tracestate_member],
    ts: &mut TraceState<'a>,
) -> Result<(), traceprop_result> {
    if members.len() > traceprop::w3c::tracestate::MAX_MEMBERS {
        return Err(Error::TooManyMembers.into());
    }
    // `put` moves a key to the front: putting from the last member to the
    // first rebuilds the order, and the first occurrence of a key wins.
    for m in members.iter().rev() {
        // SAFETY: the views are valid for `'a` by the contract.
        let (key, value) = unsafe { (ptr::view(m.key)?, ptr::view(m.value)?) };
        ts.put(key, value)?;
    }
    Ok(())
}

/// Writes `members` as a `tracestate` value (joined by `,`, no spaces);
/// `*out_len == 0` when there are none.
///
/// # Safety
/// `members` is NULL or valid for `members_len` reads (views too); `buf` NULL
/// or valid for `len` byte writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_tracestate_encode(
    members: *const traceprop_tracestate_member,
    members_len: usize,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out_len)?;
        let mut ts = TraceState::default();
        // SAFETY: `members` and their views are valid by the contract.
        unsafe { tracestate_from_c(ptr::slice(members, members_len)?, &mut ts)? };
        // SAFETY: forwarded to the caller.
        let buf = unsafe { ptr::buffer(buf, len) }?;
        let result = ts.encode(buf);
        // SAFETY: writable by the contract.
        unsafe { out.write(result.unwrap_or_else(|_| ts.encoded_len())) };
        result.map(|_| ()).map_err(Into::into)
    })
}

/// Parses one W3C `baggage` value into at most `cap` member views (180
/// always suffice). Invalid members are dropped alone (SEMANTICS §2). The
/// views point into `s`.
///
/// # Safety
/// As `traceprop_tracestate_parse`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_baggage_parse(
    s: *const c_char,
    len: usize,
    out: *mut traceprop_baggage_member,
    cap: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        // SAFETY: `s` is valid for `len` bytes by the contract.
        let b = Baggage::parse(unsafe { ptr::text(s, len) }?);
        // SAFETY: forwarded to the caller.
        unsafe { write_members(b.members(), traceprop_baggage_member::of, out, cap, out_len) }
    })
}

/// Fills the empty `b` with `members`, in order. Built in place: a returned
/// `Baggage` would be copied with room for every member (about 10 KiB).
///
/// # Safety
/// The member views are valid for `'a`.
pub(crate) unsafe fn baggage_from_c<'a>(
    members: &[traceprop_baggage_member],
    b: &mut Baggage<'a>,
) -> Result<(), traceprop_result> {
    for m in members {
        // SAFETY: the views are valid for `'a` by the contract.
        b.push(unsafe { m.to_core() }?)?;
    }
    Ok(())
}

/// Writes `members` as a W3C `baggage` value (SEMANTICS §2: values
/// percent-encoded, canonical properties). A member that is not valid W3C
/// baggage is left out.
///
/// # Safety
/// As `traceprop_tracestate_encode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_baggage_encode(
    members: *const traceprop_baggage_member,
    members_len: usize,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out_len)?;
        let mut b = Baggage::default();
        // SAFETY: `members` and their views are valid by the contract.
        unsafe { baggage_from_c(ptr::slice(members, members_len)?, &mut b)? };
        // SAFETY: forwarded to the caller.
        let buf = unsafe { ptr::buffer(buf, len) }?;
        match b.encode(buf) {
            Ok(n) => {
                // SAFETY: writable by the contract.
                unsafe { out.write(n) };
                Ok(())
            }
            Err(Error::BufferTooSmall) => {
                let mut scratch = [0u8; TRACEPROP_BAGGAGE_MAX_LEN];
                let needed = b.encode(&mut scratch)?;
                // SAFETY: writable by the contract.
                unsafe { out.write(needed) };
                Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL)
            }
            Err(e) => Err(e.into()),
        }
    })
}

/// Decodes a member's value into `buf` (invalid UTF-8 becomes U+FFFD).
/// Needs `member->value.len` bytes, the size reported with BUFFER_TOO_SMALL.
///
/// # Safety
/// `member` is NULL or valid (views too); `buf` NULL or valid for `len` byte
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_baggage_value_decode(
    member: *const traceprop_baggage_member,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out_len)?;
        // SAFETY: `member` and its views are valid by the contract.
        let m = unsafe { ptr::input(member)?.to_core()? };
        // SAFETY: forwarded to the caller.
        let buf = unsafe { ptr::buffer(buf, len) }?;
        match m.value.decode_into(buf) {
            Ok(s) => {
                // SAFETY: writable by the contract.
                unsafe { out.write(s.len()) };
                Ok(())
            }
            Err(e) => {
                // SAFETY: writable by the contract.
                unsafe { out.write(m.value.raw().len()) };
                Err(e.into())
            }
        }
    })
}

/// Writes a member's properties in canonical form (`p1;p2=x`: trimmed,
/// joined by `;`). Never longer than `member->properties.len`, the size
/// reported with BUFFER_TOO_SMALL.
///
/// # Safety
/// As `traceprop_baggage_value_decode`.
#[no_mangle]
pub unsafe extern "C" fn traceprop_baggage_properties_encode(
    member: *const traceprop_baggage_member,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out_len)?;
        // SAFETY: `member` and its views are valid by the contract.
        let m = unsafe { ptr::input(member)?.to_core()? };
        // SAFETY: forwarded to the caller.
        let mut w = Writer::new(unsafe { ptr::buffer(buf, len) }?);
        let result = m.write_properties(&mut w);
        let n = if result.is_ok() {
            w.len()
        } else {
            m.properties.len()
        };
        // SAFETY: writable by the contract.
        unsafe { out.write(n) };
        result.map_err(Into::into)
    })
}

/// One baggage property: a key and an optional value.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct traceprop_baggage_property {
    /// The key.
    pub key: traceprop_str,
    /// The value; `ptr == NULL` when the property has none.
    pub value: traceprop_str,
}

/// Splits a member's properties into at most `cap` views (trimmed), pointing
/// into `member->properties`.
///
/// # Safety
/// `member` is NULL or valid (views too); `out` NULL or valid for `cap`
/// writes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_baggage_properties_parse(
    member: *const traceprop_baggage_member,
    out: *mut traceprop_baggage_property,
    cap: usize,
    out_len: *mut usize,
) -> traceprop_result {
    guard(|| {
        let out_len = Out::new(out_len)?;
        let out = OutArray::new(out, cap)?;
        // SAFETY: `member` and its views are valid by the contract.
        let m: baggage::Member<'_> = unsafe { ptr::input(member)?.to_core()? };
        let count = m.properties().count();
        // SAFETY: writable by the contract.
        unsafe { out_len.write(count) };
        if count > out.capacity() {
            return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
        }
        for (i, (key, value)) in m.properties().enumerate() {
            let p = traceprop_baggage_property {
                key: traceprop_str::of(key),
                value: traceprop_str::of_option(value),
            };
            // SAFETY: `i < count <= cap`; valid for writes by the contract.
            unsafe { out.set(i, p) };
        }
        Ok(())
    })
}
