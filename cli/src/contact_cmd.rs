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
    #[arg(long, value_parser = crate::parse_country)]
    region: Option<CountryCode>,
    /// Judge warnings at this time (RFC 3339); default: now.
    #[arg(long, value_parser = crate::warnings_cmd::parse_time)]
    at: Option<DateTime<Utc>>,
    /// Languages for names ("ht,fr,es,en").
    #[arg(long, value_parser = crate::parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The phone number, link, e-mail or handle (bytes that are not UTF-8 are replaced).
    #[arg(allow_hyphen_values = true, num_args = 1.., required = true)]
    input: Vec<OsString>,
}

/// Runs `faro check-contact`.
pub fn run(args: CheckArgs) -> Result<(), Error> {
    let input: Vec<String> = args.input.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let input = input.join(" ");
    let check = match &args.db {
        Some(db) => crate::open_for_query(db)?.check_contact(
            &input,
            args.region,
            args.at.unwrap_or_else(Utc::now),
            &args.lang,
        )?,
        None => ContactCheck::offline(&input, args.region),
    };
    if args.json {
        output::print_json(&check);
    } else {
        print_check(&check);
    }
    Ok(())
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
        Verdict::Unknown => tr::t("verdict_unknown").to_string(),
        Verdict::Invalid => tr::t("verdict_invalid").to_string(),
    };
    outln!("{shown}\n{line}");
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
            Relation::Imitates(l) => {
                tr::f("rel_imitates", &[&m.contact, serde_json::to_value(l).unwrap_or_default().as_str().unwrap_or("")])
            }
        };
        let demo = if m.demo { " [DEMO]" } else { "" };
        outln!(
            "  · {}: {} [{}] — {how}{demo}",
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
