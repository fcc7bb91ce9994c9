//! `faro`: the command-line tool for Faro's offline directory.
//!
//! Field workers and publishers use it to import directory files, check them, and ask the
//! same questions the apps ask (search, nearest, open now); `faro demo` shows it all on the
//! bundled data with no set-up and no network. Human-readable output by default, `--json`
//! for scripts. Exit status: 0 on success, 1 on bad input or a failed operation, 2 on a
//! usage error, 141 (quietly) when whoever reads the output stops reading (`| head`).

#![forbid(unsafe_code)]
// A command-line tool: printing is its job (stdout.rs, main).
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[macro_use]
mod stdout;

mod contact_cmd;
mod datasets_cmd;
mod demo;
mod demo_rights;
mod i18n;
mod output;
mod personal_cmd;
mod reports_cmd;
mod rights_cmd;
mod serve;
mod sync_cmd;
mod warnings_cmd;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{NaiveDateTime, Utc};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use faro_core::country::CountryCode;
use faro_core::geo::Point;
use faro_core::hours::Hours;
use faro_core::import::convert::Converted;
use faro_core::import::listings::ImportOptions;
use faro_core::import::{hsds, missions, osm, sheet};
use faro_core::model::{Audience, Kind, ServiceCode, Status};
use faro_core::search::{Query, Region, Sort, When};
use faro_core::store::DatasetInfo;
use faro_core::{Error, LangPrefs, LangTag, Store};

#[derive(Parser)]
#[command(
    name = "faro",
    version,
    about = "Faro: an offline directory of consulates, legal aid, health services and shelters"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a database from the bundled sample data and answer a few real questions.
    Demo(DemoArgs),
    /// Import directory, rights or warnings files (each all-or-nothing) as local, unverified datasets.
    Import(ImportArgs),
    /// Search the directory: text, filters, distance, opening hours.
    Search(SearchArgs),
    /// Show one listing in full.
    Show(ShowArgs),
    /// Count listings by kind in a region.
    Counts(CountsArgs),
    /// Evaluate an OpenStreetMap opening_hours value at a local time.
    Hours(HoursArgs),
    /// Run SQLite's full integrity check on a database.
    Check(CheckArgs),
    /// Search rights information (any language), by topic and country.
    Rights(rights_cmd::RightsArgs),
    /// Warnings about smugglers and traffickers active here and now.
    Warnings(warnings_cmd::WarningsArgs),
    /// Is this contact real? Check a phone number, link, e-mail or handle.
    CheckContact(contact_cmd::CheckArgs),
    /// Convert warnings from and to OASIS CAP 1.2 alerts (publishers).
    Cap(warnings_cmd::CapArgs),
    /// Create a publisher's signing keys (publishers).
    Keygen(sync_cmd::KeygenArgs),
    /// Publish files as a signed static repository, with deltas (publishers).
    Publish(sync_cmd::PublishArgs),
    /// Rotate the repository's keys: a new root signed by the old and new keys (publishers).
    RotateRoot(sync_cmd::RotateRootArgs),
    /// Install the root the app ships: the only trust, no trust on first use.
    Trust(sync_cmd::TrustArgs),
    /// What a repository offers: every dataset, its region, size and publisher, verified.
    Datasets(datasets_cmd::DatasetsArgs),
    /// Sync subscribed datasets from a repository URL or a bundle file, verified.
    Sync(sync_cmd::SyncArgs),
    /// Stop syncing datasets (their data stays readable).
    Unsubscribe(sync_cmd::UnsubscribeArgs),
    /// Write a bundle file to pass the data on to another phone.
    Export(sync_cmd::ExportArgs),
    /// What is held, how current, and whether the clock looks right.
    Status(sync_cmd::StatusArgs),
    /// Report a problem to the publisher: sealed to its key, queued, sent when online.
    Report(reports_cmd::ReportArgs),
    /// The report outbox (list, send, cancel, forget) and the publisher's receiver (keygen, serve, read).
    Reports(reports_cmd::ReportsArgs),
    /// Saved places, sealed with your key in their own file.
    Favorites(personal_cmd::FavoritesArgs),
    /// Erase saved places and notes (no key needed); the directory stays.
    ForgetPersonalData(personal_cmd::ForgetArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Print {"db", "ok", "listings"} as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Keep the demo database at this path instead of a temporary file.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Answer as if it were this local time in each place (YYYY-MM-DDTHH:MM) instead of now.
    #[arg(long, value_parser = parse_local_time)]
    at: Option<NaiveDateTime>,
    /// Print one JSON document: the database, the synced datasets, and every question with
    /// its answers as the matching command's --json gives them.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// faro-listings JSON Lines (docs/data-format.md).
    Listings,
    /// Wikidata diplomatic missions CSV (data/wikidata/README.md).
    MissionsCsv,
    /// A field team's spreadsheet as Excel workbook (docs/spreadsheet-template.md).
    Xlsx,
    /// A field team's spreadsheet as OpenDocument (LibreOffice) workbook.
    Ods,
    /// A field team's spreadsheet saved as CSV (comma, semicolon or tab separated).
    CsvSheet,
    /// OpenStreetMap extract, .osm.pbf (docs/osm-import.md).
    OsmPbf,
    /// Open Referral HSDS 3.0: a data package directory (datapackage.json and CSV files)
    /// or HSDS JSON service records (docs/hsds.md).
    Hsds,
}

