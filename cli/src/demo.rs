//! `faro demo`: builds a database from the data bundled in the binary (invented demo
//! listings along the route, and the real Wikidata diplomatic missions) and answers the
//! questions a person on the move asks. No set-up, no network.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use faro_core::geo::Point;
use faro_core::hours::parse_timezone;
use faro_core::model::{Audience, Kind, ServiceCode};
use faro_core::net::Cancel;
use faro_core::publish::{self, KeySet, PublishOptions};
use faro_core::search::{nothing_near, Query, Region, When, NEAR_HORIZON_M};
use faro_core::sync::{self, SyncOptions};
use faro_core::{CountryCode, Error, LangPrefs, LangTag, Store};

use crate::output;

/// Invented listings along the route (every record says `"demo": true`).
const DEMO_LISTINGS: &str = include_str!("../../data/demo/listings.jsonl");
/// Invented rights articles (demo text to be reviewed by lawyers).
const DEMO_RIGHTS: &str = include_str!("../../data/demo/rights.jsonl");
/// Invented warnings (fictional +1 NXX 555-01XX numbers, .example domains).
const DEMO_WARNINGS: &str = include_str!("../../data/demo/warnings.jsonl");
/// Real diplomatic missions from Wikidata (CC0), 2022-11-16.
const MISSIONS_CSV: &[u8] = include_bytes!("../../data/wikidata/diplomatic-missions-wikidata-2022.csv");

const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };
const CIUDAD_JUAREZ: Point = Point { lat: 31.7202, lon: -106.4608 };
const TIJUANA: Point = Point { lat: 32.5149, lon: -117.0382 };

thread_local! {
    /// With `--json`: each question asked so far, with the answers given to it.
    static TRANSCRIPT: RefCell<Option<Vec<Value>>> = const { RefCell::new(None) };
}

/// Runs the demo; `db` keeps the database, `at` fixes the local time asked about. With
/// `json`, prints one JSON document instead of the text: the database, what was synced, and
/// every question with its answers in the JSON of the command that asks it.
pub fn run(db: Option<&Path>, at: Option<NaiveDateTime>, json: bool) -> Result<(), Error> {
    if !json {
        return run_demo(db, at).map(|_| ());
    }
    TRANSCRIPT.with(|t| *t.borrow_mut() = Some(Vec::new()));
    crate::stdout::set_quiet(true);
    let result = run_demo(db, at);
    crate::stdout::set_quiet(false);
    let questions = TRANSCRIPT.with(|t| t.borrow_mut().take()).unwrap_or_default();
    let (path, datasets) = result?;
    output::print_json(&json!({
        "database": path.display().to_string(),
        // Without --db the database was a temporary file, removed by now.
        "database_kept": db.is_some(),
        "demo": true,
        "datasets": datasets,
        "questions": questions,
    }));
    Ok(())
}

/// Records `value` as an answer to the last question (with `--json`).
pub(crate) fn answer(value: Value) {
    TRANSCRIPT.with(|t| {
        if let Some(last) = t.borrow_mut().as_mut().and_then(|q| q.last_mut()) {
            if let Some(answers) = last["answers"].as_array_mut() {
                answers.push(value);
            }
        }
    });
}

