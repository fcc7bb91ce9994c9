#!/usr/bin/env bash
# Builds FaroFFI.xcframework (device + simulator slices) on a Mac with Xcode, for the Swift
# package, and a zip of it with its SwiftPM checksum for a release. NOT run on the project
# machine (Linux, no Xcode).
#
#   ios/build-xcframework.sh    # -> ios/build/FaroFFI.xcframework (+ .zip and checksum)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
OUT=ios/build
# The C module's files live in a folder named after the module, so that its module.modulemap
# does not collide with another UniFFI framework's in the app's header search paths.
HEADERS=$OUT/headers/faro_ffiFFI
rm -rf "$OUT" && mkdir -p "$HEADERS"

rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
for target in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  # IPHONEOS_DEPLOYMENT_TARGET matches Package.swift's .iOS(.v15).
  IPHONEOS_DEPLOYMENT_TARGET=15.0 cargo build --locked -p faro-ffi --profile mobile --target "$target"
done

# Bindings from a host build that keeps its symbols (the mobile profile strips UniFFI's
# metadata). The Swift file is committed; check `git diff` after this script.
cargo build --locked -p faro-ffi
cargo uniffi-bindgen generate --no-format --library target/debug/libfaro_ffi.dylib --language swift --out-dir "$OUT/gen"
cp "$OUT/gen/FaroFFI.swift" ios/Sources/FaroFFI/FaroFFI.swift
cp "$OUT/gen/faro_ffiFFI.h" "$HEADERS/"
cp "$OUT/gen/faro_ffiFFI.modulemap" "$HEADERS/module.modulemap"

# One simulator library for both simulator architectures.
mkdir -p "$OUT/sim"
lipo -create target/aarch64-apple-ios-sim/mobile/libfaro_ffi.a target/x86_64-apple-ios/mobile/libfaro_ffi.a \
  -output "$OUT/sim/libfaro_ffi.a"

xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/mobile/libfaro_ffi.a -headers "$OUT/headers" \
  -library "$OUT/sim/libfaro_ffi.a" -headers "$OUT/headers" \
  -output "$OUT/FaroFFI.xcframework"

(cd "$OUT" && zip -qry FaroFFI.xcframework.zip FaroFFI.xcframework)
checksum=$(swift package compute-checksum "$OUT/FaroFFI.xcframework.zip")
echo "built $OUT/FaroFFI.xcframework (Package.swift uses it on a Mac)"
echo "release: attach $OUT/FaroFFI.xcframework.zip and set in Package.swift"
echo "  let releaseXCFramework: (url: String, checksum: String)? = (\"<URL of the zip>\", \"$checksum\")"