impl Format {
    /// The format of `path`: `--format` when given, else from its extension, and for a
    /// `.csv` from its header row (the Wikidata missions header, else a spreadsheet).
    pub(crate) fn of(given: Option<Format>, path: &Path) -> Result<Format, Error> {
        if let Some(format) = given {
            return Ok(format);
        }
        if is_hsds_package(path) {
            return Ok(Format::Hsds);
        }
        Ok(match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx") => Format::Xlsx,
            Some("ods") => Format::Ods,
            Some("pbf") => Format::OsmPbf,
            Some("json") => Format::Hsds,
            Some("csv") | Some("tsv") => {
                // The header row is in the first 4 KiB of any file either reader takes.
                let io = |e| Error::Io { path: path.to_path_buf(), source: e };
                let mut head = Vec::new();
                std::fs::File::open(path).map_err(io)?.take(4096).read_to_end(&mut head).map_err(io)?;
                let first = String::from_utf8_lossy(&head).lines().next().unwrap_or("").to_string();
                if sheet::is_missions_header(&first) {
                    Format::MissionsCsv
                } else {
                    Format::CsvSheet
                }
            }
            _ => Format::Listings,
        })
    }

    /// Reads a foreign file of this format into listings (the seam of `import::convert`);
    /// `None` for the formats read otherwise (listings JSON Lines, missions CSV).
    pub(crate) fn convert(self, path: &Path, options: &sheet::SheetOptions) -> Result<Option<Converted>, Error> {
        let sheet_format = match self {
            Format::Xlsx => sheet::SheetFormat::Xlsx,
            Format::Ods => sheet::SheetFormat::Ods,
            Format::CsvSheet => sheet::SheetFormat::Csv,
            Format::OsmPbf => {
                let converted = osm::read_osm_pbf(path, &path.display().to_string())?.converted;
                return Ok(Some(converted.renamed(options.dataset.as_deref())));
            }
            Format::Hsds => {
                let read = hsds::ReadOptions::default();
                let converted =
                    if path.is_dir() { hsds::read_package(path, &read)? } else { hsds::read_json(path, &read)? };
                return Ok(Some(converted.renamed(options.dataset.as_deref())));
            }
            Format::Listings | Format::MissionsCsv => return Ok(None),
        };
        sheet::read_sheet(path, sheet_format, options).map(Some)
    }
}

