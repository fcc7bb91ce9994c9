//! `faro check-contact`: "is this contact real?" for a phone number, link, e-mail or
//! handle, against the verified listings and the active warnings (or, without `--db`,
//! normalization only). Never says "safe": an unknown contact is "not verified".

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use faro_core::contact::{ContactCheck, Relation, Verdict};
use faro_core::country::CountryCode;
use faro_core::{Error, LangPrefs};

use crate::i18n as tr;
use crate::output;

/// Arguments of `faro check-contact`.
#[derive(Args)]
pub struct CheckArgs {
    /// Database file; without it only normalization happens.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Country for national phone numbers (ISO 3166-1 alpha-2, e.g. MX).
    #[arg(long)]
    region: Option<CountryCode>,
    /// Judge warnings at this time (RFC 3339); default: now (the device clock, never earlier
    /// than the newest signed data in the database).
    #[arg(long, value_parser = crate::warnings_cmd::parse_time)]
    at: Option<DateTime<Utc>>,
    /// Languages for names ("ht,fr,es,en").
    #[arg(long, value_parser = crate::parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Print JSON: one object, or an array of them (in order) for several contacts.
    #[arg(long)]
    json: bool,
    /// The phone numbers, links, e-mails or handles to check, each one argument (quote a
    /// number with spaces; unquoted pieces of a single phone number are read as one). A
    /// contact starting with "-" goes after "--". Bytes that are not UTF-8 are replaced.
    #[arg(required = true)]
    input: Vec<OsString>,
}

/// Runs `faro check-contact`.
pub fn run(args: CheckArgs) -> Result<(), Error> {
    let input: Vec<String> = args.input.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let contacts = contacts(input);
    let store = args.db.as_deref().map(crate::open_for_query).transpose()?;
    let checks = contacts
        .iter()
        .map(|c| match &store {
            // --at, or the store's trusted now (as the apps check contacts).
            Some(store) => store.check_contact(c, args.region, args.at.map_or_else(|| store.now(), Ok)?, &args.lang),
            None => Ok(ContactCheck::offline(c, args.region)),
        })
        .collect::<Result<Vec<_>, Error>>()?;
    match (args.json, checks.as_slice()) {
        (true, [one]) => output::print_json(one),
        (true, many) => output::print_json(many),
        (false, many) => {
            for (i, check) in many.iter().enumerate() {
                if i > 0 {
                    outln!();
                }
                print_check(check);
            }
        }
    }
    Ok(())
}

/// The contacts in the arguments: each argument is one, except that the unquoted pieces of
/// one phone number (`+52 1 962 555 0199`: only digits, `+`, `(`, `)`, `-`, `.`, together at
/// most 15 digits, the E.164 maximum) are put back together.
fn contacts(args: Vec<String>) -> Vec<String> {
    let phone_piece = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || "+()-.".contains(c));
    let digits: usize = args.iter().map(|s| s.chars().filter(char::is_ascii_digit).count()).sum();
    if args.len() > 1 && digits <= 15 && args.iter().all(|s| phone_piece(s)) {
        return vec![args.join(" ")];
    }
    args
}

/// Prints a check for a person.
pub fn print_check(c: &ContactCheck) {
    let shown = c.normalized.as_deref().unwrap_or("—");
    let line = match c.verdict {
        Verdict::Official => tr::t("verdict_official").to_string(),
        Verdict::NameMatch => {
            let m = c
                .matches
                .iter()
                .find(|m| matches!(m.relation, Relation::SameNameOtherNetwork | Relation::SameNameNoNetwork));
            let (place, network) = m.map_or((tr::t("a_verified_place"), tr::t("its_network")), |m| {
                (m.name.as_str(), network_name(m.network.as_deref().unwrap_or(tr::t("its_network"))))
            });
            tr::f("verdict_name_match", &[place, network, network])
        }
        Verdict::Warning => tr::t("verdict_warning").to_string(),
        Verdict::Lookalike => tr::t("verdict_lookalike").to_string(),
        Verdict::Listed => {
            let m = c.matches.iter().find(|m| m.relation == Relation::ListedNotVerified);
            tr::f("verdict_listed", &[m.map_or("", |m| m.name.as_str())])
        }
        Verdict::Unknown => tr::t("verdict_unknown").to_string(),
        Verdict::Invalid => tr::t("verdict_invalid").to_string(),
    };
    outln!("{shown}\n{line}");
    for other in &c.also {
        outln!("  {}", tr::f("also_checked_as", &[other]));
    }
    for m in &c.matches {
        let how = match m.relation {
            Relation::Exact => tr::t("rel_exact").to_string(),
            Relation::SameDomain => tr::t("rel_same_domain").to_string(),
            Relation::SameDomainNotListed => tr::t("rel_same_domain_not_listed").to_string(),
            Relation::SameHostOtherPage => tr::t("rel_same_host_other_page").to_string(),
            Relation::SameNameOtherNetwork | Relation::SameNameNoNetwork => {
                tr::f("rel_same_name", &[network_name(m.network.as_deref().unwrap_or(tr::t("its_own_network")))])
            }
            Relation::ListedNotVerified => tr::t("rel_listed_not_verified").to_string(),
            Relation::OtherReading => tr::t("rel_other_reading").to_string(),
            Relation::Imitates { likeness: l } => {
                tr::f("rel_imitates", &[&m.contact, serde_json::to_value(l).unwrap_or_default().as_str().unwrap_or("")])
            }
        };
        let demo = if m.demo { " [DEMO]" } else { "" };
        let dataset = tr::f(if m.dataset_verified { "dataset_signed" } else { "dataset_unsigned" }, &[&m.dataset]);
        outln!(
            "  · {}: {} [{}] — {how}{demo} · {dataset}",
            serde_json::to_value(m.source).unwrap_or_default().as_str().unwrap_or(""),
            m.name,
            m.id
        );
    }
}

/// How a network is written for a person.
fn network_name(network: &str) -> &str {
    match network {
        "facebook" => "Facebook",
        "instagram" => "Instagram",
        "x" => "X",
        "tiktok" => "TikTok",
        "telegram" => "Telegram",
        "youtube" => "YouTube",
        other => other,
    }
}
