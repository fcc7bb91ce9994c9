#!/usr/bin/env bash
# Builds FaroFFI.xcframework (device + simulator slices) on a Mac with Xcode, for the Swift
# package (FARO_XCFRAMEWORK=1 swift build / Xcode). NOT run on the project machine (Linux).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
OUT=ios/build
rm -rf "$OUT" && mkdir -p "$OUT/headers"

rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build --locked -p faro-ffi --profile mobile --target "$target"
done

# Bindings from a host build that keeps its symbols (the mobile profile strips UniFFI's metadata).
cargo build --locked -p faro-ffi
cargo uniffi-bindgen generate --no-format --library target/debug/libfaro_ffi.dylib --language swift --out-dir "$OUT/gen"
cp "$OUT/gen/FaroFFI.swift" ios/Sources/FaroFFI/FaroFFI.swift
cp "$OUT/gen/faro_ffiFFI.h" "$OUT/headers/"
# Xcode looks for module.modulemap inside an XCFramework's headers.
cp "$OUT/gen/faro_ffiFFI.modulemap" "$OUT/headers/module.modulemap"

# One simulator library for both simulator architectures.
mkdir -p "$OUT/sim"
lipo -create target/aarch64-apple-ios-sim/mobile/libfaro_ffi.a target/x86_64-apple-ios/mobile/libfaro_ffi.a \
  -output "$OUT/sim/libfaro_ffi.a"

xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/mobile/libfaro_ffi.a -headers "$OUT/headers" \
  -library "$OUT/sim/libfaro_ffi.a" -headers "$OUT/headers" \
  -output "$OUT/FaroFFI.xcframework"
echo "built $OUT/FaroFFI.xcframework; use it with: FARO_XCFRAMEWORK=1 swift build (or open Package.swift in Xcode)"
