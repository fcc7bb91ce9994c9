//! Length, hash and size checks shared by metadata and target files.

use std::collections::BTreeMap;

use ring::digest;

use super::error::{TufError, TufResult};

/// Refuses `bytes` longer than `max` (a fetcher may return one byte more than allowed).
pub fn check_size(file: &str, bytes: &[u8], max: u64) -> TufResult<()> {
    if bytes.len() as u64 > max {
        return Err(TufError::TooLarge { file: file.to_string(), max });
    }
    Ok(())
}

/// Checks `bytes` has exactly `length` bytes (when given) and matches every hash in
/// `hashes` (when given). Supported: `sha256`, `sha384`, `sha512`; any other algorithm is
/// an error, as in python-tuf, since an unchecked hash is no check.
pub fn verify_length_and_hashes(
    file: &str,
    bytes: &[u8],
    length: Option<u64>,
    hashes: Option<&BTreeMap<String, String>>,
) -> TufResult<()> {
    if let Some(length) = length {
        if bytes.len() as u64 != length {
            return Err(TufError::LengthOrHashMismatch {
                file: file.to_string(),
                what: "length".into(),
                expected: length.to_string(),
                got: bytes.len().to_string(),
            });
        }
    }
    for (algorithm, expected) in hashes.into_iter().flatten() {
        let algo = match algorithm.as_str() {
            "sha256" => &digest::SHA256,
            "sha384" => &digest::SHA384,
            "sha512" => &digest::SHA512,
            other => return Err(TufError::bad(file, format!("hash algorithm {other:?} is not supported"))),
        };
        let got = hex::encode(digest::digest(algo, bytes));
        if !got.eq_ignore_ascii_case(expected) {
            return Err(TufError::LengthOrHashMismatch {
                file: file.to_string(),
                what: format!("{algorithm} hash"),
                expected: expected.clone(),
                got,
            });
        }
    }
    Ok(())
}

/// The hashes Faro writes for a file: sha256 and sha512.
pub fn hashes_of(bytes: &[u8]) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("sha256".to_string(), hex::encode(digest::digest(&digest::SHA256, bytes))),
        ("sha512".to_string(), hex::encode(digest::digest(&digest::SHA512, bytes))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_hash_is_checked() {
        let mut hashes = hashes_of(b"data");
        verify_length_and_hashes("f", b"data", Some(4), Some(&hashes)).unwrap();
        let e = verify_length_and_hashes("f", b"datb", Some(4), Some(&hashes)).unwrap_err();
        assert!(matches!(&e, TufError::LengthOrHashMismatch { what, .. } if what == "sha256 hash"), "{e}");
        // A wrong sha512 alone is caught even when sha256 matches.
        hashes.insert("sha512".into(), "00".repeat(64));
        let e = verify_length_and_hashes("f", b"data", None, Some(&hashes)).unwrap_err();
        assert!(matches!(&e, TufError::LengthOrHashMismatch { what, .. } if what == "sha512 hash"), "{e}");
        let e = verify_length_and_hashes("f", b"data", Some(5), None).unwrap_err();
        assert_eq!(e.to_string(), "f: length is 4, trusted metadata says 5; the file was rejected");
        let md5 = BTreeMap::from([("md5".to_string(), "x".to_string())]);
        assert!(verify_length_and_hashes("f", b"data", None, Some(&md5)).unwrap_err().to_string().contains("md5"));
    }

    #[test]
    fn sizes_are_capped() {
        check_size("t", &[0; 10], 10).unwrap();
        assert_eq!(check_size("t", &[0; 11], 10).unwrap_err(), TufError::TooLarge { file: "t".into(), max: 10 });
    }
}