/// The demo itself; returns where the database was (a temporary one is gone by then) and
/// the synced datasets with their listing counts.
fn run_demo(db: Option<&Path>, at: Option<NaiveDateTime>) -> Result<(PathBuf, Value), Error> {
    let tmp;
    let path = match db {
        Some(p) => p.to_path_buf(),
        None => {
            tmp = tempfile::tempdir().map_err(|e| Error::Io { path: std::env::temp_dir(), source: e })?;
            tmp.path().join("faro-demo.db")
        }
    };
    outln!("Faro demo: everything below is answered offline from {}\n", path.display());

    let started = Instant::now();
    let store = publish_serve_and_sync(&path)?;
    outln!(
        "Published, served from a loopback web server, verified and synced in {:.1} s: {} DEMO listings \
         (invented: names end in \"(demo)\", contacts are fictitious), {} real diplomatic missions from \
         Wikidata (CC0, 2022-11-16), DEMO rights articles and DEMO warnings.\n",
        started.elapsed().as_secs_f64(),
        count(&store, "demo/route")?,
        count(&store, "wikidata/missions")?,
    );
    let datasets = json!({
        "demo/route": count(&store, "demo/route")?,
        "wikidata/missions": count(&store, "wikidata/missions")?,
    });

    // The store's trusted now, as `faro search --open-now` and the apps judge hours.
    let now = store.now()?;
    let when = match at {
        Some(local) => When::Local(local),
        None => When::Instant(now),
    };
    let clock = |zone: &str| match at {
        Some(local) => local.format("%a %H:%M").to_string(),
        None => {
            parse_timezone(zone).map(|tz| now.with_timezone(&tz).format("%a %H:%M").to_string()).unwrap_or_default()
        }
    };
    let ht = LangPrefs::parse_list("ht,fr,es,en").expect("valid tags");

    // 1. Legal aid open now near Tapachula, for a Haitian Creole speaker.
    question(&format!(
        "Legal aid open now near Tapachula, in Haitian Creole (it is {} in Tapachula)",
        clock("America/Mexico_City")
    ));
    let mut q = Query {
        near: Some(TAPACHULA),
        kinds: vec![Kind::LegalAid],
        speaks: vec![LangTag::parse("ht").expect("valid tag")],
        when,
        open_only: true,
        langs: ht.clone(),
        limit: 5,
        ..Query::default()
    };
    let hits = store.search(&q)?;
    if hits.is_empty() {
        outln!("  None is open right now. The nearest, and when they open:");
        q.open_only = false;
        hits_answer(&store.search(&q)?, &ht);
    } else {
        hits_answer(&hits, &ht);
    }

    // 2. Nearest consulate of Honduras to Ciudad Juárez (real Wikidata records).
    question("Nearest consulate of Honduras to Ciudad Juárez (real data from Wikidata)");
    let es = LangPrefs::parse_list("es,en").expect("valid tags");
    let hits = store.search(&Query {
        near: Some(CIUDAD_JUAREZ),
        consulate_of: CountryCode::parse("HN"),
        when,
        langs: es.clone(),
        limit: 3,
        ..Query::default()
    })?;
    hits_answer(&hits, &es);

    // 3. Free clinics within 5 km of Tapachula.
    question("Free health services within 5 km of central Tapachula");
    let hits = store.search(&Query {
        near: Some(TAPACHULA),
        radius_m: Some(5_000.0),
        kinds: vec![Kind::Health],
        free_only: true,
        when,
        langs: es.clone(),
        limit: 10,
        ..Query::default()
    })?;
    hits_answer(&hits, &es);

    // 4. Search as you type, without accents, in French.
    question("Typing \"sante\" (no accent) in French, anywhere");
    let fr = LangPrefs::parse_list("fr,ht,es,en").expect("valid tags");
    let hits =
        store.search(&Query { text: Some("sante".into()), when, langs: fr.clone(), limit: 5, ..Query::default() })?;
    hits_answer(&hits, &fr);

    // 5. Shelters for unaccompanied minors in Tijuana, no papers asked. Only places that say
    // they take unaccompanied minors count ("everyone" is no promise about a child alone);
    // when none is near, the answer says so before showing the far ones.
    question(&format!(
        "Shelters near Tijuana for unaccompanied minors, no papers asked (it is {} in Tijuana)",
        clock("America/Tijuana")
    ));
    let minors = Query {
        near: Some(TIJUANA),
        kinds: vec![Kind::Shelter],
        serves: vec![Audience::UnaccompaniedMinors],
        no_papers: true,
        when,
        langs: es.clone(),
        limit: 3,
        ..Query::default()
    };
    let hits = store.search(&minors)?;
    hits_answer(&hits, &es);
    if hits.is_empty() || nothing_near(&hits).is_some() {
        // Not an answer for a child in Tijuana: say what is near instead.
        outln!("{}", crate::i18n::t("demo_minors_none_near"));
        let protection = store.search(&Query {
            near: Some(TIJUANA),
            radius_m: Some(NEAR_HORIZON_M),
            services: vec![ServiceCode::ChildProtection],
            when,
            langs: es.clone(),
            limit: 5,
            ..Query::default()
        })?;
        hits_answer(&protection, &es);
    }

    // 6. What the directory holds in Mexico.
    question("How many places of each kind the directory holds in Mexico");
    for c in store.counts(Region::Country(CountryCode::parse("MX").expect("MX")))? {
        outln!("  {:<10} {}", c.kind.as_str(), c.count);
        answer(json!({"kind": c.kind.as_str(), "count": c.count}));
    }

    crate::demo_rights::run(&store, TAPACHULA)?;
    outln!("\nTry it yourself: faro demo --db faro-demo.db, then for example");
    outln!("  faro search --db faro-demo.db asile --lang fr,es");
    outln!("  faro search --db faro-demo.db --near 32.5149,-117.0382 --kind shelter --open-now --json");
    Ok((path, datasets))
}

