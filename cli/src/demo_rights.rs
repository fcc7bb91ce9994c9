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
    let ht = LangPrefs::parse_list("ht,fr,es,en").map_err(|e| Error::Internal(e.to_string()))?;

    crate::demo::question(
        "A Haitian man detained in Tapachula asks: can my consulate help me? In Haitian Creole, then French \
         (faro rights --topic consular_assistance --country MX --lang ht,fr)",
    );
    let hits = store.rights(&RightsQuery {
        topics: vec![Topic::ConsularAssistance],
        country: mx,
        langs: ht.clone(),
        limit: 3,
        ..Default::default()
    })?;
    for h in &hits {
        crate::rights_cmd::print_article(&h.article, &ht);
        crate::demo::answer(serde_json::to_value(h).unwrap_or_default());
        if let Some(mut q) = h.article.related_query(Some(here), CountryCode::parse("HT")) {
            // Only Haiti's missions in the country he is in: an embassy in another country
            // cannot visit him.
            q.in_country = mx;
            q.langs = ht.clone();
            let missions = store.search(&q)?;
            if missions.is_empty() {
                outln!("   Haiti has no embassy or consulate in Mexico in this directory.");
            }
            for l in missions {
                outln!(
                    "   Haiti's mission in Mexico (real, from Wikidata): {} — {:.0} km from you",
                    l.name,
                    l.distance_m.unwrap_or(0.0) / 1000.0
                );
            }
        }
    }
    crate::demo::question(
        "Typing \"asilo\" to find rights that apply in Mexico; it matches every language, accents optional \
         (faro rights asilo --country MX)",
    );
    for h in store.rights(&RightsQuery { text: Some("asilo".into()), country: mx, limit: 4, ..Default::default() })? {
        outln!("  · {} [{}]", h.title, h.id);
        crate::demo::answer(serde_json::json!({"id": h.id, "title": h.title}));
    }

    let now: DateTime<Utc> = DEMO_NOW.parse().map_err(|e| Error::Internal(format!("the demo time: {e}")))?;
    crate::demo::question(&format!(
        "Warnings for someone in Tapachula on {} (the demo fixes the date so that its warnings are in force; \
         faro warnings --near 14.9056,-92.2636 --country MX)",
        now.format("%-d %B %Y")
    ));
    let q = WarningQuery { near: Some(here), country: mx, langs: LangPrefs::default(), ..WarningQuery::at(now) };
    let (near, country_wide): (Vec<_>, Vec<_>) = store.warnings(&q)?.into_iter().partition(|h| h.here);
    crate::demo::answer(serde_json::json!({"here": near, "country_wide": country_wide}));
    outln!("  Where you are:");
    if near.is_empty() {
        outln!("  none.");
    }
    near.iter().for_each(|h| crate::warnings_cmd::print_warning(store, &q.langs, h));
    if !country_wide.is_empty() {
        outln!("  Elsewhere in Mexico (these warnings cover the whole country):");
        country_wide.iter().for_each(|h| crate::warnings_cmd::print_warning(store, &q.langs, h));
    }

    let es = LangPrefs::default();
    crate::demo::question(
        "Is this number real? Someone gave it for a legal-aid office in El Paso, written the usual US way: \
         (915) 555-0123",
    );
    let c = store.check_contact("(915) 555-0123", CountryCode::parse("US"), now, &es)?;
    crate::contact_cmd::print_check(&c);
    crate::demo::answer(serde_json::to_value(&c).unwrap_or_default());
    crate::demo::question(
        "And this WhatsApp link, sent by someone who says they are \"from the consulate\": \
         https://wa.me/12015550143",
    );
    let c = store.check_contact("https://wa.me/12015550143", mx, now, &es)?;
    crate::contact_cmd::print_check(&c);
    crate::demo::answer(serde_json::to_value(&c).unwrap_or_default());
    Ok(())
}
