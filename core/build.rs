//! Records when this build was made, as a lower bound for trusted time: a phone whose clock
//! says 1970 still knows it is at least as late as the app it runs. `SOURCE_DATE_EPOCH`
//! (reproducible builds) wins over the build machine's clock.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=build.rs");
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0));
    println!("cargo:rustc-env=FARO_BUILD_UNIX_TIME={secs}");
}
