//! The C ABI of libtraceprop: `libtraceprop.so` / `libtraceprop.a` and the
//! generated `include/traceprop.h`.
//!
//! This crate is the only place of the project with `unsafe` code. It is a
//! thin layer: it converts C arguments, calls the core and maps errors.
//!
//! - Every export runs its body through [`guard::guard`] (a panic becomes
//!   [`traceprop_result::TRACEPROP_RESULT_PANIC`], never an unwind into C) and
//!   checks every pointer with the helpers of [`ptr`] before use.
//! - The API is value-based and allocation-free: `#[repr(C)]` structs, caller
//!   buffers, and borrowed views ([`traceprop_str`]) that stay valid only as
//!   long as the input they point into.
//! - Conventions (naming, argument order, buffers) are in `bindings/c/README.md`.

mod guard;
mod ptr;

pub mod codecs;
pub mod decoded;
pub mod id;
pub mod propagator;
pub mod result;
pub mod types;
pub mod w3c;

pub use result::traceprop_result;
pub use types::*;
