#!/usr/bin/env python3
"""Writes fixtures/signatures.json: one key and one signature per scheme, made by
securesystemslib (python `cryptography`), so Faro's ring-based verification is checked
against another implementation. Run from this directory: python3 make_fixtures.py"""
import json

from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner

MESSAGE = {"_type": "timestamp", "note": "Faro fixture \u00e9 \"quoted\" \\ back", "version": 7}


def main() -> None:
    payload = encode_canonical(MESSAGE).encode("utf-8")
    signers = [
        CryptoSigner.generate_ed25519(),
        CryptoSigner.generate_ecdsa(),
        CryptoSigner.generate_rsa(scheme="rsassa-pss-sha256"),
        CryptoSigner.generate_rsa(scheme="rsa-pkcs1v15-sha256"),
    ]
    cases = []
    for signer in signers:
        key = signer.public_key
        sig = signer.sign(payload)
        cases.append({"keyid": key.keyid, "key": key.to_dict(), "sig": sig.signature})
    out = {"message": MESSAGE, "canonical": payload.decode("utf-8"), "cases": cases}
    with open("fixtures/signatures.json", "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