#[derive(Args)]
struct ImportArgs {
    /// Database file (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// File format; guessed when omitted: .jsonl listings, .xlsx, .ods, .osm.pbf or .pbf
    /// OpenStreetMap, a directory with datapackage.json or a .json file HSDS, and .csv (the
    /// Wikidata missions file by its header, else a spreadsheet: docs/spreadsheet-template.md).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Check the files and print what would be imported; write nothing (spreadsheets).
    #[arg(long)]
    dry_run: bool,
    /// The sheet of a workbook to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// Dataset name for formats without a header (missions: default wikidata/missions), or
    /// instead of the header's. A dataset that sync keeps is refused: use a local/ name.
    #[arg(long)]
    dataset: Option<String>,
    /// Language the texts of an HSDS input are written in (BCP 47, e.g. es); HSDS does not
    /// say. A package may say it in datapackage.json (`language`).
    #[arg(long)]
    text_lang: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Make each dataset hold exactly its file's listings: delete the listings of that
    /// dataset the file no longer has (in the same transaction). Without it an import only
    /// adds and updates, and never deletes. Listings, missions and OpenStreetMap files only.
    #[arg(long)]
    replace: bool,
    /// OpenStreetMap only: leave out the places this dataset of the database already has
    /// (same wikidata= item, or same kind and name within 100 m), so none is listed twice.
    #[arg(long, value_name = "DATASET")]
    merge_with: Option<String>,
    /// The files to import, in order: listings, rights and warnings JSON Lines (recognized
    /// by their header), the Wikidata missions CSV, OpenStreetMap extracts, and HSDS
    /// packages (a directory) or HSDS JSON. Each file is one transaction; on a bad
    /// file the ones before it stay imported and the rest are not read.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Args)]
struct SearchArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Words to look for (any language, accents and case ignored, prefixes match).
    text: Vec<String>,
    /// Point to search around, "LAT,LON".
    #[arg(long, allow_hyphen_values = true)]
    near: Option<Point>,
    /// Only within this many kilometres of --near.
    #[arg(long)]
    radius_km: Option<f64>,
    /// Only this kind (repeatable): consulate, legal_aid, health, shelter.
    #[arg(long)]
    kind: Vec<Kind>,
    /// Only listings offering this service (repeatable, all required).
    #[arg(long)]
    service: Vec<ServiceCode>,
    /// Only where staff speak this language (repeatable, any of them).
    #[arg(long)]
    speaks: Vec<LangTag>,
    /// Only consulates of this country (ISO 3166-1 alpha-2, e.g. HN).
    #[arg(long)]
    consulate_of: Option<CountryCode>,
    /// Only listings located in this country (ISO 3166-1 alpha-2).
    #[arg(long)]
    country: Option<CountryCode>,
    /// Only free services.
    #[arg(long)]
    free: bool,
    /// Only listings serving this group (repeatable): women, children, unaccompanied_minors, families, lgbtq, men.
    #[arg(long)]
    serves: Vec<Audience>,
    /// Only listings that say no papers are required.
    #[arg(long)]
    no_papers: bool,
    /// Only this status (repeatable); default active and temporarily_closed.
    #[arg(long)]
    status: Vec<Status>,
    /// Only listings open now, in their own time zone.
    #[arg(long, conflicts_with = "open_at")]
    open_now: bool,
    /// Only listings open at this local time in their own zone (YYYY-MM-DDTHH:MM).
    #[arg(long, value_parser = parse_local_time)]
    open_at: Option<NaiveDateTime>,
    /// Languages to show text in, most preferred first ("ht,fr,es,en").
    #[arg(long, value_parser = parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Most results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Order: relevance or distance (default: distance with --near, else relevance).
    #[arg(long, value_parser = str::parse::<Sort>)]
    sort: Option<Sort>,
    /// Print an array of results as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ShowArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Languages to show text in ("ht,fr,es,en").
    #[arg(long, value_parser = parse_langs, default_value = "es,en")]
    lang: LangPrefs,
    /// Print the full record as JSON.
    #[arg(long)]
    json: bool,
    /// Listing id (e.g. wd:Q106450319).
    id: String,
}

