//! Tests of the §5 client workflow against real repositories on disk.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::json;

use super::test_repo::{role_setup, t0, TestRepo};
use super::writer::{meta_file_for, metadata_file_name, sign_metadata};
use super::*;

struct Client {
    store: DirTrustStore,
    _dir: tempfile::TempDir,
}

fn client_for(repo: &TestRepo) -> Client {
    let dir = tempfile::tempdir().unwrap();
    let mut store = DirTrustStore::open(dir.path()).unwrap();
    install_root(&mut store, &repo.root_v1()).unwrap();
    Client { store, _dir: dir }
}

fn refresh(repo: &TestRepo, client: &mut Client, policy: ExpiryPolicy) -> TufResult<(Updater, RefreshReport)> {
    let mut updater = Updater::load(&client.store, policy, Limits::default())?;
    let report = updater.refresh(&repo.fetcher(), &mut client.store, t0())?;
    Ok((updater, report))
}

fn published() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.add_target("targets", "directory/mx", b"mexico listings");
    repo.add_target("warnings", "warnings/mx", b"warning: fake shelter");
    repo.publish();
    repo
}

#[test]
fn happy_path_finds_and_verifies_targets_in_both_roles() {
    let repo = published();
    let mut client = client_for(&repo);
    let (mut updater, report) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!(
        (report.root_version, report.timestamp_version, report.snapshot_version, report.targets_version),
        (1, 1, 1, 1)
    );
    assert_eq!(report.timestamp_expires, repo.expires);
    assert!(report.expired.is_empty());
    let fetcher = repo.fetcher();
    let info = updater.target_info(&fetcher, &mut client.store, "directory/mx").unwrap().unwrap();
    assert_eq!(info.role, "targets");
    assert_eq!(info.file.custom, Some(json!({"records": 1})));
    assert_eq!(updater.download_target(&fetcher, &info).unwrap(), b"mexico listings");
    let info = updater.target_info(&fetcher, &mut client.store, "warnings/mx").unwrap().unwrap();
    assert_eq!(info.role, "warnings");
    assert!(updater.target_download_name(&info).starts_with("warnings/"));
    assert_eq!(updater.download_target(&fetcher, &info).unwrap(), b"warning: fake shelter");
    assert_eq!(updater.target_info(&fetcher, &mut client.store, "directory/gt").unwrap(), None);
    // Everything verified was stored.
    for role in ["root", "timestamp", "snapshot", "targets", "warnings"] {
        assert!(client.store.load(role).unwrap().is_some(), "{role}");
    }
    // A second refresh with no change works from the stored copies.
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
}

#[test]
fn no_root_installed_is_a_clear_state_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirTrustStore::open(dir.path()).unwrap();
    let e = Updater::load(&store, ExpiryPolicy::Enforce, Limits::default()).unwrap_err();
    assert!(e.to_string().contains("no trusted root is installed"), "{e}");
}

#[test]
fn initial_root_must_be_self_signed_by_its_threshold() {
    let repo = published();
    let root = repo.root.to_signed_json();
    // Root threshold is 2: one signature is not enough.
    let one = sign_metadata("root", &root, &[&repo.root_keys[0]]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = DirTrustStore::open(dir.path()).unwrap();
    assert_eq!(
        install_root(&mut store, &one).unwrap_err(),
        TufError::ThresholdNotMet { role: "root".into(), have: 1, need: 2 }
    );
    assert_eq!(store.load("root").unwrap(), None);
}

#[test]
fn timestamp_rollback_is_refused() {
    let mut repo = published();
    let old_timestamp = repo.read_metadata("timestamp.json");
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    let mut client = client_for(&repo);
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    repo.write_metadata("timestamp.json", &old_timestamp);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(matches!(&e, TufError::Rollback { role, trusted: 2, offered: 1, .. } if role == "timestamp"), "{e}");
    // The trusted timestamp is still version 2.
    let stored = client.store.load("timestamp").unwrap().unwrap();
    assert!(String::from_utf8(stored).unwrap().contains("\"version\": 2"));
}

#[test]
fn snapshot_version_rollback_in_a_newer_timestamp_is_refused() {
    let mut repo = published();
    repo.publish();
    let mut client = client_for(&repo);
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    // A new timestamp (v3) pointing back at snapshot 1.
    repo.snapshot_version = 1;
    repo.publish_timestamp(None);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(matches!(&e, TufError::Rollback { role, trusted: 2, offered: 1, .. } if role == "snapshot"), "{e}");
}

#[test]
fn freeze_expired_timestamp_is_an_error_or_reported() {
    let mut repo = published();
    repo.expires = t0() - Duration::days(1);
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    let mut client = client_for(&repo);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::Expired { role: "timestamp".into(), since: t0() - Duration::days(1) });
    assert_eq!(client.store.load("timestamp").unwrap(), None, "an expired timestamp is not stored");
    // Offline bundle mode: accepted, but reported.
    let (_, report) = refresh(&repo, &mut client, ExpiryPolicy::ReportExpired).unwrap();
    assert_eq!(report.expired, vec![ExpiredRole { role: "timestamp".into(), expired_at: t0() - Duration::days(1) }]);
    assert_eq!(report.timestamp_version, 2);
}

