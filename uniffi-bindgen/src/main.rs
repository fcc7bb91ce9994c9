//! `uniffi-bindgen`: generates the Kotlin and Swift bindings of `faro-ffi` in library mode,
//! from the metadata inside a built `libfaro_ffi.so`. It lives in the workspace so that the
//! generator and the scaffolding in the library always come from the same UniFFI release.
//!
//! `cargo uniffi-bindgen generate --library target/debug/libfaro_ffi.so --language kotlin --out-dir DIR`

#![forbid(unsafe_code)]

fn main() {
    uniffi::uniffi_bindgen_main()
}