#[derive(Args)]
struct CountsArgs {
    /// Database file.
    #[arg(long)]
    db: PathBuf,
    /// Only listings located in this country.
    #[arg(long, conflicts_with = "near")]
    country: Option<CountryCode>,
    /// Centre of a circle, "LAT,LON" (with --radius-km).
    #[arg(long, allow_hyphen_values = true, requires = "radius_km")]
    near: Option<Point>,
    /// Radius of the circle in kilometres.
    #[arg(long, requires = "near")]
    radius_km: Option<f64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct HoursArgs {
    /// Local wall-clock time to evaluate at (YYYY-MM-DDTHH:MM); default: now, in --tz.
    #[arg(long, value_parser = parse_local_time)]
    at: Option<NaiveDateTime>,
    /// IANA time zone of the place: "now" when --at is not given, and the offset of next_change.
    #[arg(long, default_value = "UTC")]
    tz: String,
    /// Country of the place (ISO 3166-1 alpha-2, e.g. MX), so that "PH" rules use its public holidays.
    #[arg(long)]
    country: Option<CountryCode>,
    /// Print {"open", "next_change" (RFC 3339 in --tz), "next_change_local", "holidays_checked"}.
    #[arg(long)]
    json: bool,
    /// The opening_hours value, e.g. "Mo-Fr 09:00-17:00; PH off".
    expr: String,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    set_interface_language(&matches);
    let result = run(cli.command);
    stdout::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(id) = error_summary(&e) {
                eprintln!("faro: {}", i18n::t(id));
            }
            eprintln!("faro: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The catalogue id of a line saying, in the person's language, what happened, for the
/// errors whose remedy differs from fixing what they typed; the English detail follows.
fn error_summary(e: &Error) -> Option<&'static str> {
    match e {
        e if e.is_damage() => Some("error_damaged"),
        Error::BundleNotVerified { .. } => Some("error_bundle"),
        Error::Internal(_) => Some("error_internal"),
        Error::Personal(faro_core::personal::PersonalError::WrongKey { .. }) => Some("error_wrong_key"),
        _ => None,
    }
}

/// Speaks the person's language when they gave `--lang` (the data's default chain, es,en,
/// does not switch the interface from English).
fn set_interface_language(matches: &ArgMatches) {
    // The command's own `--lang`, at whatever depth (`faro favorites list --lang ht`).
    let mut level = matches.subcommand();
    while let Some((_, sub)) = level {
        if let Ok(Some(langs)) = sub.try_get_one::<LangPrefs>("lang") {
            if sub.value_source("lang") == Some(ValueSource::CommandLine) {
                i18n::set(langs);
                return;
            }
        }
        level = sub.subcommand();
    }
}

fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Demo(args) => demo::run(args.db.as_deref(), args.at, args.json),
        Command::Import(args) => import(args),
        Command::Search(args) => search(args),
        Command::Show(args) => {
            let store = open_for_query(&args.db)?;
            let listing = store.get(&args.id)?;
            if args.json {
                output::print_json(&listing);
            } else {
                output::print_listing(&listing, &store.origin(&args.id)?, &args.lang);
            }
            Ok(())
        }
        Command::Counts(args) => {
            let store = open_for_query(&args.db)?;
            let region = match (args.country, args.near, args.radius_km) {
                (Some(c), _, _) => Region::Country(c),
                (None, Some(center), Some(km)) => Region::Circle { center, radius_m: km * 1000.0 },
                _ => Region::All,
            };
            let counts = store.counts(region)?;
            if args.json {
                output::print_json(&counts);
            } else {
                for c in counts {
                    outln!("{:<10} {}", c.kind.as_str(), c.count);
                }
            }
            Ok(())
        }
        Command::Hours(args) => hours(args),
        Command::Check(args) => {
            let store = open_for_query(&args.db)?;
            store.check_integrity()?;
            let listings = store.listing_count()?;
            if args.json {
                output::print_json(&serde_json::json!({"db": args.db, "ok": true, "listings": listings}));
            } else {
                outln!("{}: ok ({listings} listings)", args.db.display());
            }
            Ok(())
        }
        Command::Rights(args) => rights_cmd::run(args),
        Command::Warnings(args) => warnings_cmd::run(args),
        Command::CheckContact(args) => contact_cmd::run(args),
        Command::Cap(args) => warnings_cmd::run_cap(args),
        Command::Keygen(args) => sync_cmd::keygen(args),
        Command::Publish(args) => sync_cmd::publish(args),
        Command::RotateRoot(args) => sync_cmd::rotate_root(args),
        Command::Trust(args) => sync_cmd::trust(args),
        Command::Datasets(args) => datasets_cmd::datasets(args),
        Command::Sync(args) => sync_cmd::sync(args),
        Command::Export(args) => sync_cmd::export(args),
        Command::Unsubscribe(args) => sync_cmd::unsubscribe(args),
        Command::Status(args) => sync_cmd::status(args),
        Command::Report(args) => reports_cmd::report(args),
        Command::Reports(args) => reports_cmd::run(args),
        Command::Favorites(args) => personal_cmd::favorites(args),
        Command::ForgetPersonalData(args) => personal_cmd::forget(args),
    }
}

