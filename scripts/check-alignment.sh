#!/usr/bin/env bash
# Checks that libfaro_ffi.so is 16 KB page aligned: every LOAD segment's alignment must be at
# least 0x4000, or the library does not load on Android devices with 16 KB pages (and Google
# Play rejects the app). bindings/build.rs passes -Wl,-z,max-page-size=16384.
#
#   scripts/check-alignment.sh            # the Android-target libraries when an Android cross
#                                         # toolchain is installed (cargo-ndk and NDK), else the
#                                         # host library target/debug/libfaro_ffi.so
#   scripts/check-alignment.sh LIB.so...  # these files
#
# Uses llvm-readelf when present (the NDK's, or the system's), else binutils' readelf.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
libs=()
for lib in "$@"; do libs+=("$(realpath -m -- "$lib")"); done
cd "$REPO"

READELF=
for tool in "${ANDROID_NDK_HOME:+$ANDROID_NDK_HOME/toolchains/llvm/prebuilt/linux-x86_64/bin/llvm-readelf}" \
  llvm-readelf readelf; do
  if [ -n "$tool" ] && command -v "$tool" >/dev/null; then READELF=$tool; break; fi
done
[ -n "$READELF" ] || { echo "check-alignment: neither llvm-readelf nor readelf is installed" >&2; exit 2; }

# The Rust targets of the ABIs the AAR ships (android/build.gradle.kts).
ANDROID_TARGETS=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android)

if [ ${#libs[@]} -eq 0 ]; then
  installed=$(rustup target list --installed 2>/dev/null || true)
  if [ -n "${ANDROID_NDK_HOME:-}" ] && command -v cargo-ndk >/dev/null &&
    grep -qx aarch64-linux-android <<<"$installed"; then
    echo "check-alignment: Android cross toolchain found; building the Android libraries (profile mobile)"
    for target in "${ANDROID_TARGETS[@]}"; do
      grep -qx "$target" <<<"$installed" || { echo "check-alignment: rustup target $target missing" >&2; exit 1; }
    done
    cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 --platform 24 build --locked --profile mobile -p faro-ffi
    for target in "${ANDROID_TARGETS[@]}"; do libs+=("target/$target/mobile/libfaro_ffi.so"); done
  else
    echo "check-alignment: no Android cross toolchain (ANDROID_NDK_HOME, cargo-ndk, rustup targets); checking the host library"
    [ -f target/debug/libfaro_ffi.so ] || cargo build --locked -p faro-ffi
    libs=(target/debug/libfaro_ffi.so)
  fi
fi

status=0
for lib in "${libs[@]}"; do
  [ -f "$lib" ] || { echo "check-alignment: $lib: no such file" >&2; status=1; continue; }
  # Program headers: "LOAD <offset> <vaddr> <paddr> <filesz> <memsz> <flags...> <align>".
  aligns=$("$READELF" -lW "$lib" | awk '$1 == "LOAD" { print $NF }')
  [ -n "$aligns" ] || { echo "check-alignment: $lib: no LOAD segments (not an ELF shared library?)" >&2; status=1; continue; }
  small=0
  while read -r align; do
    if (( align < 0x4000 )); then small=$((small + 1)); fi
  done <<<"$aligns"
  if [ $small -eq 0 ]; then
    echo "check-alignment: $lib: $(wc -l <<<"$aligns") LOAD segments, all aligned to 16 KB or more: ok"
  else
    echo "check-alignment: $lib: $small LOAD segment(s) aligned below 16 KB ($(sort -u <<<"$aligns" | tr '\n' ' ')); link with -Wl,-z,max-page-size=16384 (NDK r28+)" >&2
    status=1
  fi
done
exit $status
