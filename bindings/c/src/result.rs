//! The result codes: `OK = 0`, the core's [`Error`] kinds with their stable
//! [`Error::code`] numbers, and the C-only codes from 1000 on.

use crate::guard::guard_value;
use core::ffi::{c_char, CStr};
use traceprop::Error;

/// What a function did. Numbers are stable and never reused: 1 to 999 mirror
/// the core's error codes, 1000 and up are errors of the C boundary itself.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum traceprop_result {
    /// Success.
    TRACEPROP_RESULT_OK = 0,
    /// The value is empty (after trimming optional white space).
    TRACEPROP_RESULT_EMPTY = 1,
    /// A field or value has the wrong number of characters or bytes.
    TRACEPROP_RESULT_INVALID_LENGTH = 2,
    /// A character that must be lowercase hex is not.
    TRACEPROP_RESULT_INVALID_HEX = 3,
    /// A character that must be a decimal digit is not.
    TRACEPROP_RESULT_INVALID_DECIMAL = 4,
    /// A number does not fit its field.
    TRACEPROP_RESULT_OUT_OF_RANGE = 5,
    /// A trace id or span id is all zeros.
    TRACEPROP_RESULT_ZERO_ID = 6,
    /// The version field is invalid or not supported.
    TRACEPROP_RESULT_UNSUPPORTED_VERSION = 7,
    /// The value does not have the structure of its format.
    TRACEPROP_RESULT_MALFORMED = 8,
    /// The flags or sampling field holds a value the format does not allow.
    TRACEPROP_RESULT_INVALID_SAMPLING = 9,
    /// A list member's key does not follow the format's key grammar.
    TRACEPROP_RESULT_INVALID_KEY = 10,
    /// A list member's value does not follow the format's value grammar (or
    /// a header value cannot be written on one line).
    TRACEPROP_RESULT_INVALID_VALUE = 11,
    /// A header that must appear once was sent on several lines.
    TRACEPROP_RESULT_DUPLICATE = 12,
    /// A list has more members than its format allows.
    TRACEPROP_RESULT_TOO_MANY_MEMBERS = 13,
    /// A value exceeds its format's size limit.
    TRACEPROP_RESULT_TOO_LONG = 14,
    /// The output buffer is too small; the size needed was reported.
    TRACEPROP_RESULT_BUFFER_TOO_SMALL = 15,
    /// A required field or header is missing.
    TRACEPROP_RESULT_MISSING = 16,
    /// The value carries only a sampling decision, no ids.
    TRACEPROP_RESULT_SAMPLING_ONLY = 17,
    /// A base64 field is not valid base64.
    TRACEPROP_RESULT_INVALID_BASE64 = 18,
    /// A percent escape is malformed.
    TRACEPROP_RESULT_INVALID_ESCAPE = 19,
    /// A value is not valid UTF-8 where text is required.
    TRACEPROP_RESULT_INVALID_UTF8 = 20,
    /// An id does not fit the narrower encoding asked for.
    TRACEPROP_RESULT_TRUNCATION = 21,
    /// A propagator name is not known.
    TRACEPROP_RESULT_UNKNOWN_PROPAGATOR = 22,
    // 23..=999: reserved for new core error kinds, in the core's numbering.
    /// A required pointer is NULL, or NULL with a non-zero length.
    TRACEPROP_RESULT_NULL_PARAMETER = 1000,
    /// The library panicked (a bug: please report it). Nothing was written.
    TRACEPROP_RESULT_PANIC = 1001,
    /// An argument is out of its domain: an unknown enum value, a misaligned
    /// pointer, a length beyond `PTRDIFF_MAX`.
    TRACEPROP_RESULT_INVALID_ARGUMENT = 1002,
    /// A core error this version of the C ABI does not know (never returned
    /// while the mapping test passes).
    TRACEPROP_RESULT_UNKNOWN_ERROR = 1003,
}

use traceprop_result as R;

