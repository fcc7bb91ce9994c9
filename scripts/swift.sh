#!/usr/bin/env bash
# Builds and tests the Swift package (ios/) on Linux, inside a Debian 13 (trixie) chroot that
# carries Swift 6 from Debian's own `swiftlang` package. The host has no Swift; a chroot is the
# one way to get a packaged toolchain without downloading a binary from outside the registries.
#
#   scripts/swift.sh bootstrap   # only create the chroot (about 1 min and 3 GiB, once)
#   scripts/swift.sh test        # build the Rust library, generate bindings, swift build + test
#   scripts/swift.sh shell       # an interactive shell in the chroot with the repo mounted
#
# The chroot lives OUTSIDE the repository, in ${FARO_SWIFT_ROOT:-/var/cache/faro/swift-trixie},
# and is reused when present. Needs root, debootstrap and the Debian mirror apt uses.
set -euo pipefail

ROOT=${FARO_SWIFT_ROOT:-/var/cache/faro/swift-trixie}
MIRROR=${FARO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The repository appears at this path inside the chroot.
INNER=/faro

log() { printf 'swift.sh: %s\n' "$*" >&2; }

MOUNTED=()
cleanup() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -l "${MOUNTED[$i]}" 2>/dev/null || log "could not unmount ${MOUNTED[$i]}"
  done
  MOUNTED=()
}
trap cleanup EXIT INT TERM

mount_into() { # root
  local root=$1
  mkdir -p "$root/proc" "$root$INNER" "$root/dev"
  mount -t proc proc "$root/proc" && MOUNTED+=("$root/proc")
  mount --bind /dev "$root/dev" && MOUNTED+=("$root/dev")
  if [ -d "$REPO" ]; then
    mount --bind "$REPO" "$root$INNER" && MOUNTED+=("$root$INNER")
  fi
  # Name resolution for apt inside the chroot.
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

bootstrap() {
  # /usr/bin/swift is an absolute symlink, valid only inside the chroot: test its target.
  if [ -x "$ROOT/usr/libexec/swift/bin/swift" ]; then
    return
  fi
  command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
  local tmp="$ROOT.partial"
  log "creating the Swift chroot in $ROOT (once; about 1 min and 3 GiB)"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$ROOT")"
  debootstrap --variant=minbase trixie "$tmp" "$MIRROR"
  mount_into "$tmp"
  chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -q
  chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends swiftlang libc6-dev libstdc++-14-dev
  chroot "$tmp" apt-get clean
  log "Swift chroot ready: $(chroot "$tmp" swift --version 2>&1 | head -1)"
  cleanup
  rm -rf "$ROOT"
  mv "$tmp" "$ROOT"
}

# Build the host library and generate the Swift bindings into ios/ (gitignored parts).
prepare() {
  (cd "$REPO" && cargo build --locked -p faro-ffi)
  rm -rf "$REPO/ios/Generated" "$REPO/ios/Sources/FaroFFI/FaroFFI.swift"
  (cd "$REPO" && cargo uniffi-bindgen generate --no-format --library target/debug/libfaro_ffi.so \
    --language swift --out-dir ios/Generated)
  # The Swift goes into the package's FaroFFI target; the C header and module map stay in
  # ios/Generated and are passed to the compiler by absolute path.
  mv "$REPO/ios/Generated/FaroFFI.swift" "$REPO/ios/Sources/FaroFFI/FaroFFI.swift"
}

swift_in_chroot() { # subcommand...
  local lib=$INNER/target/debug
  local modmap=$INNER/ios/Generated/faro_ffiFFI.modulemap
  mount_into "$ROOT"
  # The module map must be passed by absolute path for Swift 6.0 to find the C module that
  # UniFFI's generated Swift imports; the library is the host-built one, linked by name.
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LD_LIBRARY_PATH="$lib" \
    FARO_DEMO_LISTINGS="$INNER/data/demo/listings.jsonl" \
    /bin/sh -c 'root=$0 modmap=$1 lib=$2; shift 2; cd "$root/ios" && exec swift "$@" \
      --scratch-path "$root/target/swift-build" \
      -Xcc -fmodule-map-file="$modmap" -Xlinker -L"$lib" -Xlinker -lfaro_ffi' \
    "$INNER" "$modmap" "$lib" "$@"
}

case "${1:-test}" in
  bootstrap) bootstrap ;;
  test)
    bootstrap
    prepare
    swift_in_chroot build --build-tests
    swift_in_chroot test --skip-build
    ;;
  shell)
    bootstrap
    mount_into "$ROOT"
    chroot "$ROOT" /bin/bash
    ;;
  *)
    echo "usage: $0 [bootstrap|test|shell]" >&2
    exit 2
    ;;
esac
