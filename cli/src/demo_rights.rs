//! The rights, warnings and "is this contact real?" part of `faro demo`: with the demo
//! articles and warnings synced into the store, shows a person in Tapachula their rights, the warnings
//! where they are, and checks one official and one scam number.

use chrono::{DateTime, Utc};

use faro_core::geo::Point;
use faro_core::rights::{RightsQuery, Topic};
use faro_core::warnings::WarningQuery;
use faro_core::{CountryCode, Error, LangPrefs, Store};

/// The demo's "now" for warnings: inside the demo warnings' validity, so the demo shows
/// the same thing whatever the machine's clock says.
const DEMO_NOW: &str = "2026-12-01T18:00:00Z";

/// Answers the rights, warnings and contact questions from `store`.
pub fn run(store: &Store, here: Point) -> Result<(), Error> {
    let mx = CountryCode::parse("MX");
    let ht = LangPrefs::parse_list("ht,fr,es,en").map_err(|e| Error::BadQuery(e.to_string()))?;

    println!("\n? A Haitian man detained in Tapachula: what are my rights? (faro rights --topic consular_assistance --country MX --lang ht,fr)");
    let hits = store.rights(&RightsQuery {
        topics: vec![Topic::ConsularAssistance],
        country: mx,
        langs: ht.clone(),
        limit: 3,
        ..Default::default()
    })?;
    for h in &hits {
        crate::rights_cmd::print_article(&h.article, &ht);
        if let Some(mut q) = h.article.related_query(Some(here), CountryCode::parse("HT")) {
            q.langs = ht.clone();
            for l in store.search(&q)? {
                println!("   Consulate of Haiti near you: {} — {:.1} km", l.name, l.distance_m.unwrap_or(0.0) / 1000.0);
            }
        }
    }
    println!("\n? Someone searching \"asilo\" in any language (faro rights asilo --country MX)");
    for h in store.rights(&RightsQuery { text: Some("asilo".into()), country: mx, limit: 4, ..Default::default() })? {
        println!("  · {} [{}]", h.title, h.id);
    }

    let now: DateTime<Utc> = DEMO_NOW.parse().map_err(|_| Error::BadQuery("demo time".into()))?;
    println!("\n? Warnings here in Tapachula on {DEMO_NOW} (faro warnings --near 14.9056,-92.2636 --country MX)");
    let q = WarningQuery { near: Some(here), country: mx, langs: LangPrefs::default(), ..WarningQuery::at(now) };
    for h in store.warnings(&q)? {
        crate::warnings_cmd::print_warning(&h);
    }

    let es = LangPrefs::default();
    println!("\n? Is this number real? A legal-aid office in El Paso, as a person writes it: (915) 555-0123");
    let c = store.check_contact("(915) 555-0123", CountryCode::parse("US"), now, &es)?;
    crate::contact_cmd::print_check(&c);
    println!("\n? And this WhatsApp link someone sent \"from the consulate\": https://wa.me/12015550143");
    let c = store.check_contact("https://wa.me/12015550143", mx, now, &es)?;
    crate::contact_cmd::print_check(&c);
    Ok(())
}