/// What to do about a missing database before a query: import something.
const NEEDS_DATA: &str = "no such database (create one with faro import, or faro trust then faro sync)";

/// What to do about a missing database before a sync or export: trust a root first.
pub(crate) const NEEDS_TRUST: &str =
    "no such database: install the root the app ships first (faro trust --db DB ROOT_JSON), then sync";

/// Opens a database that must already exist (sync and export never create one); `hint`
/// says how to make one.
pub(crate) fn open_existing(path: &Path, hint: &'static str) -> Result<Store, Error> {
    must_exist(path, hint)?;
    Store::open(path)
}

/// Opens an existing database for a query command: read-only, so that it never writes,
/// works on a read-only file and never waits for a sync or import running meanwhile.
pub(crate) fn open_for_query(path: &Path) -> Result<Store, Error> {
    must_exist(path, NEEDS_DATA)?;
    Store::open_read_only(path)
}

fn must_exist(path: &Path, hint: &'static str) -> Result<(), Error> {
    if path.exists() {
        return Ok(());
    }
    Err(Error::Io { path: path.to_path_buf(), source: std::io::Error::new(std::io::ErrorKind::NotFound, hint) })
}

fn import(args: ImportArgs) -> Result<(), Error> {
    if args.files.len() > 1 && args.dataset.is_some() {
        return Err(Error::BadQuery("--dataset names one dataset: give one file with it".into()));
    }
    if args.replace {
        // Refused before anything is imported: a half-done --replace would be worse.
        for path in args.files.iter().filter(|p| !is_hsds_package(p)) {
            if let Some(kind) = rights_cmd::file_kind_of(path)?.filter(|k| k == "rights" || k == "warnings") {
                return Err(Error::BadQuery(format!(
                    "--replace deletes the listings a file no longer has; {} is a {kind} file: import it without --replace",
                    path.display()
                )));
            }
        }
    }
    for (i, path) in args.files.iter().enumerate() {
        if let Err(e) = import_file(&args, path) {
            if i > 0 {
                let done: Vec<String> = args.files[..i].iter().map(|p| p.display().to_string()).collect();
                eprintln!("faro: imported before the error: {}; not imported: the rest", done.join(", "));
            }
            return Err(e);
        }
    }
    Ok(())
}

fn import_file(args: &ImportArgs, path: &Path) -> Result<(), Error> {
    let name = path.display().to_string();
    let format = Format::of(args.format, path)?;
    if args.merge_with.is_some() && format != Format::OsmPbf {
        return Err(Error::BadQuery("--merge-with is for OpenStreetMap extracts (.osm.pbf)".into()));
    }
    if format == Format::OsmPbf {
        return import_osm(args, &name, path);
    }
    if format == Format::Hsds {
        return import_hsds(args, path);
    }
    let options = sheet::SheetOptions { sheet: args.sheet.clone(), dataset: args.dataset.clone() };
    if let Some(converted) = format.convert(path, &options)? {
        return import_converted(args, &name, converted);
    }
    if args.dry_run {
        return Err(Error::BadQuery(format!("--dry-run checks spreadsheets; {name} is not one")));
    }
    if args.format.is_none()
        && rights_cmd::import_if_rights_or_warnings(&args.db, path, args.dataset.as_deref(), args.json)?
    {
        return Ok(());
    }
    let report = match format {
        Format::Listings => {
            let options = ImportOptions { dataset: args.dataset.clone(), replace: args.replace, ..Default::default() };
            let done = Store::open(&args.db)?.import_listings_file(path, options)?;
            output::ImportReport::new(&done.dataset, done.summary, Vec::new(), 0)
        }
        Format::MissionsCsv => {
            let file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
            let store = Store::open(&args.db)?;
            let read = missions::read_missions_csv(file, &name)?;
            let dataset = DatasetInfo {
                name: args.dataset.clone().unwrap_or_else(|| "wikidata/missions".into()),
                source: read.listings.first().and_then(|l| l.source.clone()).map(|mut s| {
                    s.url = Some("https://www.wikidata.org/".into());
                    s
                }),
                demo: false,
            };
            let records = read.listings.into_iter().map(|l| Ok((None, l)));
            let summary = if args.replace {
                store.replace_listings(&dataset, &name, records)?
            } else {
                store.write_listings(&dataset, &name, records)?
            };
            output::ImportReport::new(&dataset.name, summary, read.rejected, read.phones_dropped)
                .set_aside(read.implausible, read.rows)
        }
        Format::Xlsx | Format::Ods | Format::CsvSheet | Format::OsmPbf | Format::Hsds => {
            return Err(Error::Internal("a converted format reached the listings path".into()))
        }
    };
    if args.json {
        output::print_json(&report);
    } else {
        report.print_human();
    }
    report.warn();
    Ok(())
}

