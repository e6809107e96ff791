//! The base64-carrying formats: SkyWalking `sw8` (+ `sw8-correlation`) and
//! `grpc-trace-bin` (raw and base64 text). The `base64` crate is the oracle
//! for the core's private base64 decoder.

use crate::input::{lines, pairs, recorder, text, Written};
use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use traceprop::sw8::{self, Field};
use traceprop::{grpc_trace_bin, Error, Headers, Propagation};

/// Standard base64 with canonical padding, or none: the two spellings the
/// core accepts (spare bits ignored, as Go, Java and Python ignore them).
const PADDED: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);
const UNPADDED: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The oracle's decoding of `text`.
fn decode(text: &str) -> Option<Vec<u8>> {
    PADDED.decode(text).or_else(|_| UNPADDED.decode(text)).ok()
}

/// A field decodes to `decoded_len` bytes, as the oracle decodes it.
fn field(f: Field<'_>) {
    let mut buf = vec![0u8; f.decoded_len()];
    let bytes = f
        .decode_into(&mut buf)
        .expect("decoded_len suffices")
        .to_vec();
    assert_eq!(Some(bytes), decode(f.raw()), "{}", f.raw());
    if !buf.is_empty() {
        let n = buf.len() - 1;
        assert_eq!(f.decode_into(&mut buf[..n]), Err(Error::BufferTooSmall));
    }
}

/// `sw8`: line 1 is the `sw8` value, the other lines `sw8-correlation`
/// values. A parsed value is written back as received (the span index in
/// plain decimal) and parses to itself; its mapped context is written both
/// ways ([`sw8::encode`], [`sw8::Sw8::encode_next`]) as values that map back
/// to the same ids and decision, the first identically on a second round; the
/// composite path (extract, inject, extract) keeps ids and decision. Every
/// base64 field agrees with the oracle.
pub fn sw8(data: &[u8]) {
    let Some(lines) = lines(data) else { return };
    for line in lines.iter().skip(1) {
        for entry in sw8::correlation(line).flatten() {
            assert!(!entry.key.is_empty());
            field(entry.key);
            field(entry.value);
        }
    }
    let value = lines.first().copied().unwrap_or_default();
    let Ok(v) = sw8::parse(value) else { return };
    for f in [
        v.trace_id,
        v.segment_id,
        v.parent_service,
        v.parent_instance,
        v.parent_endpoint,
        v.target_address,
    ] {
        field(f);
    }
    let mut buf = vec![0u8; v.encoded_len() + sw8::MAX_LEN];
    let n = v.encode(&mut buf).expect("encoded_len suffices");
    assert_eq!(n, v.encoded_len());
    let as_received = std::str::from_utf8(&buf[..n]).expect("UTF-8").to_owned();
    assert_eq!(sw8::parse(&as_received), Ok(v));
    assert_eq!(v.encode(&mut buf[..n - 1]), Err(Error::BufferTooSmall));

    let Ok(ctx) = v.context() else { return };
    assert_eq!(ctx.sampled, Some(v.sampled));
    let n = sw8::encode(&ctx, &mut buf).expect("encodes");
    let first = std::str::from_utf8(&buf[..n]).expect("UTF-8").to_owned();
    let again = sw8::parse(&first).expect("the encoding parses");
    assert_eq!(again.context(), Ok(ctx));
    let n = sw8::encode(&again.context().expect("maps"), &mut buf).expect("encodes");
    assert_eq!(
        std::str::from_utf8(&buf[..n]),
        Ok(first.as_str()),
        "not stable"
    );

    let n = v.encode_next(&ctx, &mut buf).expect("encodes");
    let next = sw8::parse(std::str::from_utf8(&buf[..n]).expect("UTF-8")).expect("parses");
    assert_eq!(next.context(), Ok(ctx));
    assert_eq!(next.trace_id, v.trace_id, "the SkyWalking trace id is kept");

    let extracted = sw8::extract(&Headers::collect(&[("sw8", value)])).expect("extracts");
    let mut expected = ctx;
    expected.sw8 = value.trim_matches([' ', '\t']);
    assert_eq!(extracted, expected);
    let mut out = Written::new();
    sw8::inject(&Propagation::new(extracted), &mut recorder(&mut out)).expect("writes");
    let back = sw8::extract(&Headers::collect(pairs(&out).as_slice())).expect("extracts");
    assert_eq!((back.trace_id, back.span_id), (ctx.trace_id, ctx.span_id));
    assert_eq!(back.sampled, ctx.sampled);
}

/// `grpc-trace-bin`, the raw bytes: a parsed value encodes to 29 bytes that
/// parse to the same context and encode identically; its base64 text, padded
/// or not, parses to the same result as the bytes.
pub fn grpc_trace_bin(data: &[u8]) {
    let parsed = grpc_trace_bin::parse(data);
    for engine in [PADDED, UNPADDED] {
        let text = engine.encode(data);
        let via_text = grpc_trace_bin::parse_text(&text);
        assert_eq!(
            via_text.map(|p| p.context()),
            parsed.map(|p| p.context()),
            "{text}"
        );
    }
    let Ok(p) = parsed else { return };
    let ctx = p.context();
    let mut buf = [0u8; grpc_trace_bin::MAX_LEN];
    assert_eq!(
        grpc_trace_bin::encode(&ctx, &mut buf),
        Ok(grpc_trace_bin::MAX_LEN)
    );
    let first = buf;
    let again = grpc_trace_bin::parse(&first).expect("the encoding parses");
    assert_eq!(again.context(), ctx);
    grpc_trace_bin::encode(&again.context(), &mut buf).expect("encodes");
    assert_eq!(buf, first, "encoding is not stable");
}

/// `grpc-trace-bin`, the base64 text: it parses exactly when the oracle
/// decodes it to bytes that parse (to the same context); a parsed value
/// encodes to the 39-character unpadded text that parses back and encodes
/// identically.
pub fn grpc_trace_bin_text(data: &[u8]) {
    let Some(s) = text(data) else { return };
    let parsed = grpc_trace_bin::parse_text(s);
    match decode(s) {
        Some(bytes) => {
            let from_bytes = grpc_trace_bin::parse(&bytes);
            assert_eq!(parsed.map(|p| p.context()), from_bytes.map(|p| p.context()));
        }
        None => assert_eq!(parsed, Err(Error::InvalidBase64), "{s:?}"),
    }
    let h = Headers::collect(&[("grpc-trace-bin", s)]);
    let trimmed = s.trim_matches([' ', '\t']);
    assert_eq!(
        grpc_trace_bin::extract(&h),
        grpc_trace_bin::parse_text(trimmed).map(|p| p.context())
    );
    let Ok(p) = parsed else { return };
    let ctx = p.context();
    let mut buf = [0u8; grpc_trace_bin::TEXT_LEN];
    let n = grpc_trace_bin::encode_text(&ctx, &mut buf).expect("encodes");
    assert_eq!(n, grpc_trace_bin::TEXT_LEN);
    let first = buf;
    let again = grpc_trace_bin::parse_text(std::str::from_utf8(&first).expect("ASCII"));
    assert_eq!(again.map(|p| p.context()), Ok(ctx));
    grpc_trace_bin::encode_text(&ctx, &mut buf).expect("encodes");
    assert_eq!(buf, first, "encoding is not stable");
}
