//! The process `tests/sync_crash.rs` kills: syncs the database given as the first argument
//! from the repository URL given as the second, printing each progress step on stdout
//! (`download BYTES`, `apply RECORDS`, then `done VERSION`) so the parent can kill it at a
//! chosen point of the apply.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::io::Write;

use faro_core::net::{Cancel, NetConfig};
use faro_core::sync::{self, SyncOptions, SyncPhase};
use faro_core::Store;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, url] = args.as_slice() else {
        eprintln!("usage: sync_child DB URL");
        std::process::exit(2);
    };
    let store = match Store::open(db) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("sync_child: {e}");
            std::process::exit(1);
        }
    };
    let options = SyncOptions { net: NetConfig { max_attempts: 2, ..NetConfig::default() }, ..SyncOptions::default() };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = sync::sync_from_url(&store, url, &options, &Cancel::new(), &mut |p| {
        let n = if p.phase == SyncPhase::Apply { p.records_done } else { p.bytes_done };
        // The parent reads these as they come: one line, flushed, per step.
        let _ = writeln!(out, "{} {n}", p.phase.as_str());
        let _ = out.flush();
    });
    match result {
        Ok(report) => {
            let version = report.datasets.first().map_or(0, |d| d.version);
            println!("done {version}");
        }
        Err(e) => {
            eprintln!("sync_child: {e}");
            std::process::exit(1);
        }
    }
}