/// Imports an OpenStreetMap extract: read first (a damaged file is refused before the
/// database is opened), places another dataset already has left out with `--merge-with`,
/// the ODbL attribution printed, then imported like any converted file.
fn import_osm(args: &ImportArgs, name: &str, path: &Path) -> Result<(), Error> {
    let extract = osm::read_osm_pbf(path, name)?;
    let converted = match &args.merge_with {
        Some(dataset) => extract.leave_out_known(&osm::listings_of(&Store::open(&args.db)?, dataset)?),
        None => extract.converted,
    }
    .renamed(args.dataset.as_deref());
    if !args.json {
        outln!("{}", i18n::f("osm_attribution", &[osm::SOURCE_URL]));
    }
    import_converted(args, name, converted)
}

/// Imports listings a foreign format was read into (all-or-nothing), or with `--dry-run`
/// prints what would be imported and writes nothing (the database is not even opened).
fn import_converted(args: &ImportArgs, name: &str, converted: Converted) -> Result<(), Error> {
    if args.dry_run {
        let count = converted.listings.len().to_string();
        if args.json {
            output::print_json(&serde_json::json!({
                "dry_run": true, "file": name, "dataset": converted.dataset.name, "demo": converted.dataset.demo,
                "source": converted.dataset.source, "listings": converted.listings,
            }));
        } else {
            outln!("{}", i18n::f("import_dry_run", &[name, &count, &converted.dataset.name]));
            for l in &converted.listings {
                let country = l.address.as_ref().map_or("--", |a| a.country.as_str());
                let label = l.name.values().next().map_or("", String::as_str);
                outln!("  {:<36} {:<10} {country}  {label}", l.id, l.kind.as_str());
            }
        }
        return Ok(());
    }
    let store = Store::open(&args.db)?;
    let summary = if args.replace {
        store.replace_listings(&converted.dataset, name, converted.records())?
    } else {
        store.write_listings(&converted.dataset, name, converted.records())?
    };
    let report = output::ImportReport::new(&converted.dataset.name, summary, converted.set_aside, 0);
    if args.json {
        output::print_json(&report);
    } else {
        report.print_human();
    }
    Ok(())
}

/// True for an HSDS data package: a directory with `datapackage.json`.
pub(crate) fn is_hsds_package(path: &Path) -> bool {
    path.is_dir() && path.join("datapackage.json").is_file()
}

/// Says on stderr how many records a converted input set aside, and each with its place
/// and reason (they are not imported; the publisher should know why).
pub(crate) fn warn_set_aside(set_aside: &[faro_core::InputError]) {
    if set_aside.is_empty() {
        return;
    }
    eprintln!("faro: {}", i18n::f("converted_set_aside", &[&set_aside.len().to_string()]));
    for e in set_aside {
        eprintln!("  {e}");
    }
}