#[test]
fn report_expired_still_verifies_everything_else() {
    let mut repo = published();
    repo.expires = t0() - Duration::days(1);
    repo.publish();
    // Tamper with the (expired) targets: the hash listed by the snapshot no longer matches.
    let name = metadata_file_name("targets", 2, true);
    let mut bytes = repo.read_metadata(&name);
    let at = bytes.len() - 3;
    bytes[at] = b' ';
    repo.write_metadata(&name, &bytes);
    let mut client = client_for(&repo);
    let e = refresh(&repo, &mut client, ExpiryPolicy::ReportExpired).unwrap_err();
    assert!(matches!(&e, TufError::LengthOrHashMismatch { file, .. } if file == "targets.json"), "{e}");
}

#[test]
fn mix_and_match_snapshot_is_refused() {
    let mut repo = published();
    repo.publish();
    // Timestamp v3 names snapshot 3 without hashes; the repository serves snapshot 2 as 3.
    let snapshot2 = repo.read_metadata("2.snapshot.json");
    repo.snapshot_version = 3;
    repo.write_metadata("3.snapshot.json", &snapshot2);
    repo.publish_timestamp(None);
    let mut client = client_for(&repo);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(
        e,
        TufError::MixAndMatch { role: "snapshot".into(), listed_by: "timestamp".into(), expected: 3, got: 2 }
    );
}

#[test]
fn snapshot_may_not_drop_or_roll_back_targets_metadata() {
    let mut repo = published();
    let mut client = client_for(&repo);
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    let targets1 = repo.read_metadata("1.targets.json");
    repo.publish_snapshot(BTreeMap::from([("targets.json".to_string(), meta_file_for(1, &targets1))]));
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(e.to_string().contains("no longer lists warnings.json"), "{e}");

    let mut repo = published();
    repo.publish();
    let mut client = client_for(&repo);
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    let warnings2 = repo.read_metadata("2.warnings.json");
    repo.publish_snapshot(BTreeMap::from([
        ("targets.json".to_string(), meta_file_for(1, &targets1)),
        ("warnings.json".to_string(), meta_file_for(2, &warnings2)),
    ]));
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(matches!(&e, TufError::Rollback { role, trusted: 2, offered: 1, .. } if role == "targets"), "{e}");
}

#[test]
fn wrong_target_hash_is_refused() {
    let repo = published();
    let mut client = client_for(&repo);
    let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    let fetcher = repo.fetcher();
    let info = updater.target_info(&fetcher, &mut client.store, "directory/mx").unwrap().unwrap();
    let on_disk = repo.path().join("targets").join(updater.target_download_name(&info));
    std::fs::write(&on_disk, b"mexico listingZ").unwrap();
    let e = updater.download_target(&fetcher, &info).unwrap_err();
    assert!(
        matches!(&e, TufError::LengthOrHashMismatch { file, what, .. } if file == "directory/mx" && what == "sha256 hash"),
        "{e}"
    );
    std::fs::write(&on_disk, b"mexico listings, and more").unwrap();
    let e = updater.download_target(&fetcher, &info).unwrap_err();
    assert!(matches!(e, TufError::TooLarge { .. }), "{e}");
    assert!(verify_target(&info, b"mexico listings").is_ok());
}

#[test]
fn warnings_signed_by_one_of_two_keys_are_refused() {
    let mut repo = TestRepo::new();
    repo.add_target("warnings", "warnings/mx", b"forged warning");
    repo.warnings_signers = vec![1];
    repo.publish();
    let mut client = client_for(&repo);
    let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    let e = updater.target_info(&repo.fetcher(), &mut client.store, "warnings/mx").unwrap_err();
    assert_eq!(e, TufError::ThresholdNotMet { role: "warnings".into(), have: 1, need: 2 });
    assert_eq!(client.store.load("warnings").unwrap(), None);
}

