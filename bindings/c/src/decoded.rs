//! Extraction for bindings that copy every string into another language's
//! own: the extraction plus, decoded into one caller buffer, the text that
//! needs decoding, in one call.

use crate::guard::guard;
use crate::propagator::{add_headers, traceprop_config, traceprop_extraction, write_extraction};
use crate::ptr::{self, Out};
use crate::result::traceprop_result;
use crate::types::{traceprop_header, traceprop_str, TRACEPROP_BAGGAGE_MAX_MEMBERS};
use core::ffi::c_char;
use core::ptr::addr_of_mut;
use traceprop::propagator::{self, Extraction};
use traceprop::{Error, Headers, Writer};

/// The text of an extraction that needs decoding, decoded by
/// `traceprop_extract_decoded`: views into the caller's buffer.
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct traceprop_decoded {
    /// Bytes of the buffer used; on BUFFER_TOO_SMALL, the bytes needed.
    pub len: usize,
    /// The kept tracestate as one header value (empty when none).
    pub tracestate: traceprop_str,
    /// The winning context's Datadog origin, decoded (`ptr == NULL` when none).
    pub origin: traceprop_str,
    /// The decoded value of each baggage member of the extraction (as many
    /// as its `baggage_len`).
    pub values: [traceprop_str; TRACEPROP_BAGGAGE_MAX_MEMBERS],
    /// The canonical properties (`p1;p2=x`) of each baggage member (empty
    /// when none).
    pub properties: [traceprop_str; TRACEPROP_BAGGAGE_MAX_MEMBERS],
}

/// `traceprop_extract`, and in the same call the text of the result decoded
/// into `buf` and described by `*decoded`: each baggage value decoded, each
/// member's properties in canonical form, the Datadog origin decoded, and the
/// kept tracestate as one header value. For a binding that copies every
/// string into its own: the decoded text is in one piece, the other views
/// point into `headers`.
///
/// BUFFER_TOO_SMALL writes only `decoded->len`, the bytes needed: call again
/// with a buffer that big. On success `decoded->len` is the bytes used.
///
/// # Safety
/// As `traceprop_extract`; `buf` NULL or valid for `buf_len` byte writes;
/// `decoded` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn traceprop_extract_decoded(
    config: *const traceprop_config,
    headers: *const traceprop_header,
    headers_len: usize,
    buf: *mut c_char,
    buf_len: usize,
    out: *mut traceprop_extraction,
    decoded: *mut traceprop_decoded,
) -> traceprop_result {
    guard(|| {
        let out = Out::new(out)?;
        let decoded = Out::new(decoded)?;
        // SAFETY: `buf` is valid for `buf_len` byte writes by the contract.
        let bytes = unsafe { ptr::buffer(buf, buf_len) }?;
        // SAFETY: `config` is NULL or valid by the contract.
        let config = unsafe { ptr::input(config) }?.to_core()?;
        let mut h = Headers::default();
        // SAFETY: forwarded to the caller.
        unsafe { add_headers(headers, headers_len, &mut h) }?;
        let mut x = Extraction::default();
        propagator::extract_headers_into(&config, &h, &mut x);
        let d = decoded.as_ptr();
        let needed = decoded_len(&x);
        if needed > bytes.len() {
            // SAFETY: `d` is valid for writes by the contract.
            unsafe { addr_of_mut!((*d).len).write(needed) };
            return Err(traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
        }
        // SAFETY: `out` and `d` are valid for writes by the contract.
        unsafe {
            write_extraction(&out, &x);
            write_decoded(d, &x, bytes)
        }
    })
}

/// An upper bound of what [`write_decoded`] writes: decoding never lengthens
/// a value, a property list or the origin.
fn decoded_len(x: &Extraction<'_>) -> usize {
    let members = x.baggage.members().iter();
    let baggage: usize = members
        .map(|m| m.value.raw().len() + m.properties.len())
        .sum();
    let origin = x.context.and_then(|c| c.origin).map_or(0, |o| o.len());
    baggage + origin + x.tracestate.encoded_len()
}

/// Decodes the text of `x` into `bytes` and writes its views into `*d`
/// field by field (only the used array entries).
///
/// # Safety
/// `d` is valid for writing a whole `traceprop_decoded`; `bytes` holds at
/// least [`decoded_len`] bytes.
unsafe fn write_decoded(
    d: *mut traceprop_decoded,
    x: &Extraction<'_>,
    bytes: &mut [u8],
) -> Result<(), traceprop_result> {
    let mut text = Text { bytes, used: 0 };
    let tracestate = text.put(|buf| x.tracestate.encode(buf))?;
    let origin = match x.context.and_then(|c| c.origin) {
        Some(o) => text.put(|buf| o.decode_into(buf).map(str::len))?,
        None => traceprop_str::NONE,
    };
    // SAFETY: `d` is valid by the contract; no reference is created.
    let (values, properties) = unsafe {
        (
            addr_of_mut!((*d).values).cast::<traceprop_str>(),
            addr_of_mut!((*d).properties).cast::<traceprop_str>(),
        )
    };
    for (i, m) in x
        .baggage
        .members()
        .iter()
        .take(TRACEPROP_BAGGAGE_MAX_MEMBERS)
        .enumerate()
    {
        let value = text.put(|buf| m.value.decode_into(buf).map(str::len))?;
        let props = if m.properties.is_empty() {
            text.put(|_| Ok(0))?
        } else {
            text.put(|buf| {
                let mut w = Writer::new(buf);
                m.write_properties(&mut w).map(|()| w.len())
            })?
        };
        // SAFETY: `i` is below both arrays' length (the `take`); `d` is
        // valid for writes by the contract.
        unsafe {
            values.add(i).write(value);
            properties.add(i).write(props);
        }
    }
    // SAFETY: `d` is valid for writes by the contract.
    unsafe {
        addr_of_mut!((*d).len).write(text.used);
        addr_of_mut!((*d).tracestate).write(tracestate);
        addr_of_mut!((*d).origin).write(origin);
    }
    Ok(())
}

/// The caller's buffer, filled from the front.
struct Text<'b> {
    bytes: &'b mut [u8],
    used: usize,
}

