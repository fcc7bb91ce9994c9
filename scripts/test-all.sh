#!/usr/bin/env bash
# Runs Faro's whole test suite on a fresh machine: installs what the tests need, lints, then
# every Rust test (unit tests beside the code, end-to-end tests in tests/ and cli/tests/,
# real nginx and python-tuf included).
# Usage: bash scripts/test-all.sh        (the README's test command; .ci/run calls it)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== test dependencies (nginx, python-tuf; installed only when missing)"
bash scripts/setup-test-deps.sh

echo "== build (locked dependencies)"
cargo build --workspace --all-targets --locked

echo "== 16 KB page alignment of libfaro_ffi.so (Android target with a cross toolchain, else the host build)"
bash scripts/check-alignment.sh

echo "== clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== demo data conventions (names end in (demo), fictitious contacts, places in their towns)"
python3 data/demo/check_listings.py
echo "== demo rights and warnings (demo markers, fictional numbers, .example domains; self-test breaks copies)"
python3 data/demo/check_rights_warnings.py
python3 data/demo/check_rights_warnings.py --self-test

echo "== third-party licences of the mobile library are current (docs/third-party-licenses.md)"
bash scripts/licenses.sh --check

echo "== tests"
cargo test --workspace --locked

echo "== fuzzing: every parser a stranger can feed, 15 s each (cargo-fuzz on nightly; ADR 0017)"
bash scripts/fuzz.sh 15

echo "== faro demo (the README's first command, with a fixed time for repeatability)"
cargo run --quiet --locked --bin faro -- demo --at 2026-11-25T10:30 > /dev/null
echo "faro demo: ok"

echo "== Kotlin bindings on the JVM (Maven; generated from the host library)"
bash scripts/kotlin.sh test
echo "Kotlin tests: ok"

echo "== Swift bindings on Linux (Swift 6 in a cached Debian trixie chroot)"
bash scripts/swift.sh test
