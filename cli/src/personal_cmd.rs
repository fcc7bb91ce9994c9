//! `faro favorites add|remove|list` and `faro forget-personal-data`: the person's saved
//! places, sealed in their own file with a 32-byte key (`faro_core::personal`, ADR 0034), for
//! field workers on a laptop and for testing what the apps do. The key file belongs on other
//! media than the data (a USB key, a password manager's export): beside the data it protects
//! nothing. `forget-personal-data` needs no key.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Subcommand};

use faro_core::personal::{self, PersonalError, PersonalStore, SavedPlace, KEY_LEN};
use faro_core::{Error, LangPrefs};

use crate::i18n as tr;
use crate::output;

/// Arguments of `faro favorites`.
#[derive(Args)]
pub struct FavoritesArgs {
    #[command(subcommand)]
    action: FavoritesAction,
}

/// What `faro favorites` does.
#[derive(Subcommand)]
enum FavoritesAction {
    /// Save a listing (saving it again changes its label).
    Add(AddArgs),
    /// Remove a saved listing.
    Remove(RemoveArgs),
    /// List the saved listings with the directory's current names.
    List(ListArgs),
}

/// Where the data and the key are.
#[derive(Args)]
struct Files {
    /// The directory database (names, and whether a saved listing is still listed).
    #[arg(long)]
    db: PathBuf,
    /// The personal-data file (created on first use).
    #[arg(long)]
    personal: PathBuf,
    /// File holding the 32-byte key: 32 raw bytes, or 64 hex digits. Keep it on other media
    /// than the data (e.g. `head -c 32 /dev/urandom > /media/usb/faro.key`).
    #[arg(long)]
    key_file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct AddArgs {
    #[command(flatten)]
    files: Files,
    /// A label of your own (up to 200 characters).
    #[arg(long)]
    label: Option<String>,
    /// The listing's id (as `faro search` shows it).
    listing_id: String,
}

#[derive(Args)]
struct RemoveArgs {
    #[command(flatten)]
    files: Files,
    /// The listing's id.
    listing_id: String,
}

#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    files: Files,
    /// Languages for names ("ht,fr,es,en").
    #[arg(long, value_parser = crate::parse_langs, default_value = "es,en")]
    lang: LangPrefs,
}

/// Arguments of `faro forget-personal-data`.
#[derive(Args)]
pub struct ForgetArgs {
    /// The personal-data file to erase (with its SQLite companions). No key is needed.
    #[arg(long)]
    personal: PathBuf,
    /// The directory database: personal data it holds is erased too, the directory stays.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Print {"files_removed", "erased"} as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `faro favorites`.
pub fn favorites(args: FavoritesArgs) -> Result<(), Error> {
    match args.action {
        FavoritesAction::Add(a) => {
            let store = crate::open_for_query(&a.files.db)?;
            // Only listings the directory has: a typo must not be saved as a place to go.
            store.get(&a.listing_id)?;
            let mut p = open(&a.files)?;
            let added = p.add_favorite(&a.listing_id, a.label.as_deref(), Utc::now().date_naive())?;
            if a.files.json {
                output::print_json(&serde_json::json!({ "listing_id": a.listing_id, "added": added }));
            } else {
                outln!("{}", tr::f(if added { "fav_added" } else { "fav_updated" }, &[&a.listing_id]));
            }
        }
        FavoritesAction::Remove(a) => {
            let mut p = open(&a.files)?;
            let removed = p.remove_favorite(&a.listing_id)?;
            if a.files.json {
                output::print_json(&serde_json::json!({ "listing_id": a.listing_id, "removed": removed }));
            } else {
                outln!("{}", tr::f(if removed { "fav_removed" } else { "fav_not_saved" }, &[&a.listing_id]));
            }
        }
        FavoritesAction::List(a) => {
            let store = crate::open_for_query(&a.files.db)?;
            let p = open(&a.files)?;
            let shown = p.saved_places(&store, &a.lang)?;
            if a.files.json {
                output::print_json(&shown);
            } else if shown.is_empty() {
                outln!("{}", tr::t("fav_none"));
            } else {
                for s in &shown {
                    print_shown(s);
                }
            }
        }
    }
    Ok(())
}

/// Runs `faro forget-personal-data`.
pub fn forget(args: ForgetArgs) -> Result<(), Error> {
    let store = args.db.as_deref().map(|db| crate::open_existing(db, "no such directory database")).transpose()?;
    let mut erasers = store.as_ref().map(personal::directory_erasers).unwrap_or_default();
    let mut others: Vec<&mut dyn personal::Eraser> = erasers.iter_mut().map(|e| &mut **e as _).collect();
    let done = personal::forget_personal_data(&args.personal, &mut others)?;
    if args.json {
        let files: Vec<String> = done.files_removed.iter().map(|p| p.display().to_string()).collect();
        output::print_json(&serde_json::json!({ "files_removed": files, "erased": done.erased }));
    } else {
        outln!("{}", tr::f("forget_done", &[&done.files_removed.len().to_string()]));
        for what in &done.erased {
            outln!("  {what}");
        }
        outln!("{}", tr::t("forget_key_hint"));
    }
    Ok(())
}

fn open(files: &Files) -> Result<PersonalStore, Error> {
    let key = read_key(&files.key_file)?;
    Ok(PersonalStore::open(&files.personal, &key)?)
}

/// The key in `path`: exactly 32 bytes, or 64 hex digits (surrounding white space ignored).
fn read_key(path: &Path) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    if bytes.len() == KEY_LEN {
        return Ok(bytes);
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    let hex = |c: u8| (c as char).to_digit(16);
    if text.len() == 2 * KEY_LEN && text.bytes().all(|c| hex(c).is_some()) {
        let digits: Vec<u32> = text.bytes().filter_map(hex).collect();
        return Ok(digits.chunks(2).map(|p| (p[0] * 16 + p[1]) as u8).collect());
    }
    Err(Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}; a key file holds 32 bytes, or 64 hex digits", PersonalError::KeyLength { len: bytes.len() }),
        ),
    })
}

fn print_shown(s: &SavedPlace) {
    let title = s.label.as_deref().or(s.name.as_deref()).unwrap_or(&s.listing_id);
    outln!("* {title}  [{}]", s.listing_id);
    if let (Some(name), Some(_)) = (&s.name, &s.label) {
        outln!("  {name}");
    }
    outln!("  {}", tr::f("fav_saved_on", &[&s.saved_on.to_string()]));
    if !s.in_directory {
        outln!("  {}", tr::t("fav_gone"));
    }
}
