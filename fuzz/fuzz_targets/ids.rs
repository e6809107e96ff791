#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| traceprop_fuzz::check::ids(data));
