//! The store keeps its last good state: a bad file changes nothing, readers never wait for
//! a writer, and damaged or newer databases are refused without being touched.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use faro_core::search::Query;
use faro_core::store::DatasetInfo;
use faro_core::{Error, Store};

fn header() -> &'static str {
    r#"{"faro":"listings","version":1,"dataset":"test/safety","demo":true}"#
}

fn listing(id: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"health","name":{{"es":"{name}"}},"location":{{"lat":14.9,"lon":-92.26}},"address":{{"country":"MX"}},"opening_hours":"Mo-Fr 08:00-16:00","timezone":"America/Mexico_City"}}"#
    )
}

fn import(store: &Store, body: &str) -> Result<faro_core::store::WriteSummary, Error> {
    let text = format!("{}\n{body}", header());
    Ok(store.import_listings_reader(text.as_bytes(), "input.jsonl", Default::default())?.summary)
}

#[test]
fn a_bad_record_anywhere_writes_nothing_and_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("f.db")).unwrap();
    import(&store, &listing("demo:a", "Clínica A (demo)")).unwrap();

    let body = [
        listing("demo:a", "Clínica A renombrada (demo)"),
        listing("demo:b", "Clínica B (demo)"),
        r#"{"id":"demo:c","kind":"health","name":{"es":"C"},"location":{"lat":95.0,"lon":-92.0}}"#.to_string(),
        r#"{"id":"demo:d","kind":"health","name":{"es":"D"},"opening_hours":"Mo-Fx 09:00-17:00","timezone":"America/Mexico_City"}"#.to_string(),
        r#"{"id":"demo:e","kind":"health","name":{"es":"E"},"opening_hours":"Mo-Fr 09:00-17:00","timezone":"Mars/Olympus"}"#.to_string(),
        r#"{"id":"demo:f","kind":"bakery","name":{"es":"F"}}"#.to_string(),
        r#"{"id":"demo:g","kind":"health","name":{"es":"G"},"phones":[{"number":"962 123 4567"}]}"#.to_string(),
        r#"{"id":"demo:h","kind":"consulate","name":{"es":"H"}}"#.to_string(),
    ]
    .join("\n");
    let err = import(&store, &body).unwrap_err();
    let Error::InputMany(problems) = &err else { panic!("expected many problems, got {err}") };
    let located: Vec<(Option<u64>, Option<&str>, Option<&str>)> =
        problems.iter().map(|p| (p.line, p.record.as_deref(), p.field.as_deref())).collect();
    assert!(located.contains(&(Some(4), Some("demo:c"), Some("location.lat"))), "{err}");
    assert!(located.contains(&(Some(5), Some("demo:d"), Some("opening_hours"))), "{err}");
    assert!(located.contains(&(Some(6), Some("demo:e"), Some("timezone"))), "{err}");
    assert!(located.contains(&(Some(7), Some("demo:f"), Some("kind"))), "{err}");
    assert!(located.contains(&(Some(8), Some("demo:g"), Some("phones[0].number"))), "{err}");
    assert!(located.contains(&(Some(9), Some("demo:h"), Some("consulate"))), "{err}");
    assert!(err.to_string().contains("input.jsonl:4: record demo:c: field location.lat"), "{err}");

    // Nothing from the bad file was kept: the rename and demo:b are not there.
    assert_eq!(store.listing_count().unwrap(), 1);
    assert_eq!(store.get("demo:a").unwrap().name.values().next().unwrap(), "Clínica A (demo)");
    assert!(matches!(store.get("demo:b"), Err(Error::NotFound(_))));
}