impl Text<'_> {
    /// Runs `write` on the free bytes; the view of the `n` bytes it wrote.
    fn put(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
    ) -> Result<traceprop_str, traceprop_result> {
        let free = self.bytes.get_mut(self.used..).unwrap_or_default();
        let n = write(free)?;
        let written = free.get(..n).ok_or(Error::BufferTooSmall)?;
        self.used += n;
        Ok(traceprop_str {
            ptr: written.as_ptr().cast(),
            len: n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{traceprop_header, traceprop_str};
    use core::mem::MaybeUninit;

    fn view(s: &str) -> traceprop_str {
        traceprop_str::of(s)
    }

    fn text(s: traceprop_str) -> &'static str {
        // SAFETY: the views under test point into live test buffers.
        let bytes = unsafe { core::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
        core::str::from_utf8(bytes).unwrap()
    }

    fn config(list: &str) -> traceprop_config {
        let mut c = MaybeUninit::uninit();
        // SAFETY: valid list and output.
        let r = unsafe {
            crate::propagator::traceprop_config_parse(
                list.as_ptr().cast(),
                list.len(),
                c.as_mut_ptr(),
            )
        };
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_OK);
        // SAFETY: written on success.
        unsafe { c.assume_init() }
    }

    /// Extracts `lines` into `buf`; the extraction and decoded text are boxed
    /// (both are large).
    fn extract(
        list: &str,
        lines: &[(&str, &str)],
        buf: &mut [u8],
    ) -> (
        traceprop_result,
        Box<traceprop_extraction>,
        Box<traceprop_decoded>,
    ) {
        let headers: Vec<traceprop_header> = lines
            .iter()
            .map(|(n, v)| traceprop_header {
                name: view(n),
                value: view(v),
            })
            .collect();
        // SAFETY: all-zero is a valid value of both (NULL views, `false`,
        // the enums' first variants).
        let (mut x, mut d): (Box<traceprop_extraction>, Box<traceprop_decoded>) =
            unsafe { (Box::new(core::mem::zeroed()), Box::new(core::mem::zeroed())) };
        let c = config(list);
        // SAFETY: every pointer is valid.
        let r = unsafe {
            traceprop_extract_decoded(
                &c,
                headers.as_ptr(),
                headers.len(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut *x,
                &mut *d,
            )
        };
        (r, x, d)
    }

    const LINES: [(&str, &str); 3] = [
        (
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ),
        ("tracestate", "dd=o:synthetics~web, congo=t61rcWkgMzE"),
        ("Baggage", "a=Am%C3%A9lie; p1 ; p2 = x,b=plain"),
    ];

    #[test]
    fn decodes_into_one_buffer() {
        let mut buf = [0u8; 256];
        let (r, x, d) = extract("tracecontext,baggage,datadog", &LINES, &mut buf);
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_OK);
        assert!(x.has_context && x.baggage_len == 2);
        assert_eq!(text(d.tracestate), "dd=o:synthetics~web,congo=t61rcWkgMzE");
        assert_eq!(text(d.origin), "synthetics=web");
        assert_eq!([text(d.values[0]), text(d.values[1])], ["Amélie", "plain"]);
        assert_eq!(
            [text(d.properties[0]), text(d.properties[1])],
            ["p1;p2=x", ""]
        );
        // Every view is in the used part of the buffer.
        let used = buf.as_ptr_range().start as usize..buf.as_ptr() as usize + d.len;
        for v in [d.tracestate, d.origin, d.values[0], d.values[1]] {
            assert!(used.contains(&(v.ptr as usize)) && v.ptr as usize + v.len <= used.end);
        }
    }

    #[test]
    fn short_buffer_reports_the_size_needed() {
        let (r, _, d) = extract("tracecontext,baggage,datadog", &LINES, &mut [0u8; 8]);
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_BUFFER_TOO_SMALL);
        let mut buf = vec![0u8; d.len];
        let (r, _, _) = extract("tracecontext,baggage,datadog", &LINES, &mut buf);
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_OK);
        // Nothing to decode needs no buffer; no origin is NULL.
        let (r, x, d) = extract(
            "b3",
            &[("b3", "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")],
            &mut [],
        );
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_OK);
        assert!(x.has_context && d.len == 0 && d.origin.ptr.is_null() && d.tracestate.len == 0);
    }

    #[test]
    fn null_outputs_are_refused() {
        let c = config("tracecontext");
        // SAFETY: NULL outputs are checked before use.
        let r = unsafe {
            traceprop_extract_decoded(
                &c,
                core::ptr::null(),
                0,
                core::ptr::null_mut(),
                0,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
            )
        };
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER);
    }
}
