//! `faro warnings`: the warnings active where the person is, by country or kind, at a
//! given time; and `faro cap import|export`, the publisher's bridge to the OASIS Common
//! Alerting Protocol 1.2.

use std::io::{BufReader, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use faro_core::country::CountryCode;
use faro_core::geo::Point;
use faro_core::import::jsonl::{read_records, DatasetHeader};
use faro_core::model::Status;
use faro_core::warnings::cap::{parse_alert, to_cap};
use faro_core::warnings::{check_warning, Warning, WarningHit, WarningKind, WarningQuery};
use faro_core::{Error, InputError, LangPrefs, Store};

use crate::i18n as tr;
use crate::output;
use crate::rights_cmd::shown;

/// Arguments of `faro warnings`.
#[derive(Args)]
pub struct WarningsArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Where the person is, "LAT,LON".
    #[arg(long, allow_hyphen_values = true)]
    near: Option<Point>,
    /// The country the person is in (country-wide warnings apply).
    #[arg(long)]
    country: Option<CountryCode>,
    /// Only this kind (repeatable): scam, impersonation, fake_documents, extortion, ...
    #[arg(long)]
    kind: Vec<WarningKind>,
    /// Judge validity at this time (RFC 3339, e.g. 2026-12-01T12:00:00Z); default: now (the
    /// device clock, never earlier than the newest signed data in the database).
    #[arg(long, value_parser = parse_time)]
    at: Option<DateTime<Utc>>,
    /// Languages to show text in ("ht,fr,es,en").
    #[arg(long, value_parser = crate::parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Parses an RFC 3339 time.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{s:?} is not an RFC 3339 time (2026-12-01T12:00:00Z)"))
}

/// Runs `faro warnings`.
pub fn run(args: WarningsArgs) -> Result<(), Error> {
    let store = crate::open_for_query(&args.db)?;
    let query = WarningQuery {
        // --at, or the store's trusted now (as the apps judge warnings).
        at: match args.at {
            Some(at) => at,
            None => store.now()?,
        },
        near: args.near,
        country: args.country,
        kinds: args.kind,
        langs: args.lang.clone(),
        limit: 100,
    };
    let hits = store.warnings(&query)?;
    if args.json {
        output::print_json(&hits);
    } else if hits.is_empty() {
        outln!("{}", tr::t("no_warning"));
    } else {
        for h in &hits {
            print_warning(&store, &args.lang, h);
        }
    }
    Ok(())
}

/// Prints one warning for a person, with the real places it points to (from `store`,
/// names in `langs`).
pub fn print_warning(store: &Store, langs: &LangPrefs, h: &WarningHit) {
    let demo = if h.demo { tr::t("demo") } else { "" };
    let here = if h.here { tr::t("here") } else { "" };
    let text = h.warning.text(langs);
    let (kind, severity) = (tr::t(h.kind.as_str()), tr::t(h.severity.as_str()));
    outln!("⚠ {} ({kind}, {severity}){here}{demo}", shown(&text.headline, text.lang.as_ref()));
    if text.advice.is_some() {
        outln!("   {}", shown(&text.advice, text.lang.as_ref()));
    }
    let i = &h.warning.indicators;
    let mut signs: Vec<String> = i.phones.clone();
    signs.extend(i.domains.iter().cloned());
    signs.extend(i.emails.iter().cloned());
    signs.extend(i.handles.iter().map(|x| format!("@{}", x.handle)));
    signs.extend(i.names.iter().cloned());
    if !signs.is_empty() {
        outln!("{}", tr::f("signs", &[&signs.join(", ")]));
    }
    if !h.warning.related_listings.is_empty() {
        outln!("{}", tr::t("real_places"));
        for id in &h.warning.related_listings {
            outln!("     · {}", real_place(store, langs, id));
        }
    }
    outln!("{}", tr::f("issued_by", &[&h.warning.issuer.name, &h.id]));
}

