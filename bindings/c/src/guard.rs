//! The panic boundary every exported function goes through.
//!
//! Every `extern "C"` body is `guard(|| …)` (a result-returning function) or
//! `guard_value(|| …)` (any other return type). A unit test checks that no
//! export skips it.

use crate::result::traceprop_result;
use core::panic::AssertUnwindSafe;
use std::panic::catch_unwind;

/// Runs `body`; its `Err` is returned as is, a panic becomes
/// [`traceprop_result::TRACEPROP_RESULT_PANIC`].
pub(crate) fn guard(body: impl FnOnce() -> Result<(), traceprop_result>) -> traceprop_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => traceprop_result::TRACEPROP_RESULT_OK,
        Ok(Err(code)) => code,
        Err(_) => traceprop_result::TRACEPROP_RESULT_PANIC,
    }
}

/// Runs `body`; a panic returns `fallback` instead.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_codes() {
        let r = guard(|| panic!("boom"));
        assert_eq!(r, traceprop_result::TRACEPROP_RESULT_PANIC);
        assert_eq!(guard_value(7, || panic!("boom")), 7);
        assert_eq!(guard(|| Ok(())), traceprop_result::TRACEPROP_RESULT_OK);
    }

    /// Every `extern "C" fn` in this crate's sources passes its body to a guard.
    #[test]
    fn every_export_is_guarded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut exports = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let marker = concat!("extern \"C\"", " fn ");
            for (at, _) in text.match_indices(marker) {
                exports += 1;
                let rest = &text[at..];
                let body = &rest[rest.find('{').unwrap()..];
                let first = body
                    .lines()
                    .skip(1)
                    .map(str::trim)
                    .find(|l| !l.starts_with("//"))
                    .unwrap_or_default();
                assert!(
                    first.starts_with("guard(") || first.starts_with("guard_value("),
                    "{}: unguarded export: {}",
                    path.display(),
                    rest.lines().next().unwrap_or_default()
                );
            }
        }
        assert!(exports > 30, "found only {exports} exports");
    }
}
