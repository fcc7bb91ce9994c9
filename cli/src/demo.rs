//! `faro demo`: builds a database from the data bundled in the binary (invented demo
//! listings along the route, and the real Wikidata diplomatic missions) and answers the
//! questions a person on the move asks. No set-up, no network.

use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDateTime, Utc};

use faro_core::geo::Point;
use faro_core::hours::parse_timezone;
use faro_core::import::{listings, missions};
use faro_core::model::{Audience, Kind};
use faro_core::search::{Query, Region, When};
use faro_core::store::DatasetInfo;
use faro_core::{CountryCode, Error, LangPrefs, LangTag, Store};

use crate::output;

/// Invented listings along the route (every record says `"demo": true`).
const DEMO_LISTINGS: &str = include_str!("../../data/demo/listings.jsonl");
/// Real diplomatic missions from Wikidata (CC0), 2022-11-16.
const MISSIONS_CSV: &[u8] = include_bytes!("../../data/wikidata/diplomatic-missions-wikidata-2022.csv");

const TAPACHULA: Point = Point { lat: 14.9056, lon: -92.2636 };
const CIUDAD_JUAREZ: Point = Point { lat: 31.7202, lon: -106.4608 };
const TIJUANA: Point = Point { lat: 32.5149, lon: -117.0382 };

/// Runs the demo; `db` keeps the database, `at` fixes the local time asked about.
pub fn run(db: Option<&Path>, at: Option<NaiveDateTime>) -> Result<(), Error> {
    let tmp;
    let path = match db {
        Some(p) => p.to_path_buf(),
        None => {
            tmp = tempfile::tempdir().map_err(|e| Error::Io { path: std::env::temp_dir(), source: e })?;
            tmp.path().join("faro-demo.db")
        }
    };
    println!("Faro demo: everything below is answered offline from {}\n", path.display());

    let started = Instant::now();
    let store = Store::open(&path)?;
    let (header, records) = listings::read_listings(DEMO_LISTINGS.as_bytes(), "data/demo/listings.jsonl")?;
    let demo = DatasetInfo { name: header.dataset.clone(), source: header.source.clone(), demo: true };
    let demo_summary = store.write_listings(&demo, "data/demo/listings.jsonl", records)?;
    let read = missions::read_missions_csv(MISSIONS_CSV, "data/wikidata/diplomatic-missions-wikidata-2022.csv")?;
    let rejected = read.rejected.len();
    let source = read.listings.first().and_then(|l| l.source.clone());
    let real = DatasetInfo { name: "wikidata/missions".into(), source, demo: false };
    let missions_summary = store.write_listings(
        &real,
        "diplomatic-missions-wikidata-2022.csv",
        read.listings.into_iter().map(|l| Ok((None, l))),
    )?;
    println!(
        "Loaded {} DEMO listings (invented: names end in \"(demo)\", contacts are fictitious) and {} real \
         diplomatic missions from Wikidata (CC0, 2022-11-16; {} rows without coordinates or a known country \
         not imported) in {:.1} s.\n",
        demo_summary.inserted + demo_summary.updated + demo_summary.unchanged,
        missions_summary.inserted + missions_summary.updated + missions_summary.unchanged,
        rejected,
        started.elapsed().as_secs_f64()
    );

    let when = match at {
        Some(local) => When::Local(local),
        None => When::Instant(Utc::now()),
    };
    let clock = |zone: &str| match at {
        Some(local) => local.format("%a %H:%M").to_string(),
        None => parse_timezone(zone)
            .map(|tz| Utc::now().with_timezone(&tz).format("%a %H:%M").to_string())
            .unwrap_or_default(),
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
        println!("  None is open right now. The nearest, and when they open:");
        q.open_only = false;
        output::print_hits(&store.search(&q)?, &ht);
    } else {
        output::print_hits(&hits, &ht);
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
    output::print_hits(&hits, &es);

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
    output::print_hits(&hits, &es);

    // 4. Search as you type, without accents, in French.
    question("Typing \"sante\" (no accent) in French, anywhere");
    let fr = LangPrefs::parse_list("fr,ht,es,en").expect("valid tags");
    let hits =
        store.search(&Query { text: Some("sante".into()), when, langs: fr.clone(), limit: 5, ..Query::default() })?;
    output::print_hits(&hits, &fr);

    // 5. Shelters for unaccompanied minors in Tijuana, no papers asked.
    question(&format!(
        "Shelters near Tijuana for unaccompanied minors, no papers asked (it is {} in Tijuana)",
        clock("America/Tijuana")
    ));
    let hits = store.search(&Query {
        near: Some(TIJUANA),
        radius_m: Some(25_000.0),
        kinds: vec![Kind::Shelter],
        serves: vec![Audience::UnaccompaniedMinors],
        no_papers: true,
        when,
        langs: es.clone(),
        limit: 5,
        ..Query::default()
    })?;
    output::print_hits(&hits, &es);

    // 6. What the directory holds in Mexico.
    question("How many places of each kind the directory holds in Mexico");
    for c in store.counts(Region::Country(CountryCode::parse("MX").expect("MX")))? {
        println!("  {:<10} {}", c.kind.as_str(), c.count);
    }

    crate::demo_rights::run(&store, TAPACHULA)?;
    println!("\nTry it yourself: faro demo --db faro-demo.db, then for example");
    println!("  faro search --db faro-demo.db asile --lang fr,es");
    println!("  faro search --db faro-demo.db --near 32.5149,-117.0382 --kind shelter --open-now --json");
    Ok(())
}

fn question(q: &str) {
    println!("\n? {q}");
}
