#!/usr/bin/env bash
# Runs Faro's whole test suite on a fresh machine: installs what the tests need, lints, then
# every Rust test (unit tests beside the code, end-to-end tests in tests/ and cli/tests/,
# real nginx and python-tuf included).
# Usage: bash scripts/test-all.sh        (the README's test command; .ci/run calls it)
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage's time is printed when the next starts, and all of them at the end, so a slow
# CI run shows where its minutes went.
stage_name=""; stage_start=$SECONDS; timings=()
stage() {
    if [ -n "$stage_name" ]; then timings+=("$(printf '%5d s  %s' $((SECONDS - stage_start)) "$stage_name")"); fi
    stage_name="$1"; stage_start=$SECONDS
    if [ -n "$1" ]; then echo "== $1"; fi
}
report_timings() {
    stage ""
    echo "== time per stage (total $SECONDS s)"
    printf '%s\n' "${timings[@]}"
}
trap report_timings EXIT

stage "test dependencies (nginx, python-tuf; installed only when missing)"
bash scripts/setup-test-deps.sh

stage "build (locked dependencies)"
cargo build --workspace --all-targets --locked

stage "16 KB page alignment of libfaro_ffi.so (Android target with a cross toolchain, else the host build)"
bash scripts/check-alignment.sh

stage "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

stage "demo data conventions (names end in (demo), fictitious contacts, places in their towns)"
python3 data/demo/check_listings.py
stage "demo rights and warnings (demo markers, fictional numbers, .example domains; self-test breaks copies)"
python3 data/demo/check_rights_warnings.py
python3 data/demo/check_rights_warnings.py --self-test

stage "Kotlin and Swift wrappers in step with the FFI (every FaroStore method, names, types; self-test breaks copies)"
python3 scripts/check_wrapper_parity.py
python3 scripts/check_wrapper_parity.py --self-test

stage "third-party licences of the mobile library are current (docs/third-party-licenses.md)"
bash scripts/licenses.sh --check

stage "tests"
cargo test --workspace --locked

stage "fuzzing: every parser a stranger can feed, 15 s each (cargo-fuzz on nightly; ADR 0017)"
bash scripts/fuzz.sh 15

stage "faro demo (the README's first command, with a fixed time for repeatability)"
# The binary from the build stage: `cargo run --bin faro` selects one package, resolves the
# core's features differently and would compile it again.
target/debug/faro demo --at 2026-11-25T10:30 > /dev/null
echo "faro demo: ok"

stage "Kotlin bindings on the JVM (Maven; generated from the host library)"
bash scripts/kotlin.sh test
echo "Kotlin tests: ok"

stage "Swift bindings on Linux (Swift 6 in a cached Debian trixie chroot)"
bash scripts/swift.sh test
