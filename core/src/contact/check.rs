//! The verdict on a contact: `warning`, `official`, `name_match`, `lookalike`, `listed`,
//! `unknown` or `invalid`, with the listings and warnings it matched, each with the dataset
//! it came in and whether that dataset was signed by its publisher.
//!
//! Official means this exact contact: a listed phone or e-mail, a link within a listed
//! site (`contact::scope`), a handle on the network it is listed for, of a listing that is
//! verified, active, and came in a dataset signed by its publisher (a verified sync or
//! bundle). A listing imported locally is never official, whatever its record says: anyone
//! can write `verified` in a file and get a person to import it. Its contacts read `listed`,
//! and so do not make a name official for `name_match` or `lookalike` either. A handle written
//! without its network, or on another one, only shares a name (`name_match`): anyone can
//! register that name elsewhere.
//!
//! A warning match wins over an official one: warnings are issued exactly when a listed
//! contact has been taken over or spoofed (a stolen WhatsApp account, a cloned number),
//! and they are newer and signed by two keys. Calling a number twice costs little; trusting
//! a hijacked one can cost a person everything.

use serde::Serialize;

use super::lookalike::Likeness;
use super::normalize::{normalize, Contact, ContactKind, MAX_INPUT_BYTES};
use crate::country::CountryCode;

/// The answer to "is this contact real?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Verdict {
    /// It belongs to a verified, active listing of a signed dataset (a verified sync or
    /// bundle; never a local import).
    #[serde(rename = "official")]
    Official,
    /// It is named in an active warning.
    #[serde(rename = "warning")]
    Warning,
    /// The same name as a verified listing's account, but not that account: the handle was
    /// given without its network, or on another network. The listing's account is official
    /// only on its own network (in the match); anyone can register the name elsewhere.
    #[serde(rename = "name_match")]
    NameMatch,
    /// It imitates a verified listing's web address or handle.
    #[serde(rename = "lookalike")]
    Lookalike,
    /// In the directory, but not verified: a listing has this contact and nobody has
    /// verified that listing, or it is no longer active, or its dataset was imported on this
    /// device rather than signed by its publisher (whatever the record says of itself). The
    /// match says which listing and dataset, and whether the dataset is signed.
    #[serde(rename = "listed")]
    Listed,
    /// Not verified: found in no listing and no warning. Never "safe".
    #[serde(rename = "unknown")]
    Unknown,
    /// Not a contact that can be read.
    #[serde(rename = "invalid")]
    Invalid,
}

/// Where a match comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchSource {
    /// A directory listing.
    Listing,
    /// A warning.
    Warning,
}

/// How the contact relates to the matched record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same contact.
    Exact,
    /// An e-mail at the domain of the record's web site, which covers the whole domain (no
    /// path) on a domain that is not shared; for a warning, a sub-domain of or an e-mail at
    /// the domain it names.
    SameDomain,
    /// On the domain of the record's web site (another sub-domain, or an e-mail address the
    /// record does not list) where the site does not make it official: the site is listed
    /// for one path, or the domain is shared hosting, or it is another sub-domain.
    SameDomainNotListed,
    /// The same host as the record's web address but outside its listed path.
    SameHostOtherPage,
    /// The same handle on another network than the record's.
    SameNameOtherNetwork,
    /// The same handle, written without a network: the record's account is official only
    /// on its own network (`network` in the match).
    SameNameNoNetwork,
    /// In a listing that is not verified, not active, or not in a signed dataset (a local
    /// import): not an official contact.
    ListedNotVerified,
    /// A warning's number, matched by another reading of the input: written with `00` or
    /// `011` where that is not the region's international prefix, read as an international
    /// number (`ContactCheck::also`).
    OtherReading,
    /// Imitates the record's contact. (JSON: `{"imitates": "small_edit"}`.)
    #[serde(serialize_with = "Likeness::serialize")]
    Imitates {
        /// How it imitates it.
        likeness: Likeness,
    },
}

/// One listing or warning the contact matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactMatch {
    /// Listing or warning.
    #[serde(rename = "type")]
    pub source: MatchSource,
    /// Its id.
    pub id: String,
    /// Its name (listing) or headline (warning), in the preferred language.
    pub name: String,
    /// How the contact relates to it.
    pub relation: Relation,
    /// The record's own contact that was matched or imitated (normalized).
    pub contact: String,
    /// The network of the record's account, when `contact` is a handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// True for demo data.
    pub demo: bool,
    /// The dataset the record came in.
    pub dataset: String,
    /// True when that dataset came by a verified sync or bundle (signed by its publisher);
    /// false for a local import, which nobody verified.
    pub dataset_verified: bool,
}

/// The full answer, shaped as `faro check-contact --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactCheck {
    /// The input (cut to [`MAX_INPUT_BYTES`]).
    pub input: String,
    /// What the input was read as.
    pub kind: ContactKind,
    /// The normalized contact, `None` when invalid.
    pub normalized: Option<String>,
    /// Other readings of a phone number compared with the warnings only, E.164 ("also
    /// checked as +1 201 555 0033"): see [`Contact::also`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The records behind the verdict.
    pub matches: Vec<ContactMatch>,
}

/// Most matches reported.
pub(crate) const MAX_MATCHES: usize = 10;

impl ContactCheck {
    /// Normalization only, with no database: verdict `unknown` or `invalid`.
    pub fn offline(input: &str, region: Option<CountryCode>) -> ContactCheck {
        let contact = normalize(input, region);
        ContactCheck::start(input, &contact)
    }

    /// The answer before any record is compared: the input (cut), how it reads, and
    /// `unknown` or `invalid`.
    pub(crate) fn start(input: &str, contact: &Contact) -> ContactCheck {
        let mut cut = input.len().min(MAX_INPUT_BYTES);
        while !input.is_char_boundary(cut) {
            cut -= 1;
        }
        ContactCheck {
            input: input[..cut].to_string(),
            kind: contact.kind,
            normalized: contact.normalized.clone(),
            also: contact.also.clone(),
            verdict: if contact.kind == ContactKind::Invalid { Verdict::Invalid } else { Verdict::Unknown },
            matches: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_check_only_normalizes() {
        let c = ContactCheck::offline("+1 915 555 0123", None);
        assert_eq!(
            (c.kind, c.normalized.as_deref(), &c.verdict),
            (ContactKind::Phone, Some("+19155550123"), &Verdict::Unknown)
        );
        let c = ContactCheck::offline("😀", None);
        assert_eq!(c.verdict, Verdict::Invalid);
        let long = "é".repeat(MAX_INPUT_BYTES);
        assert!(ContactCheck::offline(&long, None).input.len() <= MAX_INPUT_BYTES);
    }

    #[test]
    fn an_imitation_is_written_as_before_in_json() {
        let rel = Relation::Imitates { likeness: Likeness::SmallEdit };
        assert_eq!(serde_json::to_string(&rel).unwrap(), r#"{"imitates":"small_edit"}"#);
        assert_eq!(serde_json::to_string(&Relation::SameHostOtherPage).unwrap(), r#""same_host_other_page""#);
    }
}
