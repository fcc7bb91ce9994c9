//! Link settings for the shared library (`libfaro_ffi.so`) that apps load.
//!
//! Android 15 devices may use 16 KB memory pages, and Google Play requires every native library
//! of an app targeting Android 15+ to have its ELF LOAD segments aligned to 16 KB; a library
//! aligned to 4 KB does not load on such a device. NDK r28+ links 16 KB-aligned by default, but
//! the flag is passed explicitly so that no NDK version or linker default can undo it. It is
//! also passed for Linux hosts (harmless there: only the segments' alignment in the file
//! changes), so that `scripts/check-alignment.sh` can check the host-built library on a
//! machine without an Android toolchain. Apple targets do not use ELF and get nothing.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "android" || os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,max-page-size=16384");
    }
}
