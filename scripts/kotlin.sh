#!/usr/bin/env bash
# Builds libfaro_ffi.so (and the `faro` CLI, which the sync tests publish the demo repository
# with) on the host, generates the Kotlin bindings from it (library mode) into
# android/target/generated-sources/uniffi, and runs the Kotlin tests on the JVM with Maven.
#
#   scripts/kotlin.sh          # build, generate, mvn test
#   FARO_FFI_PROFILE=mobile scripts/kotlin.sh bench [LISTINGS]
#                              # the FFI search benchmark on the shipped build (docs/benchmarks.md)
#
# Needs a JDK (17+) and Maven; Maven fetches the pinned Kotlin, JNA, coroutines and JUnit.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
  apt-get update -q && apt-get install -y -q --no-install-recommends maven default-jdk-headless
fi

PROFILE=${FARO_FFI_PROFILE:-dev}
case "$PROFILE" in
  dev) LIB_DIR=$REPO/target/debug ;;
  *) LIB_DIR=$REPO/target/$PROFILE ;;
esac
# Bindings come from the debug library: the mobile profile strips the symbols that carry
# UniFFI's metadata. The interface is the same in every profile.
# The library and the CLI as the test command's build stage makes them (the whole workspace,
# all targets): a `-p faro-ffi` build resolves faro-core's features differently and compiled
# the core again, several minutes of every CI run.
cargo build --locked --workspace --all-targets
[ "$PROFILE" = dev ] || cargo build --locked -p faro-ffi --profile "$PROFILE"
GEN=$REPO/android/target/generated-sources/uniffi
rm -rf "$GEN"
cargo uniffi-bindgen generate --no-format --library target/debug/libfaro_ffi.so --language kotlin --out-dir "$GEN"

MVN=(mvn -B --no-transfer-progress -f android/pom.xml -Dfaro.lib.dir="$LIB_DIR")
case "${1:-test}" in
  test) "${MVN[@]}" test ;;
  bench) "${MVN[@]}" test-compile exec:java@bench -Dexec.args="${2:-10000}" ;;
  *) echo "usage: $0 [test|bench [LISTINGS]]" >&2; exit 2 ;;
esac
