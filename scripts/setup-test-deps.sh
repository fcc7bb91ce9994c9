#!/usr/bin/env bash
# Installs what Faro's tests need beyond Rust, and only what is missing (safe to re-run):
#  - nginx (Debian's nginx-light): the real web server the sync tests serve repositories from;
#  - python-tuf, the reference TUF implementation, pinned, for the interoperability tests.
# Called by scripts/test-all.sh; needs root (or sudo) for apt-get on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

missing=()
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    echo "== apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts a system nginx on port 80; the tests start their own on free ports.
    as_root service nginx stop >/dev/null 2>&1 || true
fi

if ! python3 -c 'import tuf, securesystemslib; assert tuf.__version__ == "7.0.1"' >/dev/null 2>&1; then
    echo "== pip install python-tuf (pinned)"
    python3 -m pip install --quiet --disable-pip-version-check -r tests/tuf_interop/requirements.txt
fi
