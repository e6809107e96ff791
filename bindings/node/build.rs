//! Linker set-up for a Node addon (needed on macOS, a no-op elsewhere).
fn main() {
    napi_build::setup();
}
