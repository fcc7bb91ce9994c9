//! Crash safety of sync: a child process (`tests/bin/sync_child.rs`) syncing a 20,000-record
//! dataset from a real HTTP server on loopback is killed with SIGKILL at random points, at
//! least 200 times: during start-up, the metadata refresh, the download, the apply and the
//! commit. After every kill the database passes `integrity_check` and holds exactly the old
//! or the new version (records hashed and compared with the signed state hashes), never a
//! mix. Two starting points: an empty phone (the new version arrives as a full snapshot) and
//! a phone at version 1 (it arrives as a delta). Partial downloads are kept between kills,
//! as on a phone, so later runs resume them. Finally a normal sync completes.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use faro_core::publish::PublishOptions;
use faro_core::sync;
use faro_core::Store;
use faro_tests::support::fault_server::FaultServer;
use faro_tests::support::sync_repo::{seeded_rng, serve_repo, Held, Phone, Repo};

const DATASET: &str = "directory/mx";
const RECORDS: usize = 20_000;
/// Kills from an empty phone (a full snapshot: the longer apply) and from version 1 (a delta).
const KILLS_SNAPSHOT: usize = 70;
const KILLS_DELTA: usize = 135;

/// When to kill the child.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// This long after it started (any phase).
    After(Duration),
    /// As soon as it reports this many records applied, plus a little.
    Applied(u64, Duration),
}

/// How one run ended.
#[derive(Debug, Default)]
struct Tally {
    killed: usize,
    killed_in_apply: usize,
    finished_first: usize,
    old: usize,
    new: usize,
}

#[test]
fn sigkill_at_random_points_leaves_the_old_or_the_new_version() {
    let started = Instant::now();
    let repo = Repo::new();
    let opts = PublishOptions::default();
    repo.publish(DATASET, 0..RECORDS, |_| String::new(), &opts);
    let v1 = repo.entry(DATASET);
    let server = FaultServer::start();
    serve_repo(&server, &repo.dir);
    let url = server.url("");
    let root = repo.metadata("1.root.json");

    // Two pristine phones, checkpointed so that copying the main file copies everything.
    let base_empty = repo.work().join("base-empty.db");
    let base_v1 = repo.work().join("base-v1.db");
    {
        let phone = Phone::new(&base_empty, &root);
        sync::subscribe(&phone.store, &[DATASET.to_string()]).unwrap();
        phone.store.checkpoint().unwrap();
        let phone = Phone::new(&base_v1, &root);
        phone.sync(&url, &[DATASET]).unwrap();
        assert!(phone.held(DATASET).is(&v1));
        phone.store.checkpoint().unwrap();
    }

    // Version 2: a tenth of the records changed, 500 gone, 500 new.
    let v2_ids = 500..RECORDS + 500;
    repo.publish(DATASET, v2_ids, |i| if i % 10 == 0 { " (v2)".into() } else { String::new() }, &opts);
    let v2 = repo.entry(DATASET);
    assert!(v2.deltas.contains_key(&1));
    serve_repo(&server, &repo.dir);

    let mut rng = seeded_rng();
    let mut total = 0;
    let scenarios = [("empty -> v2 snapshot", &base_empty, KILLS_SNAPSHOT), ("v1 -> v2 delta", &base_v1, KILLS_DELTA)];
    for (name, base, kills) in scenarios {
        let work = repo.work().join(format!("phone-{}.db", total));
        let old = {
            let store = Store::open(base).unwrap();
            Held::read(&store, DATASET)
        };
        let calibration = run_child(&work, base, &url, KillAt::After(Duration::from_secs(120)));
        assert_eq!(calibration.outcome, Outcome::Finished, "{name}: an unkilled sync finishes");
        assert!(Held::read(&Store::open(&work).unwrap(), DATASET).is(&v2));
        let (full, lines) = (calibration.elapsed, calibration.applied);
        // From the last progress line to the end: the state hash check and the commit.
        let commit = full.saturating_sub(calibration.last_applied_at);
        eprintln!("{name}: an uninterrupted sync takes {full:?}, applies {lines} lines, then {commit:?} to commit");

        let mut tally = Tally::default();
        while tally.killed < kills {
            // A fifth at any time of the run, a fifth while the state hash is checked and the
            // transaction commits, the rest at a chosen record of the apply.
            let at = match rng.u8(0..5) {
                0 => KillAt::After(full.mul_f64(rng.f64() * 1.1)),
                1 => KillAt::Applied(lines, commit.mul_f64(rng.f64() * 2.0)),
                _ => KillAt::Applied(rng.u64(0..=lines), Duration::from_micros(rng.u64(0..3000))),
            };
            match run_child(&work, base, &url, at).outcome {
                Outcome::Finished => tally.finished_first += 1,
                Outcome::Killed { in_apply } => {
                    tally.killed += 1;
                    tally.killed_in_apply += usize::from(in_apply);
                }
            }
            let store = Store::open(&work).unwrap_or_else(|e| panic!("{name}, after {at:?}: {e}"));
            store.check_integrity().unwrap_or_else(|e| panic!("{name}, after {at:?}: {e}"));
            let held = Held::read(&store, DATASET);
            if held.is(&v2) {
                tally.new += 1;
            } else if held == old {
                tally.old += 1;
            } else {
                panic!("{name}: after {at:?} the phone holds neither the old nor the new version: {held:?}");
            }
        }
        eprintln!("{name}: {tally:?}");
        assert!(tally.old > 0 && tally.new > 0, "{name}: kills landed both before and after the commit: {tally:?}");
        assert!(tally.killed_in_apply >= kills / 2, "{name}: most kills landed in the apply: {tally:?}");
        total += tally.killed;

        // Then a normal sync completes, from whatever the last kill left.
        let phone = Phone { store: Store::open(&work).unwrap(), options: Default::default() };
        phone.sync(&url, &[]).unwrap();
        assert!(phone.held(DATASET).is(&v2));
    }
    assert!(total >= 200, "{total} kills");
    eprintln!("{total} kills in {:?}", started.elapsed());
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The child printed `done` and exited before the kill.
    Finished,
    /// SIGKILL reached it; `in_apply` when it had reported applied records.
    Killed { in_apply: bool },
}