#[test]
fn root_rotation_with_fast_forward_recovery() {
    let mut repo = published();
    let mut client = client_for(&repo);
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    // An attacker with the timestamp key fast-forwards the timestamp to a huge version.
    repo.timestamp_version = 1_000_000;
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    // The publisher rotates the timestamp key (and the root keys) and starts over at 1.
    let new_ts = SigningKey::generate(Scheme::EcdsaP256).unwrap();
    let new_root_keys = vec![SigningKey::generate(Scheme::Ed25519).unwrap()];
    let changes = BTreeMap::from([
        ("timestamp".to_string(), role_setup(&[&new_ts], 1)),
        ("root".to_string(), role_setup(&[&new_root_keys[0]], 1)),
    ]);
    repo.rotate_root(changes, Some(new_root_keys));
    repo.timestamp_key = new_ts;
    repo.timestamp_version = 0;
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    let (_, report) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!((report.root_version, report.root_rotations, report.timestamp_version), (2, 1, 1));
    // A further rotation (v3) signed by the v2 root key only is followed too.
    let changes = BTreeMap::from([("snapshot".to_string(), role_setup(&[&repo.snapshot_key], 1))]);
    repo.rotate_root(changes, None);
    let (_, report) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!((report.root_version, report.root_rotations), (3, 1));
}

#[test]
fn without_key_rotation_the_fast_forwarded_timestamp_stays_the_floor() {
    let mut repo = published();
    let mut client = client_for(&repo);
    repo.timestamp_version = 1_000_000;
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    // A new root that keeps the timestamp key does not reset the floor.
    repo.rotate_root(BTreeMap::new(), None);
    repo.timestamp_version = 0;
    repo.publish_timestamp(Some(&repo.read_metadata("1.snapshot.json")));
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(matches!(e, TufError::Rollback { trusted: 1_000_001, offered: 1, .. }), "{e}");
}

#[test]
fn root_rotation_needs_old_and_new_thresholds_and_the_next_version() {
    // Signed by the new keys only: the old root's threshold is not met.
    let repo = published();
    let mut client = client_for(&repo);
    let new_key = SigningKey::generate(Scheme::Ed25519).unwrap();
    let next =
        repo.root.rotate(&BTreeMap::from([("root".to_string(), role_setup(&[&new_key], 1))]), repo.expires).unwrap();
    repo.write_metadata("2.root.json", &writer::sign_root_rotation(&next, &[], &[&new_key]).unwrap());
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::ThresholdNotMet { role: "root".into(), have: 0, need: 2 });
    // Signed by the old keys only: the new root's own threshold is not met.
    let old: Vec<&SigningKey> = repo.root_keys.iter().collect();
    repo.write_metadata("2.root.json", &writer::sign_root_rotation(&next, &old, &[]).unwrap());
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::ThresholdNotMet { role: "root".into(), have: 0, need: 1 });
    // A version-3 root served as 2.root.json.
    let mut skipped = repo.root.rotate(&BTreeMap::new(), repo.expires).unwrap();
    skipped.common.version = 3;
    repo.write_metadata("2.root.json", &writer::sign_root_rotation(&skipped, &old, &[]).unwrap());
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(matches!(&e, TufError::Rollback { role, trusted: 1, offered: 3, .. } if role == "root"), "{e}");
    assert!(String::from_utf8(client.store.load("root").unwrap().unwrap()).unwrap().contains("\"version\": 1"));
}

#[test]
fn expired_intermediate_roots_are_fine_but_the_final_one_is_checked() {
    let mut repo = published();
    let mut client = client_for(&repo);
    let expires = repo.expires;
    repo.expires = t0() - Duration::days(10);
    repo.rotate_root(BTreeMap::new(), None);
    repo.expires = expires;
    repo.rotate_root(BTreeMap::new(), None);
    let (_, report) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!(report.root_version, 3);
    repo.expires = t0();
    repo.rotate_root(BTreeMap::new(), None);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::Expired { role: "root".into(), since: t0() });
}

#[test]
fn root_rotations_are_capped_per_refresh() {
    let mut repo = published();
    let mut client = client_for(&repo);
    for _ in 0..3 {
        repo.rotate_root(BTreeMap::new(), None);
    }
    let limits = Limits { max_root_rotations: 2, ..Limits::default() };
    let mut updater = Updater::load(&client.store, ExpiryPolicy::Enforce, limits).unwrap();
    let report = updater.refresh(&repo.fetcher(), &mut client.store, t0()).unwrap();
    assert_eq!((report.root_version, report.root_rotations), (3, 2));
}

