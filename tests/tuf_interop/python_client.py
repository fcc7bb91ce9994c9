#!/usr/bin/env python3
"""Runs python-tuf's `ngclient.Updater` against a repository served over HTTP, starting
from a trusted root file, and downloads targets (tests/tuf_interop.rs).

Usage: python_client.py ROOT_JSON METADATA_URL TARGETS_URL OUT_DIR TARGET...
Writes each target to OUT_DIR/<target path with / replaced by _>; prints the trusted root
version; exits 1 with the error on any failure.
"""
import os
import sys
import tempfile

from tuf.ngclient import Updater


def main(root_json: str, metadata_url: str, targets_url: str, out: str, targets: list[str]) -> None:
    with open(root_json, "rb") as f:
        root = f.read()
    with tempfile.TemporaryDirectory() as metadata_dir:
        updater = Updater(metadata_dir, metadata_url, out, targets_url, bootstrap=root)
        updater.refresh()
        for path in targets:
            info = updater.get_targetinfo(path)
            if info is None:
                raise SystemExit(f"target {path} not found")
            updater.download_target(info, os.path.join(out, path.replace("/", "_")))
        print(f"root version {updater._trusted_set.root.version}")


if __name__ == "__main__":
    try:
        main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    except Exception as e:  # noqa: BLE001 - report any failure to the Rust test
        print(f"python-tuf client failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
