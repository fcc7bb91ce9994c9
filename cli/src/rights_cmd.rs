//! `faro rights`: search the rights articles offline, and show who can help near the
//! person ("your right to consular assistance" -> the consulates of your country near you).
//! Also `faro import` for rights and warnings files, picked by their header.

use std::io::{BufRead, BufReader};
use std::path::Path;

use clap::Args;

use faro_core::country::CountryCode;
use faro_core::geo::Point;
use faro_core::import::jsonl::{file_kind, read_records};
use faro_core::lang::Part;
use faro_core::rights::{Article, RightsQuery, Topic};
use faro_core::store::DatasetInfo;
use faro_core::warnings::Warning;
use faro_core::{Error, LangPrefs, LangTag, Store};

use crate::i18n as tr;
use crate::output;

/// Arguments of `faro rights`.
#[derive(Args)]
pub struct RightsArgs {
    /// Database file.
    #[arg(long)]
    db: std::path::PathBuf,
    /// Words to look for (any language, accents and case ignored).
    text: Vec<String>,
    /// Only this topic (repeatable): consular_assistance, asylum_refuge, non_refoulement, ...
    #[arg(long)]
    topic: Vec<Topic>,
    /// Only articles that apply in this country (ISO 3166-1 alpha-2); "all" articles included.
    #[arg(long)]
    country: Option<CountryCode>,
    /// Languages to show text in, most preferred first ("ht,fr,es,en").
    #[arg(long, value_parser = crate::parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Also list who can help near this point, "LAT,LON".
    #[arg(long, allow_hyphen_values = true)]
    near: Option<Point>,
    /// The person's nationality, to find their own consulate (ISO 3166-1 alpha-2).
    #[arg(long)]
    nationality: Option<CountryCode>,
    /// Most articles.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `faro rights`.
pub fn run(args: RightsArgs) -> Result<(), Error> {
    let store = crate::open_for_query(&args.db)?;
    let text = args.text.join(" ");
    let query = RightsQuery {
        text: (!text.trim().is_empty()).then_some(text),
        topics: args.topic,
        country: args.country,
        langs: args.lang.clone(),
        limit: args.limit,
    };
    let hits = store.rights(&query)?;
    let mut out = Vec::new();
    for hit in &hits {
        let helpers = match (args.near, hit.article.related_query(args.near, args.nationality)) {
            (Some(_), Some(mut q)) => {
                q.langs = args.lang.clone();
                store.search(&q)?
            }
            _ => Vec::new(),
        };
        out.push((hit, helpers));
    }
    if args.json {
        let v: Vec<serde_json::Value> = out
            .iter()
            .map(|(h, helpers)| {
                let mut v = serde_json::to_value(h).unwrap_or_default();
                let body = h.article.text(&args.lang).body;
                v["body"] = serde_json::json!(body.as_ref().map_or("", |p| p.text.as_str()));
                v["body_lang"] = serde_json::json!(body.map(|p| p.lang));
                v["references"] = serde_json::to_value(&h.article.references).unwrap_or_default();
                v["related_listings"] = output::json_hits(helpers);
                v
            })
            .collect();
        output::print_json(&v);
        return Ok(());
    }
    if hits.is_empty() {
        outln!("{}", tr::t("no_article"));
    }
    for (h, helpers) in out {
        print_article(&h.article, &args.lang);
        if !helpers.is_empty() {
            outln!("{}", tr::t("who_can_help"));
            for l in helpers {
                let km = l.distance_m.map(|m| format!(" — {:.1} km", m / 1000.0)).unwrap_or_default();
                let local = if l.verified { "" } else { tr::t("local_not_verified") };
                outln!("     · {}{km} [{}]{local}", l.name, l.id);
            }
        } else if h.article.related.own_consulate && args.near.is_some() && args.nationality.is_none() {
            outln!("{}", tr::t("give_nationality"));
        }
        outln!();
    }
    Ok(())
}

/// Prints one article for a person.
pub fn print_article(a: &Article, langs: &LangPrefs) {
    let demo = if a.demo { tr::t("demo_article") } else { "" };
    let text = a.text(langs);
    outln!("■ {}{demo}", shown(&text.title, text.lang.as_ref()));
    outln!("   {}", shown(&text.summary, text.lang.as_ref()));
    if text.body.is_some() {
        outln!("   {}", shown(&text.body, text.lang.as_ref()));
    }
    let refs: Vec<String> = a
        .references
        .iter()
        .map(|r| match &r.article {
            Some(art) => format!("{}, {art}", r.instrument),
            None => r.instrument.clone(),
        })
        .collect();
    if !refs.is_empty() {
        outln!("{}", tr::f("sources", &[&refs.join("; ")]));
    }
    let countries =
        if a.countries.iter().any(|c| c == "all") { tr::t("all_countries").into() } else { a.countries.join(", ") };
    outln!("{}", tr::f("applies_in", &[&countries, &a.reviewed_on.to_string(), &a.id]));
}

/// A part of an article or warning as printed: its text, marked with its language (`[es] ...`)
/// when the item lacks it in the language the rest is shown in.
pub fn shown(part: &Option<Part>, item: Option<&LangTag>) -> String {
    match part {
        Some(p) if Some(&p.lang) != item => format!("[{}] {}", p.lang, p.text),
        Some(p) => p.text.clone(),
        None => String::new(),
    }
}

/// The `"faro"` kind named on the first line of `file` (`listings`, `rights`, `warnings`),
/// `None` for a file without such a header (a missions CSV).
pub fn file_kind_of(file: &Path) -> Result<Option<String>, Error> {
    let io = |e| Error::Io { path: file.to_path_buf(), source: e };
    let mut reader = BufReader::new(std::fs::File::open(file).map_err(io)?);
    Ok(file_kind(String::from_utf8_lossy(reader.fill_buf().map_err(io)?).lines().next().unwrap_or("")))
}

/// Imports a rights or warnings file when its header says so; `Ok(false)` for any other
/// file (the listings importer takes it).
pub fn import_if_rights_or_warnings(db: &Path, file: &Path, dataset: Option<&str>, json: bool) -> Result<bool, Error> {
    let io = |e| Error::Io { path: file.to_path_buf(), source: e };
    let mut reader = BufReader::new(std::fs::File::open(file).map_err(io)?);
    let kind = file_kind(String::from_utf8_lossy(reader.fill_buf().map_err(io)?).lines().next().unwrap_or(""));
    let name = file.display().to_string();
    let store;
    let (dataset_name, summary) = match kind.as_deref() {
        Some("rights") => {
            let (h, records) = read_records::<_, Article>(reader, &name, "rights")?;
            let info =
                DatasetInfo { name: dataset.map(str::to_string).unwrap_or(h.dataset), source: h.source, demo: h.demo };
            store = Store::open(db)?;
            (info.name.clone(), store.write_articles(&info, &name, records)?)
        }
        Some("warnings") => {
            let (h, records) = read_records::<_, Warning>(reader, &name, "warnings")?;
            let info =
                DatasetInfo { name: dataset.map(str::to_string).unwrap_or(h.dataset), source: h.source, demo: h.demo };
            store = Store::open(db)?;
            (info.name.clone(), store.write_warnings(&info, &name, records)?)
        }
        _ => return Ok(false),
    };
    let report = output::ImportReport::new(&dataset_name, summary, Vec::new(), 0);
    if json {
        output::print_json(&report);
    } else {
        report.print_human();
    }
    Ok(true)
}
