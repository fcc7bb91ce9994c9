#!/usr/bin/env python3
"""Writes a TUF repository with python-tuf's `tuf.api.metadata` into OUT_DIR, for Faro's
client to read (tests/tuf_interop.rs):

- keys of every scheme across roles: root rsassa-pss (threshold 1), timestamp ecdsa,
  snapshot ed25519, targets rsa-pkcs1v15; a delegated role `warnings` (threshold 2,
  ed25519 + ecdsa, paths `warnings/*`);
- consistent snapshots (`N.role.json`, `<sha256>.<name>` targets);
- a root rotation: version 2 replaces the timestamp key, signed by old and new root keys;
- an unknown field in `signed`, which must not break verification.

Usage: python_repo.py OUT_DIR
"""
import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

TARGETS = {
    "directory/mx": ("targets", b"python-tuf wrote this Mexico directory\n"),
    "warnings/mx": ("warnings", b"python-tuf wrote this warning\n"),
}


def main(out: str) -> None:
    meta_dir = os.path.join(out, "metadata")
    os.makedirs(meta_dir, exist_ok=True)
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
    pretty = JSONSerializer(compact=False)

    signers = {
        "root": CryptoSigner.generate_rsa(scheme="rsassa-pss-sha256"),
        "timestamp": CryptoSigner.generate_ecdsa(),
        "snapshot": CryptoSigner.generate_ed25519(),
        "targets": CryptoSigner.generate_rsa(scheme="rsa-pkcs1v15-sha256"),
    }
    warnings_signers = [CryptoSigner.generate_ed25519(), CryptoSigner.generate_ecdsa()]

    root = Metadata(Root(expires=expires, consistent_snapshot=True))
    for role, signer in signers.items():
        root.signed.add_key(signer.public_key, role)
    root.signed.unrecognized_fields["x-python-tuf-note"] = "unknown fields are signed too"
    root.sign(signers["root"])
    root.to_file(os.path.join(meta_dir, "1.root.json"), pretty)

    # Root v2: a new timestamp key, signed by the (unchanged) root key of v1 and v2.
    new_timestamp = CryptoSigner.generate_ecdsa()
    root.signed.version = 2
    root.signed.revoke_key(signers["timestamp"].public_key.keyid, "timestamp")
    root.signed.add_key(new_timestamp.public_key, "timestamp")
    signers["timestamp"] = new_timestamp
    root.signatures.clear()
    root.sign(signers["root"])
    root.to_file(os.path.join(meta_dir, "2.root.json"), pretty)

    targets = Metadata(Targets(expires=expires))
    warnings = Metadata(Targets(expires=expires))
    for path, (role, body) in TARGETS.items():
        info = TargetFile.from_data(path, body, ["sha256", "sha512"])
        (targets if role == "targets" else warnings).signed.targets[path] = info
        for digest in info.hashes.values():
            dirname, _, base = path.rpartition("/")
            target = os.path.join(out, "targets", dirname, f"{digest}.{base}")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(body)
    keys = {s.public_key.keyid: s.public_key for s in warnings_signers}
    role = DelegatedRole("warnings", list(keys), 2, True, paths=["warnings/*"])
    targets.signed.delegations = Delegations(keys, roles={"warnings": role})
    for s in warnings_signers:
        warnings.sign(s, append=True)
    warnings.to_file(os.path.join(meta_dir, "1.warnings.json"), pretty)
    targets.sign(signers["targets"])
    targets.to_file(os.path.join(meta_dir, "1.targets.json"), pretty)

    snapshot = Metadata(Snapshot(expires=expires))
    snapshot.signed.meta["targets.json"] = MetaFile(1)
    snapshot.signed.meta["warnings.json"] = MetaFile(1)
    snapshot.sign(signers["snapshot"])
    snapshot.to_file(os.path.join(meta_dir, "1.snapshot.json"), pretty)
    with open(os.path.join(meta_dir, "1.snapshot.json"), "rb") as f:
        snapshot_bytes = f.read()

    timestamp = Metadata(Timestamp(expires=expires))
    timestamp.signed.snapshot_meta = MetaFile.from_data(1, snapshot_bytes, ["sha256"])
    timestamp.sign(signers["timestamp"])
    timestamp.to_file(os.path.join(meta_dir, "timestamp.json"), pretty)


if __name__ == "__main__":
    main(sys.argv[1])
