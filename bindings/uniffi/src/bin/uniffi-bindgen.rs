//! The uniffi bindings generator, built from this crate so its version always
//! matches the scaffolding (`cargo run --features cli --bin uniffi-bindgen`).

fn main() {
    uniffi::uniffi_bindgen_main();
}