#[test]
fn captive_portal_and_oversized_timestamps_are_named() {
    let repo = published();
    let mut client = client_for(&repo);
    repo.write_metadata("timestamp.json", b"<html><body>Accept the terms to use the Wi-Fi</body></html>");
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert!(e.to_string().contains("timestamp.json is not JSON (it looks like an HTML page"), "{e}");
    repo.write_metadata("timestamp.json", &vec![b' '; 20_000]);
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::TooLarge { file: "timestamp.json".into(), max: 16_384 });
    std::fs::remove_file(repo.metadata_path("timestamp.json")).unwrap();
    let e = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap_err();
    assert_eq!(e, TufError::NotFound("timestamp.json".into()));
}

#[test]
fn unknown_fields_in_signed_metadata_still_verify() {
    let mut repo = published();
    let mut ts = Timestamp::create(2, repo.expires, 1, b"").to_signed_json();
    ts["meta"]["snapshot.json"] = json!({"version": 1});
    ts["x-other-tool"] = json!({"note": "kept", "list": [1, 2]});
    repo.write_signed("timestamp.json", &ts, &[&repo.timestamp_key]);
    repo.timestamp_version = 2;
    let mut client = client_for(&repo);
    let (_, report) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!(report.timestamp_version, 2);
}

fn delegated(name: &str, key: &SigningKey, terminating: bool, pattern: &str) -> DelegatedRole {
    DelegatedRole {
        name: name.into(),
        keyids: vec![key.key_id().to_string()],
        threshold: 1,
        terminating,
        paths: Some(vec![pattern.into()]),
        path_hash_prefixes: None,
    }
}

/// Writes version 1 of a targets role and returns its snapshot entry.
fn write_role(
    repo: &TestRepo,
    name: &str,
    targets: &[(&str, &[u8])],
    roles: Vec<DelegatedRole>,
    keys: &[PublicKey],
    signer: &SigningKey,
) -> (String, MetaFile) {
    let files = targets.iter().map(|(p, body)| (p.to_string(), writer::target_file_for(body, None))).collect();
    let mut t = Targets::create(1, repo.expires, files);
    if !roles.is_empty() {
        t.delegations = Some(Delegations::create(keys, roles).unwrap());
    }
    let bytes = sign_metadata(name, &t.to_signed_json(), &[signer]).unwrap();
    repo.write_metadata(&format!("1.{name}.json"), &bytes);
    (format!("{name}.json"), meta_file_for(1, &bytes))
}

#[test]
fn delegation_walk_is_preorder_and_honours_terminating() {
    // targets delegates "a" then "b" (both warnings/*, not terminating); "a" delegates "c"
    // (terminating). "b" lists the target. When "c" lists it too, "c" wins: it comes first
    // in pre-order. When "c" does not, its terminating flag stops the search before "b".
    let key = SigningKey::generate(Scheme::Ed25519).unwrap();
    let keys = [key.public().clone()];
    for (c_lists, expected) in [(true, Some("c")), (false, None)] {
        let mut repo = TestRepo::new();
        let top = vec![delegated("a", &key, false, "warnings/*"), delegated("b", &key, false, "warnings/*")];
        let c_targets: &[(&str, &[u8])] = if c_lists { &[("warnings/mx", b"from c")] } else { &[] };
        let meta = BTreeMap::from([
            write_role(&repo, "targets", &[], top, &keys, &repo.targets_key),
            write_role(&repo, "a", &[], vec![delegated("c", &key, true, "warnings/*")], &keys, &key),
            write_role(&repo, "b", &[("warnings/mx", b"from b")], vec![], &keys, &key),
            write_role(&repo, "c", c_targets, vec![], &keys, &key),
        ]);
        repo.publish_snapshot(meta);
        let mut client = client_for(&repo);
        let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
        let found = updater.target_info(&repo.fetcher(), &mut client.store, "warnings/mx").unwrap();
        assert_eq!(found.map(|i| i.role), expected.map(String::from), "c lists the target: {c_lists}");
        // A path outside every pattern is looked up in the top-level targets only.
        assert_eq!(updater.target_info(&repo.fetcher(), &mut client.store, "directory/mx").unwrap(), None);
        assert_eq!(client.store.load("b").unwrap(), None, "b was never needed");
    }
}

