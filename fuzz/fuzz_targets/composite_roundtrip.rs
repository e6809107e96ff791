#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| traceprop_fuzz::check::composite_roundtrip(data));