/// `faro import --format hsds`: a package directory or an HSDS JSON file, all or nothing.
fn import_hsds(args: &ImportArgs, path: &Path) -> Result<(), Error> {
    let lang = match &args.text_lang {
        Some(l) => Some(faro_core::LangTag::parse(l).map_err(|e| Error::BadQuery(e.to_string()))?),
        None => None,
    };
    let options = hsds::ReadOptions { lang };
    let converted = if path.is_dir() { hsds::read_package(path, &options)? } else { hsds::read_json(path, &options)? };
    let converted = converted.renamed(args.dataset.as_deref());
    let name = path.display().to_string();
    if args.dry_run {
        warn_set_aside(&converted.set_aside);
        return import_converted(args, &name, converted);
    }
    let store = Store::open(&args.db)?;
    let summary = if args.replace {
        store.replace_listings(&converted.dataset, &name, converted.records())?
    } else {
        store.write_listings(&converted.dataset, &name, converted.records())?
    };
    let report = output::ImportReport::new(&converted.dataset.name, summary, Vec::new(), 0);
    if args.json {
        output::print_json(&serde_json::json!({
            "import": report,
            "set_aside": converted.set_aside.iter().map(|e| serde_json::json!({
                "file": e.file, "line": e.line, "record": e.record, "field": e.field, "reason": e.reason,
            })).collect::<Vec<_>>(),
        }));
    } else {
        report.print_human();
    }
    warn_set_aside(&converted.set_aside);
    Ok(())
}

fn search(args: SearchArgs) -> Result<(), Error> {
    let store = open_for_query(&args.db)?;
    let text = args.text.join(" ");
    let when = match args.open_at {
        Some(local) => When::Local(local),
        None => When::Now,
    };
    let query = Query {
        text: (!text.trim().is_empty()).then_some(text),
        near: args.near,
        radius_m: args.radius_km.map(|km| km * 1000.0),
        kinds: args.kind,
        services: args.service,
        speaks: args.speaks,
        consulate_of: args.consulate_of,
        in_country: args.country,
        free_only: args.free,
        serves: args.serves,
        no_papers: args.no_papers,
        statuses: args.status,
        when,
        open_only: args.open_now || args.open_at.is_some(),
        langs: args.lang.clone(),
        limit: args.limit,
        sort: args.sort,
    };
    let hits = store.search(&query)?;
    if args.json {
        output::print_json(&output::json_hits(&hits));
    } else if hits.is_empty() && query.open_only {
        // "Nothing open" at night is no help by itself: say so, then show what matches
        // and when each opens (JSON stays the exact answer to the query asked).
        let closed = store.search(&Query { open_only: false, ..query })?;
        if !closed.is_empty() {
            outln!("{}", i18n::t(if args.open_at.is_some() { "none_open_at" } else { "none_open_now" }));
        }
        output::print_hits(&closed, &args.lang);
    } else {
        output::print_hits(&hits, &args.lang);
    }
    Ok(())
}

fn hours(args: HoursArgs) -> Result<(), Error> {
    let hours = Hours::parse_for(&args.expr, &args.tz, args.country, None)
        .map_err(|e| Error::Input(faro_core::InputError::new("opening_hours", e.to_string())))?;
    let status = match args.at {
        Some(local) => hours.status_at_local(local),
        None => hours.status_at(Utc::now()),
    };
    if args.json {
        output::print_json(&output::json_hours(&status, &args.tz, hours.holidays_known()));
        return Ok(());
    }
    output::print_hours(&status);
    // Say when a PH rule could not be checked, so that "open" on a holiday is not trusted.
    let has_ph = hours.expr().split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "PH");
    if !hours.holidays_known() && has_ph {
        match args.country {
            Some(c) => outln!("{}", i18n::f("ph_unknown_country", &[c.as_str()])),
            None => outln!("{}", i18n::t("ph_no_country")),
        }
    }
    Ok(())
}

pub(crate) fn parse_langs(s: &str) -> Result<LangPrefs, String> {
    let langs = LangPrefs::parse_list(s).map_err(|e| e.to_string())?;
    i18n::check_known(&langs)?;
    Ok(langs)
}

fn parse_local_time(s: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| format!("{s:?} is not a local time YYYY-MM-DDTHH:MM"))
}
