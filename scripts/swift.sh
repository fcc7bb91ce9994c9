#!/usr/bin/env bash
# Builds and tests the Swift package (ios/) on Linux, inside a Debian 13 (trixie) chroot that
# carries Swift 6 from Debian's own `swiftlang` package. The host has no Swift; a chroot is the
# one way to get a packaged toolchain without downloading a binary from outside the registries.
#
#   scripts/swift.sh bootstrap   # only create the chroot (about 1 min and 3 GiB, once)
#   scripts/swift.sh test        # build the Rust library, generate bindings, publish and serve
#                                # the demo repository on loopback, swift build + test
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
SERVER_PID=
REPORT_PIDS=()
cleanup() {
  local i
  for i in $SERVER_PID "${REPORT_PIDS[@]}"; do
    kill "$i" 2>/dev/null || true
    wait "$i" 2>/dev/null || true
  done
  SERVER_PID=
  REPORT_PIDS=()
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

# Build the host library and generate the Swift bindings. The Swift file is committed
# (ios/Sources/FaroFFI/FaroFFI.swift: SwiftPM consumers build from it) and regenerated here, so
# the tests always run against the current interface; if it changed, the run fails at the end
# until the new file is committed. The C header and module map go to ios/Generated (ignored)
# and are passed to the compiler by absolute path.
BINDINGS_CHANGED=
prepare() {
  local swift=$REPO/ios/Sources/FaroFFI/FaroFFI.swift
  # The whole workspace as the test command's build stage makes it (see scripts/kotlin.sh).
  (cd "$REPO" && cargo build --locked --workspace --all-targets)
  rm -rf "$REPO/ios/Generated"
  (cd "$REPO" && cargo uniffi-bindgen generate --no-format --library target/debug/libfaro_ffi.so \
    --language swift --out-dir ios/Generated)
  if ! cmp -s "$REPO/ios/Generated/FaroFFI.swift" "$swift"; then BINDINGS_CHANGED=1; fi
  mv "$REPO/ios/Generated/FaroFFI.swift" "$swift"
}

# The sync tests' fixture, made on the host (the chroot shares its network): the demo data
# published by the host-built CLI into target/swift-fixture/repo, a copy with tampered targets,
# scripts/serve_repo.py serving both on loopback (and slowed down under /slow/), and the demo
# bundle made as a field worker's phone makes one (faro trust, sync, export).
FIXTURE_ENV=()
fixture() {
  local fx=$REPO/target/swift-fixture faro=$REPO/target/debug/faro
  (cd "$REPO" && cargo build --locked --workspace --all-targets)
  rm -rf "$fx"
  mkdir -p "$fx"
  "$faro" keygen --out "$fx/keys" >/dev/null
  "$faro" publish --keys "$fx/keys" --repo "$fx/repo" "$REPO"/data/demo/{listings,rights,warnings}.jsonl >/dev/null
  cp -r "$fx/repo" "$fx/tampered"
  python3 - "$fx/tampered/targets/demo" <<'PY'
import os, sys
for name in os.listdir(sys.argv[1]):
    path = os.path.join(sys.argv[1], name)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0x20
    open(path, "wb").write(bytes(data))
PY
  python3 "$REPO/scripts/serve_repo.py" "$fx" "$fx/port" &
  SERVER_PID=$!
  local i
  for i in $(seq 100); do [ -s "$fx/port" ] && break; sleep 0.1; done
  [ -s "$fx/port" ] || { log "the repository server did not start"; exit 1; }
  local base="http://127.0.0.1:$(cat "$fx/port")"
  "$faro" trust --db "$fx/field-worker.db" "$fx/repo/metadata/1.root.json" >/dev/null
  "$faro" sync --db "$fx/field-worker.db" --url "$base/repo/" \
    --dataset demo/route --dataset rights/all --dataset warnings/demo >/dev/null
  "$faro" export --db "$fx/field-worker.db" --out "$fx/demo.bundle" >/dev/null
  # Reports (issue 11): the real receiver (`faro reports serve`) behind scripts/report_gate.py
  # (which the tests tell, through the file gate/pass, to answer 503 after N reports), named in
  # reports-repo's signed metadata.
  local public receiver gate
  public=$("$faro" reports keygen --out "$fx/receiver-keys" --json | sed -n 's/.*"public": "\(.*\)".*/\1/p')
  "$faro" reports serve --keys "$fx/receiver-keys" --listen 127.0.0.1:0 --out "$fx/inbox" >"$fx/receiver.log" 2>&1 &
  REPORT_PIDS+=($!)
  for i in $(seq 100); do grep -q 'http://127' "$fx/receiver.log" && break; sleep 0.1; done
  receiver=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$fx/receiver.log") || { log "the receiver did not start"; exit 1; }
  python3 "$REPO/scripts/report_gate.py" "$receiver" "$fx/gate-port" "$fx/gate" &
  REPORT_PIDS+=($!)
  for i in $(seq 100); do [ -s "$fx/gate-port" ] && break; sleep 0.1; done
  [ -s "$fx/gate-port" ] || { log "the report gate did not start"; exit 1; }
  gate="http://127.0.0.1:$(cat "$fx/gate-port")/"
  "$faro" publish --keys "$fx/keys" --repo "$fx/reports-repo" --reports-key "$public" --reports-url "$gate" \
    "$REPO"/data/demo/listings.jsonl >/dev/null
  local inner=$INNER/target/swift-fixture
  FIXTURE_ENV=(FARO_REPO_URL="$base/repo/" FARO_SLOW_URL="$base/slow/repo/" FARO_TAMPERED_URL="$base/tampered/"
    FARO_ROOT_FILE="$inner/repo/metadata/1.root.json" FARO_DEMO_BUNDLE="$inner/demo.bundle"
    FARO_REPORTS_REPO_URL="$base/reports-repo/" FARO_REPORTS_ROOT_FILE="$inner/reports-repo/metadata/1.root.json"
    FARO_REPORT_GATE="$inner/gate" FARO_CLI="$INNER/target/debug/faro" FARO_RECEIVER_KEYS="$inner/receiver-keys"
    FARO_INBOX="$inner/inbox")
}

swift_in_chroot() { # subcommand...
  local lib=$INNER/target/debug
  local modmap=$INNER/ios/Generated/faro_ffiFFI.modulemap
  mount_into "$ROOT"
  # The module map must be passed by absolute path for Swift 6.0 to find the C module that
  # UniFFI's generated Swift imports; the library is the host-built one, linked by name.
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LD_LIBRARY_PATH="$lib" \
    FARO_DEMO_LISTINGS="$INNER/data/demo/listings.jsonl" "${FIXTURE_ENV[@]}" \
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
    fixture
    swift_in_chroot build --build-tests
    swift_in_chroot test --skip-build
    if [ -n "$BINDINGS_CHANGED" ]; then
      log "ios/Sources/FaroFFI/FaroFFI.swift was out of date and has been regenerated: the tests"
      log "passed with the new file; commit it so that SwiftPM consumers build the same interface"
      exit 1
    fi
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
