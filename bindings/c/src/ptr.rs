//! Pointer checks: every pointer received from C goes through one of these
//! before it is read or written. `(NULL, 0)` is an empty input; NULL with a
//! non-zero length, or a NULL required pointer, is
//! [`traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER`].
//!
//! The lifetimes these functions return are chosen by the caller: an export
//! must not keep the result beyond its own call, except as a view handed back
//! to C that borrows C's input (documented per function).

use crate::result::traceprop_result;
use crate::types::traceprop_str;
use core::ffi::c_char;
use core::ptr::NonNull;

/// A checked input slice.
///
/// # Safety
/// `ptr` is NULL or points to `len` initialized, properly aligned `T`s that
/// are not written for the lifetime `'a`.
#[inline]
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], traceprop_result> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER)
        };
    }
    if !ptr.is_aligned() || len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: `ptr` is non-NULL and aligned, `len` fits `isize`, and the
    // caller guarantees `len` readable, initialized elements for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A checked UTF-8 input string: [`traceprop_result::TRACEPROP_RESULT_INVALID_UTF8`]
/// when the bytes are not UTF-8.
///
/// # Safety
/// As [`slice`], for `len` bytes.
#[inline]
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, traceprop_result> {
    if len == 0 {
        return Ok("");
    }
    // SAFETY: forwarded to the caller.
    let bytes = unsafe { slice(ptr.cast::<u8>(), len) }?;
    // Header text is nearly always ASCII: checked inline, where a call to
    // `from_utf8` costs more than the check for short strings.
    if bytes.is_ascii() {
        // SAFETY: ASCII bytes are UTF-8.
        return Ok(unsafe { core::str::from_utf8_unchecked(bytes) });
    }
    core::str::from_utf8(bytes).map_err(|_| traceprop_result::TRACEPROP_RESULT_INVALID_UTF8)
}

/// A view's text, see [`text`].
///
/// # Safety
/// As [`slice`], for the view's bytes.
#[inline]
pub(crate) unsafe fn view<'a>(s: traceprop_str) -> Result<&'a str, traceprop_result> {
    // SAFETY: forwarded to the caller.
    unsafe { text(s.ptr, s.len) }
}

/// An optional view: a NULL pointer is `None` (its length is ignored).
///
/// # Safety
/// As [`slice`], for the view's bytes.
pub(crate) unsafe fn optional_view<'a>(
    s: traceprop_str,
) -> Result<Option<&'a str>, traceprop_result> {
    if s.ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded to the caller.
    unsafe { text(s.ptr, s.len) }.map(Some)
}

/// A checked reference to a required input.
///
/// # Safety
/// `ptr` is NULL or points to an initialized, aligned `T` not written for `'a`.
pub(crate) unsafe fn input<'a, T>(ptr: *const T) -> Result<&'a T, traceprop_result> {
    if !ptr.is_aligned() {
        return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: aligned; the caller guarantees it is NULL or valid for `'a`.
    unsafe { ptr.as_ref() }.ok_or(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER)
}

/// A required output location. It is only ever written (never read), so it
/// may point to uninitialized memory.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Checks `ptr`: NULL or misaligned is an error.
    pub(crate) fn new(ptr: *mut T) -> Result<Self, traceprop_result> {
        let ptr = NonNull::new(ptr).ok_or(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER)?;
        if ptr.as_ptr().is_aligned() {
            Ok(Out(ptr))
        } else {
            Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT)
        }
    }

    /// Stores `value` without reading or dropping the old contents.
    ///
    /// # Safety
    /// The pointer given to [`Out::new`] is valid for a write of one `T`.
    pub(crate) unsafe fn write(&self, value: T) {
        // SAFETY: non-NULL and aligned (checked in `new`); valid for writes
        // by the caller's contract.
        unsafe { self.0.as_ptr().write(value) }
    }

    /// The raw pointer, for writing single fields with `addr_of_mut!`.
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.as_ptr()
    }
}

/// A checked output byte buffer of `len` bytes; `(NULL, 0)` is an empty one.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `len` bytes, not otherwise accessed
/// for `'a`.
pub(crate) unsafe fn buffer<'a>(
    ptr: *mut c_char,
    len: usize,
) -> Result<&'a mut [u8], traceprop_result> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER)
        };
    }
    if len > isize::MAX as usize {
        return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, byte-aligned, `len` fits `isize`, and the caller
    // guarantees exclusive write access for `'a`. The bytes are only written
    // before they are read.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr.cast::<u8>(), len) })
}

/// A checked output array of `cap` elements, written element by element
/// with [`OutArray::set`]; `(NULL, 0)` is an empty one.
pub(crate) struct OutArray<T> {
    ptr: *mut T,
    cap: usize,
}

impl<T> OutArray<T> {
    /// Checks `ptr` and `cap`.
    pub(crate) fn new(ptr: *mut T, cap: usize) -> Result<Self, traceprop_result> {
        if ptr.is_null() && cap != 0 {
            return Err(traceprop_result::TRACEPROP_RESULT_NULL_PARAMETER);
        }
        if !ptr.is_aligned() || cap > isize::MAX as usize / size_of::<T>().max(1) {
            return Err(traceprop_result::TRACEPROP_RESULT_INVALID_ARGUMENT);
        }
        Ok(OutArray { ptr, cap })
    }

    /// How many elements fit.
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// Writes element `i`; does nothing when `i` is past the capacity.
    ///
    /// # Safety
    /// The pointer given to [`OutArray::new`] is valid for writes of `cap`
    /// elements.
    pub(crate) unsafe fn set(&self, i: usize, value: T) {
        if i < self.cap {
            // SAFETY: `i < cap`, the array is valid for `cap` writes by the
            // caller's contract, and the pointer is non-NULL (cap > 0) and aligned.
            unsafe { self.ptr.add(i).write(value) }
        }
    }
}
