//! The id parsers and conversions, with the standard library's integer
//! parsing as the oracle.

use crate::input::text;
use traceprop::{jaeger, Error, SpanId, TraceId};

/// Every id parser on the input (and, split at the first `,`, on a Datadog
/// decimal and `_dd.p.tid`): an accepted id re-encodes to the input's
/// canonical spelling (no digit is dropped: nothing is truncated), agrees with
/// `u64`/`u128` parsing, and is non-zero; a decimal the oracle reads as a
/// non-zero `u64` without sign is accepted; `to_u64` fails exactly when the
/// high half is set.
pub fn ids(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let hex128 = u128::from_str_radix(s, 16)
        .ok()
        .filter(|_| !s.starts_with('+'));
    let lower = !s.bytes().any(|b| b.is_ascii_uppercase());
    if let Ok(t) = TraceId::from_hex(s) {
        assert_eq!(t.to_hex().as_str(), s);
        assert_eq!(Some(t.to_u128()), hex128);
    }
    if let Ok(t) = TraceId::from_hex_short(s) {
        assert!(s.len() == 16 || s.len() == 32);
        assert_eq!(Some(t.to_u128()), hex128);
        assert_eq!(&t.to_hex()[32 - s.len()..], s);
    } else if (s.len() == 16 || s.len() == 32) && lower {
        assert!(matches!(hex128, None | Some(0)), "{s} rejected");
    }
    if let Ok(id) = SpanId::from_hex(s) {
        assert_eq!(id.to_hex().as_str(), s);
    }
    let dec = s.parse::<u64>().ok().filter(|_| !s.starts_with('+'));
    match SpanId::from_decimal(s) {
        Ok(id) => {
            assert_eq!(Some(id.to_u64()), dec);
            assert_eq!(id.to_decimal().as_str(), s.trim_start_matches('0'));
        }
        Err(e) => assert!(matches!(dec, None | Some(0)) || s.len() > 20, "{s}: {e:?}"),
    }
    let (decimal, tid) = match s.split_once(',') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    if let Ok(t) = TraceId::from_datadog(decimal, tid) {
        let (low, high) = t.to_datadog();
        assert_eq!(low.as_str(), decimal.trim_start_matches('0'));
        assert_eq!(high.as_ref().map(|h| h.as_str()), tid);
        assert_eq!(t.to_u64().is_ok(), tid.is_none());
        assert_eq!(
            t.to_u64(),
            if t.high() == 0 {
                Ok(t.low())
            } else {
                Err(Error::Truncation)
            }
        );
    }
    if let Ok(t) = TraceId::from_xray_root(s) {
        assert_eq!(t.to_xray_root().as_str(), s);
    }
    // Jaeger's variable-width hex ids (either case, left-padded).
    let uber = format!("{s}:{s}:0:1");
    if let Ok(id) = jaeger::parse(&uber) {
        let v = u128::from_str_radix(s.trim_matches([' ', '\t']), 16).expect("hex");
        assert_eq!(id.trace_id.to_u128(), v);
        assert_eq!(u128::from(id.span_id.to_u64()), v);
    }
}