/// Prints `hits`, and records them (as `faro search --json` gives them) with `--json`.
fn hits_answer(hits: &[faro_core::search::Hit], langs: &LangPrefs) {
    output::print_hits(hits, langs);
    answer(output::json_hits(hits));
}

/// The whole trusted path, as a publisher and a phone would run it: new keys, a signed
/// repository of the bundled data, a loopback web server, a phone store that trusts only the
/// shipped root, and a verified sync.
fn publish_serve_and_sync(db: &Path) -> Result<Store, Error> {
    let work = tempfile::tempdir().map_err(|e| Error::Io { path: std::env::temp_dir(), source: e })?;
    let write = |name: &str, bytes: &[u8]| -> Result<PathBuf, Error> {
        let p = work.path().join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::Io { path: p.clone(), source: e })?;
        Ok(p)
    };
    let csv = write("missions.csv", MISSIONS_CSV)?;
    let inputs = vec![
        write("listings.jsonl", DEMO_LISTINGS.as_bytes())?,
        write("rights.jsonl", DEMO_RIGHTS.as_bytes())?,
        write("warnings.jsonl", DEMO_WARNINGS.as_bytes())?,
        crate::sync_cmd::missions_as_listings(&csv, work.path())?,
    ];
    let keys = KeySet::generate()?;
    let repo = work.path().join("repo");
    let options = PublishOptions { publisher: "Faro demo publisher".into(), ..PublishOptions::default() };
    publish::publish(&keys, &repo, &inputs, &options)?;
    outln!("1. Publisher: signed repository written ({}).", repo.display());

    let server = crate::serve::Server::start(&repo).map_err(|e| Error::Io { path: repo.clone(), source: e })?;
    outln!("2. Served at {} (loopback only).", server.url());

    let store = Store::open(db)?;
    let root =
        std::fs::read(repo.join("metadata/1.root.json")).map_err(|e| Error::Io { path: repo.clone(), source: e })?;
    sync::install_trusted_root(&store, &root)?;
    let subscribe = ["demo/route", "rights/all", "warnings/demo", "wikidata/missions"].map(String::from).to_vec();
    let report = sync::sync_from_url(
        &store,
        &server.url(),
        &SyncOptions { subscribe, ..SyncOptions::default() },
        &Cancel::new(),
        &mut |_| {},
    )?;
    outln!("3. Phone: trusts only the shipped root; synced and verified:");
    crate::sync_cmd::print_sync_report(&report);
    Ok(store)
}

fn count(store: &Store, dataset: &str) -> Result<i64, Error> {
    store.read(|c| Ok(c.query_row("SELECT count(*) FROM listings WHERE dataset = ?1", [dataset], |r| r.get(0))?))
}

/// Asks question `q` (printed, or recorded with `--json`).
pub(crate) fn question(q: &str) {
    outln!("\n? {q}");
    TRANSCRIPT.with(|t| {
        if let Some(questions) = t.borrow_mut().as_mut() {
            questions.push(json!({"question": q, "answers": []}));
        }
    });
}
