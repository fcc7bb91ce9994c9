//! The person's own data across the FFI: saved places (favorites) and notes, kept in
//! `personal.sqlite` beside the directory, sealed with a 32-byte key the app keeps in Android
//! Keystore or iOS Keychain, and erased in one call (`forget_personal_data`, no key needed).
//!
//! The key is given once, to [`FaroStore::unlock_personal_data`], not with every call: it then
//! crosses the FFI once per session instead of once per tap, the core keeps only the two keys
//! derived from it (never the key itself, never on disk), and [`FaroStore::lock_personal_data`]
//! (or `close`) drops them. Calls before unlocking fail with `Locked`; a key that does not open
//! the file fails with `WrongKey` and changes nothing (ADR 0034, `docs/privacy.md`).

use std::sync::{Mutex, MutexGuard};

use chrono::Utc;
use faro_core::model::Kind;
use faro_core::personal::{self, PersonalError, PersonalStore, PERSONAL_DATA_FILE};
use faro_core::Store;

use crate::error::{guard, FaroError};
use crate::query;
use crate::store::{FaroStore, SYNCED_DATA_FILE};

/// A saved place, with what the directory says of it today.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Favorite {
    /// The listing's id.
    pub listing_id: String,
    /// The label the person typed, if any.
    pub label: Option<String>,
    /// The day it was saved, `YYYY-MM-DD` (no time of day is kept).
    pub saved_on: String,
    /// Whether the directory still has this listing. When `false` the place was removed by
    /// its publisher (closed, or found to be fake): tell the person before they go there.
    pub in_directory: bool,
    /// The listing's current name in the languages asked for; `None` when it is no longer
    /// in the directory.
    pub name: Option<String>,
    /// The listing's kind; `None` when it is no longer in the directory.
    pub kind: Option<Kind>,
}

/// A note the person wrote.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Note {
    /// The note's number (never reused).
    pub id: u64,
    /// The listing it is about, if any.
    pub listing_id: Option<String>,
    /// The text.
    pub text: String,
    /// The day it was written or last edited, `YYYY-MM-DD`.
    pub written_on: String,
}

#[uniffi::export]
impl FaroStore {
    /// Opens the person's saved places and notes with `key`: 32 random bytes the app created
    /// once and keeps in Android Keystore / iOS Keychain (never in a file, never in a backup).
    /// Creates the personal-data file on first use. Calling it again with another key switches
    /// to that key only if it opens the file.
    ///
    /// Fails with `BadInput` if the key is not 32 bytes, `WrongKey` if the file was made with
    /// another key (nothing is changed: find the right key, or erase with
    /// `forget_personal_data`), `Damaged` if the file is not Faro personal data.
    pub fn unlock_personal_data(&self, key: Vec<u8>) -> Result<(), FaroError> {
        let mut key = key;
        let result = guard(|| {
            self.open_store("unlock_personal_data")?;
            let opened = PersonalStore::open(&self.dir.join(PERSONAL_DATA_FILE), &key).map_err(from_personal)?;
            *self.personal_slot()? = Some(opened);
            Ok(())
        });
        // Our copy of the key goes now (best effort: the FFI's buffers are not ours to wipe).
        key.fill(0);
        std::hint::black_box(&key);
        result
    }

    /// Closes the personal data and forgets the keys derived from the app's key. Idempotent.
    /// The directory stays open.
    pub fn lock_personal_data(&self) {
        if let Ok(mut slot) = self.personal_slot() {
            slot.take();
        }
    }

    /// Whether [`FaroStore::unlock_personal_data`] succeeded and nothing locked it since.
    pub fn is_personal_data_unlocked(&self) -> bool {
        self.personal_slot().map(|s| s.is_some()).unwrap_or(false)
    }

    /// Saves listing `listing_id` as a favorite, with an optional `label` (up to 200
    /// characters). Saving it again changes the label. Returns whether it was new.
    /// `NotFound` if the directory has no such listing; `Locked` before unlocking.
    #[uniffi::method(default(label = None))]
    pub fn add_favorite(&self, listing_id: String, label: Option<String>) -> Result<bool, FaroError> {
        self.with_store("add_favorite", |store| {
            store.get(&listing_id)?;
            self.with_personal("add_favorite", |p| p.add_favorite(&listing_id, label.as_deref(), today()))
        })
    }

    /// Removes the favorite of `listing_id` (its bytes are zeroed in the file). Returns
    /// whether it was saved.
    pub fn remove_favorite(&self, listing_id: String) -> Result<bool, FaroError> {
        guard(|| self.with_personal("remove_favorite", |p| p.remove_favorite(&listing_id)))
    }

    /// Whether `listing_id` is saved.
    pub fn is_favorite(&self, listing_id: String) -> Result<bool, FaroError> {
        guard(|| self.with_personal("is_favorite", |p| p.is_favorite(&listing_id)))
    }

    /// The saved places, oldest first, each with the directory's current name in `languages`
    /// (most preferred first) and whether the directory still has it.
    #[uniffi::method(default(languages = []))]
    pub fn favorites(&self, languages: Vec<String>) -> Result<Vec<Favorite>, FaroError> {
        self.with_store("favorites", |store| {
            let langs = query::languages(&languages)?;
            let mut slot = self.personal_slot()?;
            let p = slot.as_mut().ok_or_else(|| locked_error("favorites"))?;
            let saved = p.saved_places(store, &langs)?;
            Ok(saved
                .into_iter()
                .map(|f| Favorite {
                    listing_id: f.listing_id,
                    label: f.label,
                    saved_on: f.saved_on.to_string(),
                    in_directory: f.in_directory,
                    name: f.name,
                    kind: f.kind,
                })
                .collect())
        })
    }

