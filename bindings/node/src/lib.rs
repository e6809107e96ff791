//! The native half of the `traceprop` npm package: napi-rs glue over the
//! `traceprop` core. The JavaScript half (`index.js`) owns the public API; this
//! crate only converts arguments, calls the core and shapes results.
//!
//! # Crossing design
//!
//! A JS propagator extracts a traceparent in about 0.5 us, and every N-API
//! call, argument conversion and created property costs tens of nanoseconds,
//! so each extract or inject is ONE call with flat arguments:
//!
//! - Header input is one string, `"\n{name}\n{value}"` per line (see
//!   [`carrier::Lines`]), built in JS from only the headers the configured
//!   formats read ([`config::configure`] tells which). The line count is passed
//!   too, so a value holding a line feed (never valid in HTTP) is detected and
//!   the caller retries with the exact array form.
//! - A configuration crosses as a number ([`config::Key`]), never re-parsed.
//! - Extraction answers with one short ASCII record ([`extract::extract`]):
//!   the fields every caller reads sit at fixed offsets, and the rest
//!   (baggage, Datadog fields, the report) is fetched by a second call only
//!   when read.
//! - Injection answers with one `"\n{name}\n{value}"` string.
//!
//! Errors cross as the core's stable numeric code ([`traceprop::Error::code`]);
//! the JS side throws an `Error` whose `code` is the kind's name.

// napi-derive registers exports only outside `cfg(test)`, so the unit-test
// build sees every exported function as unused.
#![cfg_attr(test, allow(dead_code))]

mod carrier;
mod config;
mod extract;
mod ids;
mod inject;

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use traceprop::Error;

/// `Ok(v)` as the value, `Err(e)` as its numeric code: every fallible
/// function answers `Either<T, u32>` (JS sees the value or a number).
fn coded<T>(r: Result<T, Error>) -> Either<T, u32> {
    match r {
        Ok(v) => Either::A(v),
        Err(e) => Either::B(e.code()),
    }
}

/// The name of every core error kind, indexed by `code - 1`.
#[napi]
pub fn error_names() -> Vec<&'static str> {
    Error::ALL.iter().map(|e| e.name()).collect()
}

/// The message of every core error kind, indexed by `code - 1`.
#[napi]
pub fn error_messages() -> Vec<String> {
    Error::ALL.iter().map(ToString::to_string).collect()
}