#[test]
fn problems_far_apart_in_a_large_file_are_all_reported_and_nothing_is_written() {
    // Records travel between the checking and the writing thread in batches: problems in
    // different batches, and a duplicate id whose first use was written batches earlier,
    // must all be reported, and the whole file rolled back.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("f.db")).unwrap();
    let mut lines: Vec<String> =
        (0..1000).map(|i| listing(&format!("demo:{i}"), &format!("Clinica {i} (demo)"))).collect();
    lines[9] = lines[9].replace("\"lat\":14.9", "\"lat\":140.9");
    lines[700] = listing("demo:3", "Clinica repetida (demo)");
    lines[998] = lines[998].replace("Mo-Fr 08:00-16:00", "Mo-Fr 25:00-26:00");
    let err = import(&store, &lines.join("\n")).unwrap_err();
    let Error::InputMany(problems) = err else { panic!("expected several problems, got {err}") };
    let lines_reported: Vec<Option<u64>> = problems.iter().map(|p| p.line).collect();
    // Line 1 is the header: record i is on line i + 2.
    assert_eq!(lines_reported, vec![Some(11), Some(702), Some(1000)], "{problems:?}");
    assert_eq!(problems[1].record.as_deref(), Some("demo:3"));
    assert_eq!(store.listing_count().unwrap(), 0, "nothing from the file is kept");

    // The same file without its problems goes in whole.
    lines[9] = listing("demo:9", "Clinica 9 (demo)");
    lines[700] = listing("demo:700", "Clinica 700 (demo)");
    lines[998] = listing("demo:998", "Clinica 998 (demo)");
    assert_eq!(import(&store, &lines.join("\n")).unwrap().inserted, 1000);
    assert_eq!(store.listing_count().unwrap(), 1000);
    assert_eq!(store.search(&Query { text: Some("clinica".into()), limit: 5, ..Query::default() }).unwrap().len(), 5);
}

#[test]
fn reimporting_the_same_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("f.db")).unwrap();
    let body = [listing("demo:a", "Alfa (demo)"), listing("demo:b", "Bravo (demo)")].join("\n");
    assert_eq!(import(&store, &body).unwrap().inserted, 2);
    let again = import(&store, &body).unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 2));
    let changed = [listing("demo:a", "Zulu (demo)"), listing("demo:b", "Bravo (demo)")].join("\n");
    assert_eq!(import(&store, &changed).unwrap().updated, 1);
    let hits = store.search(&Query { text: Some("zulu".into()), ..Query::default() }).unwrap();
    assert_eq!(hits.len(), 1, "the index follows the update");
    let old = store.search(&Query { text: Some("alfa".into()), kinds: vec![], ..Query::default() }).unwrap();
    assert!(old.is_empty(), "old text left the index: {old:?}");
}

#[test]
fn readers_do_not_wait_for_a_writer_and_see_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open(dir.path().join("f.db")).unwrap());
    import(&store, &listing("demo:a", "Primera (demo)")).unwrap();

    // A write that stalls in the middle of its transaction until told to go on.
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let writer_store = store.clone();
    let writer = std::thread::spawn(move || {
        let mut sent = false;
        let records = (0..200).map(move |i| {
            if i == 100 && !sent {
                sent = true;
                started_tx.send(()).unwrap();
                go_rx.recv().unwrap();
            }
            let line = listing(&format!("demo:w{i}"), &format!("Escrita {i} (demo)"));
            Ok((Some(i + 2), serde_json::from_str(&line).unwrap()))
        });
        writer_store.write_listings(
            &DatasetInfo { name: "test/safety".into(), source: None, demo: true },
            "stalled",
            records,
        )
    });
    started_rx.recv().unwrap();
    let t = Instant::now();
    let count = store.listing_count().unwrap();
    let hits = store.search(&Query { text: Some("primera".into()), ..Query::default() }).unwrap();
    assert!(t.elapsed() < Duration::from_secs(1), "a read waited for the writer: {:?}", t.elapsed());
    assert_eq!(count, 1, "readers see the last commit, not the half-written batch");
    assert_eq!(hits.len(), 1);
    go_tx.send(()).unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(store.listing_count().unwrap(), 201);
}

#[test]
fn a_damaged_database_is_reported_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.db");
    {
        let store = Store::open(&path).unwrap();
        let body: Vec<String> =
            (0..300).map(|i| listing(&format!("demo:{i}"), &format!("Clínica {i} (demo)"))).collect();
        import(&store, &body.join("\n")).unwrap();
    }
    // Fold the WAL into the main file, then scribble over the middle of it.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8 * 4096);
    for b in &mut bytes[4096..4096 * 6] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();

    let outcome = Store::open(&path).and_then(|s| s.check_integrity().map(|_| s));
    let err = outcome.expect_err("damage must be detected");
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the damaged file was not modified");
}
