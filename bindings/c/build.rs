//! Sets the shared library's SONAME to the exact version on Linux: there is
//! no ABI stability before 1.0 (see README.md).
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtraceprop.so.{version}");
    }
}
