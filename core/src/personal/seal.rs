//! Sealing personal values: AES-256-GCM from `ring` with a random nonce per value and the
//! value's place (table, row, column) as associated data, and a keyed HMAC to find a listing id
//! without storing it (ADR 0034).
//!
//! Both subkeys come from the app's 32-byte key through HKDF-SHA-256, each with its own label,
//! so the index key can never open a value and the other way round. The app's key itself is
//! not kept: only the two derived keys live in memory while the personal data is open.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{hkdf, hmac};

use crate::personal_error::PersonalError;

/// Length of the key the app passes in (from Android Keystore or iOS Keychain).
pub const KEY_LEN: usize = 32;

/// First byte of every sealed value: the layout (`1`: nonce, ciphertext, 16-byte tag).
const SEALED_V1: u8 = 1;

/// HKDF salt: names the use, so the same app key used elsewhere yields unrelated subkeys.
const HKDF_SALT: &[u8] = b"faro personal data v1";

/// The two subkeys derived from the app's key.
pub(super) struct Keys {
    aead: LessSafeKey,
    index: hmac::Key,
    rng: SystemRandom,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// Where a sealed value lives: bound into its tag, so a value copied to another row, column
/// or table fails to open instead of showing one person's note as another's label.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place<'a> {
    pub table: &'a str,
    pub row: i64,
    pub column: &'a str,
}

impl Place<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("{}\0{}\0{}", self.table, self.row, self.column).into_bytes()
    }
}

impl Keys {
    /// Derives the subkeys from `key`, which must be exactly [`KEY_LEN`] bytes.
    pub(super) fn derive(key: &[u8]) -> Result<Keys, PersonalError> {
        if key.len() != KEY_LEN {
            return Err(PersonalError::KeyLength { len: key.len() });
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(key);
        let aead_okm = prk.expand(&[b"value key"], &AES_256_GCM).map_err(|_| derive_failed())?;
        let aead = LessSafeKey::new(UnboundKey::from(aead_okm));
        let index_okm = prk.expand(&[b"index key"], hmac::HMAC_SHA256).map_err(|_| derive_failed())?;
        let index = hmac::Key::from(index_okm);
        Ok(Keys { aead, index, rng: SystemRandom::new() })
    }

    /// `plain` sealed for `place`: version byte, random nonce, ciphertext and tag.
    pub(super) fn seal(&self, place: Place<'_>, plain: &[u8]) -> Result<Vec<u8>, PersonalError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| PersonalError::Internal("the system random source failed".into()))?;
        let mut body = plain.to_vec();
        self.aead
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(place.aad()), &mut body)
            .map_err(|_| PersonalError::Internal("sealing a value failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// The value sealed at `place`, or `None` when it does not open (wrong key, damaged, or
    /// moved from another place). The caller says which of those it means.
    pub(super) fn open(&self, place: Place<'_>, sealed: &[u8]) -> Option<Vec<u8>> {
        let rest = sealed.strip_prefix(&[SEALED_V1])?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self.aead.open_in_place(nonce, Aad::from(place.aad()), &mut body).ok()?;
        Some(plain.to_vec())
    }

    /// Opens the text sealed at `place`; a value that does not open or is not UTF-8 is
    /// [`PersonalError::Damaged`] naming the place (never the value).
    pub(super) fn open_text(&self, place: Place<'_>, sealed: &[u8]) -> Result<String, PersonalError> {
        let bytes = self.open(place, sealed).ok_or_else(|| damaged(place, "it does not open with this key"))?;
        String::from_utf8(bytes).map_err(|_| damaged(place, "it is not UTF-8 text"))
    }

    /// The lookup tag of a listing id: HMAC-SHA-256 with the index subkey. Equal ids give
    /// equal tags under one key; without the key the tag says nothing about the id.
    pub(super) fn index(&self, listing_id: &str) -> Vec<u8> {
        hmac::sign(&self.index, listing_id.as_bytes()).as_ref().to_vec()
    }
}

fn derive_failed() -> PersonalError {
    PersonalError::Internal("deriving the personal-data subkeys failed".into())
}

fn damaged(place: Place<'_>, detail: &str) -> PersonalError {
    PersonalError::Damaged {
        what: format!("{} row {} column {}", place.table, place.row, place.column),
        detail: detail.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACE: Place<'static> = Place { table: "notes", row: 7, column: "text" };

    #[test]
    fn a_value_opens_only_with_its_key_and_at_its_place() {
        let keys = Keys::derive(&[7u8; 32]).unwrap();
        let sealed = keys.seal(PLACE, b"demo note").unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"demo note"));
        assert_eq!(keys.open(PLACE, &sealed).unwrap(), b"demo note");
        // Same value twice: different bytes (random nonce), so equal notes do not show.
        assert_ne!(keys.seal(PLACE, b"demo note").unwrap(), sealed);
        for other in
            [Place { row: 8, ..PLACE }, Place { column: "listing", ..PLACE }, Place { table: "favorites", ..PLACE }]
        {
            assert!(keys.open(other, &sealed).is_none(), "{other:?}");
        }
        assert!(Keys::derive(&[8u8; 32]).unwrap().open(PLACE, &sealed).is_none());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(keys.open(PLACE, &flipped).is_none());
        assert!(keys.open(PLACE, &sealed[..10]).is_none());
        let err = keys.open_text(Place { row: 9, ..PLACE }, &sealed).unwrap_err().to_string();
        assert!(err.contains("notes row 9 column text") && !err.contains("demo"), "{err}");
    }

    #[test]
    fn keys_must_be_32_bytes_and_the_index_is_keyed() {
        for len in [0, 16, 31, 33, 64] {
            let err = Keys::derive(&vec![1u8; len]).unwrap_err();
            assert!(matches!(err, PersonalError::KeyLength { len: l } if l == len), "{err:?}");
            assert!(err.to_string().contains("32 bytes"), "{err}");
        }
        let a = Keys::derive(&[1u8; 32]).unwrap();
        let b = Keys::derive(&[2u8; 32]).unwrap();
        assert_eq!(a.index("demo:x"), a.index("demo:x"));
        assert_ne!(a.index("demo:x"), a.index("demo:y"));
        assert_ne!(a.index("demo:x"), b.index("demo:x"));
        assert_eq!(a.index("demo:x").len(), 32);
    }
}
