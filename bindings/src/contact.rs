//! "Is this contact real?" across the FFI: a phone number, link, e-mail or handle checked
//! against the verified listings of signed datasets and the warnings active at trusted time.
//! The answer is never "safe": a contact found nowhere is `Unknown`, "not verified".

use faro_core::contact::lookalike::Likeness;
use faro_core::contact::{ContactCheck, ContactKind, ContactMatch, MatchSource, Relation, Verdict};
use faro_core::CountryCode;

use crate::error::{guard, FaroError};
use crate::query::country;
use crate::store::FaroStore;

/// What a piece of text turned out to be.
#[uniffi::remote(Enum)]
pub enum ContactKind {
    /// A phone number (also from `tel:`, `wa.me/` and `api.whatsapp.com` links).
    Phone,
    /// A web address.
    Url,
    /// An e-mail address.
    Email,
    /// A social-media account.
    Handle,
    /// Not a contact Faro can read.
    Invalid,
}

/// The answer to "is this contact real?".
#[uniffi::remote(Enum)]
pub enum Verdict {
    /// It belongs to a verified, active listing of a signed dataset (synced or from a
    /// bundle). A local import (`importListings`) never makes a contact official, whatever
    /// its records say.
    Official,
    /// It is named in an active warning: do not use it.
    Warning,
    /// The same name as a verified listing's account, but not that account: written without
    /// its network, or on another network. Only the listing's account on its own network
    /// (`ContactMatch.network`) is official; anyone can register the name elsewhere.
    NameMatch,
    /// It imitates a verified listing's web address or handle: do not trust it.
    Lookalike,
    /// In the directory, but not verified: a listing has this contact and nobody verified
    /// that listing, or it is no longer active, or it was imported on this device (not
    /// signed, even if its record says verified). The `ListedNotVerified` match names the
    /// listing, its dataset and whether that dataset is signed (`dataset_verified`).
    Listed,
    /// Not verified: found in no listing and no warning. Never "safe".
    Unknown,
    /// Not a contact that can be read.
    Invalid,
}

/// Where a match comes from.
#[uniffi::remote(Enum)]
pub enum MatchSource {
    /// A directory listing.
    Listing,
    /// A warning.
    Warning,
}

/// How an input imitates an official address or handle.
#[uniffi::remote(Enum)]
pub enum Likeness {
    /// Looks the same once confusable characters are folded (UTS #39 skeleton).
    Confusable,
    /// One or two characters added, removed or changed.
    SmallEdit,
    /// The same name under another top-level or second-level domain.
    OtherDomainEnding,
    /// The official name with hyphens, dots, digits or words added or swapped.
    Decorated,
    /// The official host used as a sub-domain of someone else's domain.
    OfficialNameAsSubdomain,
}

/// How the contact relates to a matched listing or warning.
#[uniffi::remote(Enum)]
pub enum Relation {
    /// The same contact.
    Exact,
    /// An e-mail at the domain of the record's web site, which covers the whole domain on a
    /// domain that is not shared; for a warning, a sub-domain of or an e-mail at its domain.
    SameDomain,
    /// On the domain of the record's web site but not official: another sub-domain, or an
    /// e-mail the record does not list where the site is one path or shared hosting.
    SameDomainNotListed,
    /// The same host as the record's web address but outside its listed path.
    SameHostOtherPage,
    /// The same handle on another network than the record's.
    SameNameOtherNetwork,
    /// The same handle, written without a network: official only on the record's network.
    SameNameNoNetwork,
    /// In a listing that is not verified, not active, or not in a signed dataset (a local
    /// import): not an official contact.
    ListedNotVerified,
    /// A warning's number matched by another reading of the input (`ContactCheck.also`):
    /// written with `00` or `011` where that is not the region's international prefix.
    OtherReading,
    /// Imitates the record's contact.
    Imitates {
        /// How.
        likeness: Likeness,
    },
}

/// One listing or warning the contact matched.
#[uniffi::remote(Record)]
pub struct ContactMatch {
    /// Listing or warning.
    pub source: MatchSource,
    /// Its id (open it with `listing` or `warning`).
    pub id: String,
    /// Its name (listing) or headline (warning), in the preferred language.
    pub name: String,
    /// How the contact relates to it.
    pub relation: Relation,
    /// The record's own contact that was matched or imitated (normalized).
    pub contact: String,
    /// The network of the record's account (`facebook`, `instagram`, ...), when `contact`
    /// is a handle.
    pub network: Option<String>,
    /// True for demo data.
    pub demo: bool,
    /// The dataset the record came in.
    pub dataset: String,
    /// True when that dataset came by a verified sync or bundle (signed by its publisher);
    /// false for a local import, which nobody verified.
    pub dataset_verified: bool,
}

/// The full answer to "is this contact real?".
#[uniffi::remote(Record)]
pub struct ContactCheck {
    /// The input (cut to 512 bytes).
    pub input: String,
    /// What the input was read as.
    pub kind: ContactKind,
    /// The normalized contact (E.164, lower-case host, handle without `@`); `None` when
    /// invalid.
    pub normalized: Option<String>,
    /// Other readings of a phone number, E.164, compared with the warnings only: the
    /// number written with `00` or `011` where that is not the region's international prefix
    /// (`001 201 555 0033` in the US), read as an international number. Show them as "also
    /// checked as ...".
    pub also: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The records behind the verdict (warnings first when the verdict is `Warning`).
    pub matches: Vec<ContactMatch>,
}

#[uniffi::export]
impl FaroStore {
    /// Checks a phone number, link, e-mail or handle as the person typed or received it
    /// against the verified listings of signed datasets (never a local import) and the
    /// warnings active at trusted time now. `region` (ISO 3166-1 alpha-2) reads national
    /// phone numbers (`55 1234 5678` in `MX`); `languages` picks the names shown. The input never leaves the device and is never logged.
    #[uniffi::method(default(region = None, languages = []))]
    pub fn check_contact(
        &self,
        input: String,
        region: Option<String>,
        languages: Vec<String>,
    ) -> Result<ContactCheck, FaroError> {
        self.with_store("check_contact", |store| {
            let region = region_code(region)?;
            let langs = crate::query::languages(&languages)?;
            Ok(store.check_contact(&input, region, store.now()?, &langs)?)
        })
    }
}

/// Reads `input` as a contact without any database: the kind and normalized form, with the
/// verdict `Unknown` or `Invalid`. For showing "+52 55 1234 5678" as the person types.
#[uniffi::export(default(region = None))]
pub fn normalize_contact(input: String, region: Option<String>) -> Result<ContactCheck, FaroError> {
    guard(|| Ok(ContactCheck::offline(&input, region_code(region)?)))
}

fn region_code(region: Option<String>) -> Result<Option<CountryCode>, FaroError> {
    region.as_deref().map(|c| country(c, "region")).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_normalization_reads_national_numbers_with_the_region() {
        let c = normalize_contact("55 1234 5678".into(), Some("mx".into())).unwrap();
        assert_eq!(
            (c.kind, c.normalized.as_deref(), c.verdict),
            (ContactKind::Phone, Some("+525512345678"), Verdict::Unknown)
        );
        let junk = normalize_contact("???".into(), None).unwrap();
        assert_eq!((junk.kind, junk.verdict), (ContactKind::Invalid, Verdict::Invalid));
        let bad = normalize_contact("55 1234 5678".into(), Some("Mexico".into())).unwrap_err();
        assert!(matches!(bad, FaroError::BadInput { reason } if reason.starts_with("region:")));
    }
}