/// Copies `base` to `db` and runs the child on it until `at`; returns how it ended and how
/// long it ran.
fn run_child(db: &Path, base: &Path, url: &str, at: KillAt) -> Run {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(db, suffix));
    }
    std::fs::copy(base, db).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync_child"))
        .arg(db)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn sync_child");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut applied = None;
    let mut last_applied_at = Duration::ZERO;
    let mut finished = false;
    let deadline = match at {
        KillAt::After(d) => started + d,
        KillAt::Applied(..) => started + Duration::from_secs(120),
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let (phase, n) = line.split_once(' ').unwrap_or((&line, "0"));
                match phase {
                    "done" => {
                        finished = true;
                        break;
                    }
                    "apply" => {
                        let n = n.parse::<u64>().unwrap_or(0);
                        applied = Some(n);
                        last_applied_at = started.elapsed();
                        if let KillAt::Applied(records, extra) = at {
                            if n >= records {
                                std::thread::sleep(extra);
                                break;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => break,
            // The child closed stdout: it exited (successfully or not).
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                finished = true;
                break;
            }
        }
    }
    let elapsed = started.elapsed();
    if !finished {
        // SIGKILL (a child that exited meanwhile is only reaped).
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    drop(rx);
    let _ = reader.join();
    let outcome = if status.signal() == Some(9) {
        Outcome::Killed { in_apply: applied.is_some() }
    } else {
        assert!(status.success(), "sync_child failed: {status}");
        Outcome::Finished
    };
    Run { outcome, elapsed, applied: applied.unwrap_or(0), last_applied_at }
}

/// What [`run_child`] saw.
struct Run {
    outcome: Outcome,
    elapsed: Duration,
    /// The last count of applied records the child reported.
    applied: u64,
    /// When it reported it.
    last_applied_at: Duration,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
