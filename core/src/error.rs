//! The one error type of the core.

/// What failed while parsing, encoding or converting.
///
/// Every kind says *what* was wrong with the input (or the output buffer), never
/// where in the code it happened. The numbers returned by [`Error::code`] are
/// stable: the C ABI and every binding expose them, so a kind is never renumbered
/// or reused; new kinds take new numbers.
///
/// ```
/// use traceprop::{Error, TraceId};
/// let err = TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").unwrap_err();
/// assert_eq!(err, Error::InvalidHex);
/// assert_eq!(err.code(), 3);
/// assert_eq!(err.name(), "invalid_hex");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The value is empty (after trimming optional white space).
    #[error("empty value")]
    Empty,
    /// A field or value has the wrong number of characters or bytes.
    #[error("invalid length")]
    InvalidLength,
    /// A character that must be lowercase hex is not.
    #[error("invalid hex digit")]
    InvalidHex,
    /// A character that must be a decimal digit is not.
    #[error("invalid decimal digit")]
    InvalidDecimal,
    /// A number does not fit its field (e.g. a decimal id above 2^64-1).
    #[error("number out of range")]
    OutOfRange,
    /// A trace id or span id is all zeros.
    #[error("all-zero id")]
    ZeroId,
    /// The version field is invalid or not supported (e.g. traceparent `ff`).
    #[error("unsupported version")]
    UnsupportedVersion,
    /// The value does not have the structure of its format (separators, field count).
    #[error("malformed value")]
    Malformed,
    /// The flags or sampling field holds a value the format does not allow.
    #[error("invalid sampling or flags")]
    InvalidSampling,
    /// A list member's key does not follow the format's key grammar.
    #[error("invalid key")]
    InvalidKey,
    /// A list member's value does not follow the format's value grammar.
    #[error("invalid value")]
    InvalidValue,
    /// A header that must appear once was sent on several lines.
    #[error("header repeated")]
    Duplicate,
    /// A list has more members than its format allows.
    #[error("too many members")]
    TooManyMembers,
    /// A value exceeds its format's size limit.
    #[error("value too long")]
    TooLong,
    /// The caller's output buffer cannot hold the result.
    #[error("buffer too small")]
    BufferTooSmall,
    /// A required field or header is missing.
    #[error("required field missing")]
    Missing,
    /// The value carries only a sampling decision, no trace or span id (B3 `b3: 0`).
    #[error("sampling decision only, no ids")]
    SamplingOnly,
    /// A base64 field is not valid base64.
    #[error("invalid base64")]
    InvalidBase64,
    /// A percent escape (`%XX`) is malformed.
    #[error("invalid percent escape")]
    InvalidEscape,
    /// A value is not valid UTF-8 where text is required.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// An id does not fit the narrower encoding asked for (e.g. a 128-bit trace id
    /// into a 64-bit-only field) and the conversion would lose bits.
    #[error("id does not fit without losing bits")]
    Truncation,
    /// A propagator name is not known.
    #[error("unknown propagator")]
    UnknownPropagator,
}

impl Error {
    /// Every kind, in code order (the index + 1 is the code).
    pub const ALL: [Error; 22] = [
        Error::Empty,
        Error::InvalidLength,
        Error::InvalidHex,
        Error::InvalidDecimal,
        Error::OutOfRange,
        Error::ZeroId,
        Error::UnsupportedVersion,
        Error::Malformed,
        Error::InvalidSampling,
        Error::InvalidKey,
        Error::InvalidValue,
        Error::Duplicate,
        Error::TooManyMembers,
        Error::TooLong,
        Error::BufferTooSmall,
        Error::Missing,
        Error::SamplingOnly,
        Error::InvalidBase64,
        Error::InvalidEscape,
        Error::InvalidUtf8,
        Error::Truncation,
        Error::UnknownPropagator,
    ];

    /// The stable number of this kind (never 0: bindings use 0 for success).
    ///
    /// ```
    /// assert_eq!(traceprop::Error::BufferTooSmall.code(), 15);
    /// ```
    #[must_use]
    pub const fn code(self) -> u32 {
        match self {
            Error::Empty => 1,
            Error::InvalidLength => 2,
            Error::InvalidHex => 3,
            Error::InvalidDecimal => 4,
            Error::OutOfRange => 5,
            Error::ZeroId => 6,
            Error::UnsupportedVersion => 7,
            Error::Malformed => 8,
            Error::InvalidSampling => 9,
            Error::InvalidKey => 10,
            Error::InvalidValue => 11,
            Error::Duplicate => 12,
            Error::TooManyMembers => 13,
            Error::TooLong => 14,
            Error::BufferTooSmall => 15,
            Error::Missing => 16,
            Error::SamplingOnly => 17,
            Error::InvalidBase64 => 18,
            Error::InvalidEscape => 19,
            Error::InvalidUtf8 => 20,
            Error::Truncation => 21,
            Error::UnknownPropagator => 22,
        }
    }

    /// The stable snake_case name of this kind, as bindings expose it
    /// (Python `kind`, JS `code`).
    ///
    /// ```
    /// assert_eq!(traceprop::Error::ZeroId.name(), "zero_id");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Error::Empty => "empty",
            Error::InvalidLength => "invalid_length",
            Error::InvalidHex => "invalid_hex",
            Error::InvalidDecimal => "invalid_decimal",
            Error::OutOfRange => "out_of_range",
            Error::ZeroId => "zero_id",
            Error::UnsupportedVersion => "unsupported_version",
            Error::Malformed => "malformed",
            Error::InvalidSampling => "invalid_sampling",
            Error::InvalidKey => "invalid_key",
            Error::InvalidValue => "invalid_value",
            Error::Duplicate => "duplicate",
            Error::TooManyMembers => "too_many_members",
            Error::TooLong => "too_long",
            Error::BufferTooSmall => "buffer_too_small",
            Error::Missing => "missing",
            Error::SamplingOnly => "sampling_only",
            Error::InvalidBase64 => "invalid_base64",
            Error::InvalidEscape => "invalid_escape",
            Error::InvalidUtf8 => "invalid_utf8",
            Error::Truncation => "truncation",
            Error::UnknownPropagator => "unknown_propagator",
        }
    }

    /// The kind with this [`code`](Error::code), if any.
    ///
    /// ```
    /// use traceprop::Error;
    /// assert_eq!(Error::from_code(6), Some(Error::ZeroId));
    /// assert_eq!(Error::from_code(0), None);
    /// ```
    #[must_use]
    pub fn from_code(code: u32) -> Option<Error> {
        let index = usize::try_from(code.checked_sub(1)?).ok()?;
        Error::ALL.get(index).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn codes_are_dense_and_round_trip() {
        for (i, kind) in Error::ALL.iter().enumerate() {
            assert_eq!(kind.code() as usize, i + 1, "{kind:?}");
            assert_eq!(Error::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(Error::from_code(Error::ALL.len() as u32 + 1), None);
    }

    #[test]
    fn names_are_unique() {
        for a in Error::ALL {
            for b in Error::ALL {
                assert_eq!(a == b, a.name() == b.name());
            }
        }
    }
}