impl From<Error> for traceprop_result {
    fn from(e: Error) -> Self {
        match e {
            Error::Empty => R::TRACEPROP_RESULT_EMPTY,
            Error::InvalidLength => R::TRACEPROP_RESULT_INVALID_LENGTH,
            Error::InvalidHex => R::TRACEPROP_RESULT_INVALID_HEX,
            Error::InvalidDecimal => R::TRACEPROP_RESULT_INVALID_DECIMAL,
            Error::OutOfRange => R::TRACEPROP_RESULT_OUT_OF_RANGE,
            Error::ZeroId => R::TRACEPROP_RESULT_ZERO_ID,
            Error::UnsupportedVersion => R::TRACEPROP_RESULT_UNSUPPORTED_VERSION,
            Error::Malformed => R::TRACEPROP_RESULT_MALFORMED,
            Error::InvalidSampling => R::TRACEPROP_RESULT_INVALID_SAMPLING,
            Error::InvalidKey => R::TRACEPROP_RESULT_INVALID_KEY,
            Error::InvalidValue => R::TRACEPROP_RESULT_INVALID_VALUE,
            Error::Duplicate => R::TRACEPROP_RESULT_DUPLICATE,
            Error::TooManyMembers => R::TRACEPROP_RESULT_TOO_MANY_MEMBERS,
            Error::TooLong => R::TRACEPROP_RESULT_TOO_LONG,
            Error::BufferTooSmall => R::TRACEPROP_RESULT_BUFFER_TOO_SMALL,
            Error::Missing => R::TRACEPROP_RESULT_MISSING,
            Error::SamplingOnly => R::TRACEPROP_RESULT_SAMPLING_ONLY,
            Error::InvalidBase64 => R::TRACEPROP_RESULT_INVALID_BASE64,
            Error::InvalidEscape => R::TRACEPROP_RESULT_INVALID_ESCAPE,
            Error::InvalidUtf8 => R::TRACEPROP_RESULT_INVALID_UTF8,
            Error::Truncation => R::TRACEPROP_RESULT_TRUNCATION,
            Error::UnknownPropagator => R::TRACEPROP_RESULT_UNKNOWN_PROPAGATOR,
            _ => R::TRACEPROP_RESULT_UNKNOWN_ERROR,
        }
    }
}

impl traceprop_result {
    /// The result of a code received from C, if it is one.
    fn from_u32(code: u32) -> Option<Self> {
        const C_ONLY: [traceprop_result; 5] = [
            R::TRACEPROP_RESULT_OK,
            R::TRACEPROP_RESULT_NULL_PARAMETER,
            R::TRACEPROP_RESULT_PANIC,
            R::TRACEPROP_RESULT_INVALID_ARGUMENT,
            R::TRACEPROP_RESULT_UNKNOWN_ERROR,
        ];
        Error::from_code(code)
            .map(traceprop_result::from)
            .or_else(|| C_ONLY.into_iter().find(|r| *r as u32 == code))
    }