#[test]
fn delegation_cycles_and_the_visit_cap_end_the_walk() {
    // "a" delegates back to "a" and to "b" ... each role re-delegates everything: the
    // visited set stops cycles, and max_delegations bounds the roles loaded.
    let key = SigningKey::generate(Scheme::Ed25519).unwrap();
    let keys = [key.public().clone()];
    let mut repo = TestRepo::new();
    let names: Vec<String> = (0..6).map(|i| format!("r{i}")).collect();
    let mut meta = BTreeMap::from([write_role(
        &repo,
        "targets",
        &[],
        vec![delegated("r0", &key, false, "*/*")],
        &keys,
        &repo.targets_key,
    )]);
    for (i, name) in names.iter().enumerate() {
        let next =
            vec![delegated(name, &key, false, "*/*"), delegated(&names[(i + 1) % names.len()], &key, false, "*/*")];
        meta.extend([write_role(&repo, name, &[], next, &keys, &key)]);
    }
    repo.publish_snapshot(meta);
    let mut client = client_for(&repo);
    let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert_eq!(updater.target_info(&repo.fetcher(), &mut client.store, "x/y").unwrap(), None);
    let limits = Limits { max_delegations: 2, ..Limits::default() };
    let mut updater = Updater::load(&client.store, ExpiryPolicy::Enforce, limits).unwrap();
    let mut fresh = DirTrustStore::open(client._dir.path().join("fresh")).unwrap();
    install_root(&mut fresh, &repo.root_v1()).unwrap();
    updater.refresh(&repo.fetcher(), &mut fresh, t0()).unwrap();
    assert_eq!(updater.target_info(&repo.fetcher(), &mut fresh, "x/y").unwrap(), None);
    assert!(fresh.load("r1").unwrap().is_some());
    assert_eq!(fresh.load("r3").unwrap(), None, "the walk stopped at the cap");
}

#[test]
fn a_role_reached_through_a_second_delegator_is_verified_again() {
    // A diamond: targets delegates "a" (key A, docs/*) and "b" (key B, everything); "a"
    // delegates "x" to key 1 for docs/*, "b" delegates "x" to key 2 for everything. x.json is
    // signed by key 2 only. One updater looks up a path only "b" covers (x trusted through b),
    // then a path "a" covers: x must be checked against a's delegation again, and fail, never
    // inherit the trust it earned through b.
    let (key_a, key_b) =
        (SigningKey::generate(Scheme::Ed25519).unwrap(), SigningKey::generate(Scheme::Ed25519).unwrap());
    let (key_1, key_2) =
        (SigningKey::generate(Scheme::Ed25519).unwrap(), SigningKey::generate(Scheme::Ed25519).unwrap());
    let keys = [key_a.public().clone(), key_b.public().clone(), key_1.public().clone(), key_2.public().clone()];
    let mut repo = TestRepo::new();
    let top = vec![delegated("a", &key_a, false, "docs/*"), delegated("b", &key_b, false, "*/*")];
    let meta = BTreeMap::from([
        write_role(&repo, "targets", &[], top, &keys, &repo.targets_key),
        write_role(&repo, "a", &[], vec![delegated("x", &key_1, false, "docs/*")], &keys, &key_a),
        write_role(&repo, "b", &[], vec![delegated("x", &key_2, false, "*/*")], &keys, &key_b),
        write_role(&repo, "x", &[("bin/tool", b"by x"), ("docs/guide", b"by x")], vec![], &keys, &key_2),
    ]);
    repo.publish_snapshot(meta);
    let mut client = client_for(&repo);
    let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    let found = updater.target_info(&repo.fetcher(), &mut client.store, "bin/tool").unwrap().expect("through b");
    assert_eq!((found.role.as_str(), found.delegator.as_str()), ("x", "b"));
    let e = updater.target_info(&repo.fetcher(), &mut client.store, "docs/guide").unwrap_err();
    assert!(matches!(&e, TufError::ThresholdNotMet { role, .. } if role == "x"), "{e}");
    // And the other way round, in a fresh updater: failing through a first taints nothing.
    let mut client = client_for(&repo);
    let (mut updater, _) = refresh(&repo, &mut client, ExpiryPolicy::Enforce).unwrap();
    assert!(updater.target_info(&repo.fetcher(), &mut client.store, "docs/guide").is_err());
    let found = updater.target_info(&repo.fetcher(), &mut client.store, "bin/tool").unwrap().expect("through b");
    assert_eq!(found.delegator, "b");
}