    /// Writes a note, optionally about listing `listing_id` (which need not be in the
    /// directory). Up to 10,000 characters, not empty. Returns its id.
    #[uniffi::method(default(listing_id = None))]
    pub fn add_note(&self, text: String, listing_id: Option<String>) -> Result<u64, FaroError> {
        guard(|| {
            let id = self.with_personal("add_note", |p| p.add_note(&text, listing_id.as_deref(), today()))?;
            note_id(id)
        })
    }

    /// Replaces the text of note `id`. `NotFound` if there is no such note.
    pub fn edit_note(&self, id: u64, text: String) -> Result<(), FaroError> {
        guard(|| self.with_personal("edit_note", |p| p.edit_note(row(id), &text, today())))
    }

    /// Removes note `id` (its bytes are zeroed in the file). Returns whether it existed.
    pub fn remove_note(&self, id: u64) -> Result<bool, FaroError> {
        guard(|| self.with_personal("remove_note", |p| p.remove_note(row(id))))
    }

    /// The notes, oldest first; only those about `listing_id` when it is given.
    #[uniffi::method(default(listing_id = None))]
    pub fn notes(&self, listing_id: Option<String>) -> Result<Vec<Note>, FaroError> {
        guard(|| {
            let notes = self.with_personal("notes", |p| p.notes(listing_id.as_deref()))?;
            notes
                .into_iter()
                .map(|n| {
                    Ok(Note {
                        id: note_id(n.id)?,
                        listing_id: n.listing_id,
                        text: n.text,
                        written_on: n.written_on.to_string(),
                    })
                })
                .collect()
        })
    }

    /// Erases everything personal Faro keeps on the phone: saved places, notes (the file is
    /// overwritten and removed) and whatever else the directory database holds about the
    /// person. Needs no key and works locked. The directory stays and keeps answering.
    ///
    /// The app must also delete the key from Keystore / Keychain: on flash storage old
    /// blocks may survive an overwrite, and only the key's deletion makes them unreadable.
    /// `Storage` if something could not be erased (what could be, was; call it again).
    pub fn forget_personal_data(&self) -> Result<(), FaroError> {
        guard(|| {
            // Closed first: the file must not be open while it is overwritten.
            self.lock_personal_data();
            let path = self.dir.join(PERSONAL_DATA_FILE);
            let open = self.open_store("forget_personal_data").ok();
            // After close() the directory is opened just for its erasers.
            let store = match open {
                Some(s) => s,
                None => std::sync::Arc::new(Store::open(self.dir.join(SYNCED_DATA_FILE))?),
            };
            let mut erasers = personal::directory_erasers(&store);
            let mut others: Vec<&mut dyn personal::Eraser> = erasers.iter_mut().map(|e| &mut **e as _).collect();
            personal::forget_personal_data(&path, &mut others).map_err(from_personal)?;
            Ok(())
        })
    }
}

impl FaroStore {
    fn personal_slot(&self) -> Result<MutexGuard<'_, Option<PersonalStore>>, FaroError> {
        self.personal.lock().map_err(|_| FaroError::Internal { reason: "personal-data lock poisoned".into() })
    }

    /// Runs `f` on the unlocked personal data, or fails with `Locked` naming `call`.
    fn with_personal<T>(
        &self,
        call: &str,
        f: impl FnOnce(&mut PersonalStore) -> Result<T, PersonalError>,
    ) -> Result<T, FaroError> {
        let mut slot = self.personal_slot()?;
        let p = slot.as_mut().ok_or_else(|| locked_error(call))?;
        f(p).map_err(from_personal)
    }
}

/// `Locked`, naming `call`.
fn locked_error(call: &str) -> FaroError {
    FaroError::Locked {
        reason: format!("{call}: the personal data is locked; call unlock_personal_data with the app's key first"),
    }
}

/// A fresh empty slot for [`FaroStore`]'s personal data (locked).
pub(crate) fn locked() -> Mutex<Option<PersonalStore>> {
    Mutex::new(None)
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn note_id(id: i64) -> Result<u64, FaroError> {
    u64::try_from(id).map_err(|_| FaroError::Damaged { reason: format!("personal data: note id {id} is negative") })
}

/// A note id from the app as the file's row number (ids past i64 match no note).
fn row(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

/// The FFI's error for a personal-data error. Messages carry no personal data (the core's
/// never do).
pub(crate) fn from_personal(e: PersonalError) -> FaroError {
    let reason = e.to_string();
    match &e {
        PersonalError::KeyLength { .. } | PersonalError::Refused(_) => FaroError::BadInput { reason },
        PersonalError::WrongKey { .. } => FaroError::WrongKey { reason },
        PersonalError::NotPersonalFile { .. } | PersonalError::Damaged { .. } => FaroError::Damaged { reason },
        PersonalError::NotFound(_) => FaroError::NotFound { reason },
        PersonalError::Sqlite { .. } if e.is_damage() => FaroError::Damaged { reason },
        PersonalError::Sqlite { .. } | PersonalError::Io { .. } | PersonalError::NotErased(_) => {
            FaroError::Storage { reason }
        }
        PersonalError::Internal(_) => FaroError::Internal { reason },
    }
}