    /// `(snake_case name, message)`: the core's [`Error::name`] and message
    /// for core codes.
    fn describe(self) -> (&'static CStr, &'static CStr) {
        match self {
            R::TRACEPROP_RESULT_OK => (c"ok", c"success"),
            R::TRACEPROP_RESULT_EMPTY => (c"empty", c"empty value"),
            R::TRACEPROP_RESULT_INVALID_LENGTH => (c"invalid_length", c"invalid length"),
            R::TRACEPROP_RESULT_INVALID_HEX => (c"invalid_hex", c"invalid hex digit"),
            R::TRACEPROP_RESULT_INVALID_DECIMAL => (c"invalid_decimal", c"invalid decimal digit"),
            R::TRACEPROP_RESULT_OUT_OF_RANGE => (c"out_of_range", c"number out of range"),
            R::TRACEPROP_RESULT_ZERO_ID => (c"zero_id", c"all-zero id"),
            R::TRACEPROP_RESULT_UNSUPPORTED_VERSION => {
                (c"unsupported_version", c"unsupported version")
            }
            R::TRACEPROP_RESULT_MALFORMED => (c"malformed", c"malformed value"),
            R::TRACEPROP_RESULT_INVALID_SAMPLING => {
                (c"invalid_sampling", c"invalid sampling or flags")
            }
            R::TRACEPROP_RESULT_INVALID_KEY => (c"invalid_key", c"invalid key"),
            R::TRACEPROP_RESULT_INVALID_VALUE => (c"invalid_value", c"invalid value"),
            R::TRACEPROP_RESULT_DUPLICATE => (c"duplicate", c"header repeated"),
            R::TRACEPROP_RESULT_TOO_MANY_MEMBERS => (c"too_many_members", c"too many members"),
            R::TRACEPROP_RESULT_TOO_LONG => (c"too_long", c"value too long"),
            R::TRACEPROP_RESULT_BUFFER_TOO_SMALL => (c"buffer_too_small", c"buffer too small"),
            R::TRACEPROP_RESULT_MISSING => (c"missing", c"required field missing"),
            R::TRACEPROP_RESULT_SAMPLING_ONLY => {
                (c"sampling_only", c"sampling decision only, no ids")
            }
            R::TRACEPROP_RESULT_INVALID_BASE64 => (c"invalid_base64", c"invalid base64"),
            R::TRACEPROP_RESULT_INVALID_ESCAPE => (c"invalid_escape", c"invalid percent escape"),
            R::TRACEPROP_RESULT_INVALID_UTF8 => (c"invalid_utf8", c"invalid UTF-8"),
            R::TRACEPROP_RESULT_TRUNCATION => {
                (c"truncation", c"id does not fit without losing bits")
            }
            R::TRACEPROP_RESULT_UNKNOWN_PROPAGATOR => {
                (c"unknown_propagator", c"unknown propagator")
            }
            R::TRACEPROP_RESULT_NULL_PARAMETER => {
                (c"null_parameter", c"NULL pointer where a value is required")
            }
            R::TRACEPROP_RESULT_PANIC => {
                (c"panic", c"internal error (panic caught at the C boundary)")
            }
            R::TRACEPROP_RESULT_INVALID_ARGUMENT => {
                (c"invalid_argument", c"argument out of its domain")
            }
            R::TRACEPROP_RESULT_UNKNOWN_ERROR => (c"unknown_error", c"unknown error"),
        }
    }
}

/// A static, NUL-terminated message for `result` (nothing to free); NULL for
/// a number that is not a result code.
///
/// `traceprop_result_str(TRACEPROP_RESULT_INVALID_HEX)` is `"invalid hex digit"`.
#[no_mangle]
pub extern "C" fn traceprop_result_str(result: u32) -> *const c_char {
    guard_value(core::ptr::null(), || {
        traceprop_result::from_u32(result).map_or(core::ptr::null(), |r| r.describe().1.as_ptr())
    })
}

/// The stable snake_case name of `result` (`"invalid_hex"`), as every binding
/// exposes it; static, NUL-terminated; NULL for an unknown number.
#[no_mangle]
pub extern "C" fn traceprop_result_name(result: u32) -> *const c_char {
    guard_value(core::ptr::null(), || {
        traceprop_result::from_u32(result).map_or(core::ptr::null(), |r| r.describe().0.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_codes_are_mirrored_with_name_and_message() {
        for e in Error::ALL {
            let r = traceprop_result::from(e);
            assert_ne!(r, R::TRACEPROP_RESULT_UNKNOWN_ERROR, "{e:?} has no C code");
            assert_eq!(r as u32, e.code(), "{e:?}");
            let (name, message) = r.describe();
            assert_eq!(name.to_str().unwrap(), e.name());
            assert_eq!(message.to_str().unwrap(), e.to_string());
        }
    }

    #[test]
    fn every_code_round_trips() {
        let mut seen = 0;
        for code in 0..2000 {
            if let Some(r) = traceprop_result::from_u32(code) {
                assert_eq!(r as u32, code);
                assert!(!traceprop_result_str(code).is_null());
                seen += 1;
            } else {
                assert!(traceprop_result_name(code).is_null());
            }
        }
        assert_eq!(seen, Error::ALL.len() + 5);
    }
}