/// A listing a warning points to, as a person needs it: its name, town and contacts.
fn real_place(store: &Store, langs: &LangPrefs, id: &str) -> String {
    let listing = match store.get(id) {
        Ok(l) => l,
        Err(Error::NotFound(_)) => return tr::f("not_on_phone", &[id]),
        Err(_) => return tr::f("unreadable", &[id]),
    };
    let mut line = langs.text(&listing.name).to_string();
    if let Some(town) = listing.address.as_ref().and_then(|a| a.locality.as_deref()) {
        line.push_str(&format!(", {town}"));
    }
    let mut contacts: Vec<String> =
        listing.phones.iter().map(|p| format!("{} ({})", p.number, tr::t(p.kind.as_str()))).collect();
    contacts.extend(listing.websites.iter().cloned());
    contacts.extend(listing.emails.iter().cloned());
    contacts.extend(listing.social.iter().map(|a| format!("{} ({})", a.handle, a.network)));
    if !contacts.is_empty() {
        line.push_str(&format!(" — {}", contacts.join(" · ")));
    }
    if listing.status != Status::Active {
        line.push_str(&format!(" [{}]", tr::t(listing.status.as_str())));
    }
    if listing.verified.is_none() {
        line.push_str(tr::t("not_verified"));
    }
    if listing.demo {
        line.push_str(tr::t("demo"));
    }
    line
}

/// `faro cap ...`.
#[derive(Subcommand)]
pub enum CapCommand {
    /// Read CAP 1.2 alerts (XML) and write a faro-warnings file.
    Import {
        /// CAP XML files, one <alert> each.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The faro-warnings file to write.
        #[arg(long)]
        out: PathBuf,
        /// Dataset name in the header.
        #[arg(long, default_value = "warnings/cap")]
        dataset: String,
    },
    /// Write every warning of a faro-warnings file as a CAP 1.2 alert, one XML file each.
    Export {
        /// The faro-warnings file.
        #[arg(long = "in")]
        input: PathBuf,
        /// Directory for the XML files (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Arguments of `faro cap`.
#[derive(Args)]
pub struct CapArgs {
    #[command(subcommand)]
    command: CapCommand,
}

fn io_err(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io { path: path.to_path_buf(), source: e }
}

/// Runs `faro cap`.
pub fn run_cap(args: CapArgs) -> Result<(), Error> {
    match args.command {
        CapCommand::Import { files, out, dataset } => {
            let mut warnings = Vec::new();
            let mut rejected = Vec::new();
            for f in &files {
                let name = f.display().to_string();
                let xml = std::fs::read(f).map_err(io_err(f))?;
                let Ok(xml) = String::from_utf8(xml) else {
                    rejected.push(InputError::new(&name, "not UTF-8 text"));
                    continue;
                };
                match parse_alert(&xml, &name) {
                    Ok(w) => {
                        rejected.extend(check_warning(&w).into_iter().map(|p| p.at(&name, None, &w.id)));
                        warnings.push(w);
                    }
                    Err(e) => rejected.push(e),
                }
            }
            Error::refuse(rejected)?;
            let header = DatasetHeader {
                faro: "warnings".into(),
                version: 1,
                dataset,
                demo: warnings.iter().all(|w| w.demo),
                source: None,
                note: None,
            };
            let mut text = serde_json::to_string(&header).unwrap_or_default();
            text.push('\n');
            for w in &warnings {
                let w = w
                    .normalized()
                    .map_err(|p| Error::inputs(p.into_iter().map(|p| p.at("warnings", None, &w.id)).collect()))?;
                text.push_str(&faro_core::warnings::to_json(&w));
                text.push('\n');
            }
            std::fs::write(&out, text).map_err(io_err(&out))?;
            outln!("{}: {} warnings from {} CAP alerts", out.display(), warnings.len(), files.len());
            Ok(())
        }
        CapCommand::Export { input, out } => {
            let name = input.display().to_string();
            let file = std::fs::File::open(&input).map_err(io_err(&input))?;
            let (_, records) = read_records::<_, Warning>(BufReader::new(file), &name, "warnings")?;
            std::fs::create_dir_all(&out).map_err(io_err(&out))?;
            let mut n = 0;
            for record in records {
                let (_, w) = record?;
                let safe: String =
                    w.id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
                let path = out.join(format!("{safe}.xml"));
                let mut f = std::fs::File::create(&path).map_err(io_err(&path))?;
                f.write_all(to_cap(&w, Utc::now()).as_bytes()).map_err(io_err(&path))?;
                n += 1;
            }
            outln!("{}: {n} CAP 1.2 alerts", out.display());
            Ok(())
        }
    }
}
