//! Interoperability of Faro's TUF code with the reference implementation, python-tuf
//! (pinned in `tuf_interop/requirements.txt`):
//! (a) a repository python-tuf writes (every key scheme, a threshold-2 delegation,
//!     consistent snapshots, a root rotation) is refreshed and its targets verified by
//!     Faro's updater;
//! (b) a repository Faro's writer produces (the `warnings` delegation with threshold 2, a
//!     rotated root) is served by `python3 -m http.server` on loopback and refreshed and
//!     downloaded by python-tuf's `ngclient.Updater`; a warning signed by one key only is
//!     refused by it;
//! (c) what `faro publish` writes (custom fields, deltas, delegation, rotation) is accepted
//!     by python-tuf served from nginx.
//! Skips, loudly, only when python3 or the pinned packages are missing.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)] // Test code (ADR 0025).

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use faro_core::tuf::writer::{
    consistent_target_name, meta_file_for, metadata_file_name, sign_metadata, sign_root_rotation, target_file_for,
};
use faro_core::tuf::{
    install_root, DelegatedRole, Delegations, DirFetcher, DirTrustStore, ExpiryPolicy, Limits, RoleSetup, Root, Scheme,
    SigningKey, Snapshot, Targets, Timestamp, Updater,
};

const PINNED_TUF: &str = "7.0.1";

fn helper(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tuf_interop").join(name)
}

/// Whether python3 with the pinned python-tuf is available; says so loudly when not.
fn python_tuf_available() -> bool {
    let check = format!(
        "import tuf, securesystemslib, cryptography; assert tuf.__version__ == '{PINNED_TUF}', tuf.__version__"
    );
    let ok = Command::new("python3").args(["-c", &check]).output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        eprintln!(
            "\n\n*** SKIPPING tuf_interop: python3 with tuf=={PINNED_TUF} is not installed.\n*** Install it with: \
             python3 -m pip install -r tests/tuf_interop/requirements.txt\n\n"
        );
    }
    ok
}

#[test]
fn faro_accepts_a_repository_written_by_python_tuf() {
    if !python_tuf_available() {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let out = Command::new("python3").arg(helper("python_repo.py")).arg(repo.path()).output().unwrap();
    assert!(out.status.success(), "python_repo.py failed: {}", String::from_utf8_lossy(&out.stderr));

    let trust = tempfile::tempdir().unwrap();
    let mut store = DirTrustStore::open(trust.path()).unwrap();
    install_root(&mut store, &std::fs::read(repo.path().join("metadata/1.root.json")).unwrap()).unwrap();
    let fetcher = DirFetcher::for_repository(repo.path());
    let mut updater = Updater::load(&store, ExpiryPolicy::Enforce, Limits::default()).unwrap();
    let report = updater.refresh(&fetcher, &mut store, Utc::now()).unwrap();
    assert_eq!((report.root_version, report.root_rotations), (2, 1));
    assert!(updater.root().consistent_snapshot);

    for (path, role, body) in [
        ("directory/mx", "targets", &b"python-tuf wrote this Mexico directory\n"[..]),
        ("warnings/mx", "warnings", &b"python-tuf wrote this warning\n"[..]),
    ] {
        let info = updater.target_info(&fetcher, &mut store, path).unwrap().expect(path);
        assert_eq!(info.role, role);
        assert_eq!(updater.download_target(&fetcher, &info).unwrap(), body);
    }
    // Root rsassa-pss, timestamp ecdsa, snapshot ed25519, targets rsa-pkcs1v15: the checks
    // above exercised all four verifiers on python-made signatures.
    let schemes: std::collections::BTreeSet<String> =
        updater.root().keys.values().map(|k| k.to_json()["scheme"].as_str().unwrap().to_string()).collect();
    let expected = ["ecdsa-sha2-nistp256", "ed25519", "rsa-pkcs1v15-sha256", "rsassa-pss-sha256"];
    assert_eq!(schemes, expected.iter().map(|s| s.to_string()).collect());
}

/// A repository written with Faro's writer, as `faro publish` and `faro rotate-root` do.
struct FaroRepo {
    dir: tempfile::TempDir,
    warnings_keys: Vec<SigningKey>,
    targets_key: SigningKey,
    snapshot_key: SigningKey,
    timestamp_key: SigningKey,
}

fn setup(keys: &[&SigningKey], threshold: u64) -> RoleSetup {
    RoleSetup { keys: keys.iter().map(|k| k.public().clone()).collect(), threshold }
}

impl FaroRepo {
    fn new() -> FaroRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
        let old_root_key = SigningKey::generate(Scheme::Ed25519).unwrap();
        let new_root_keys =
            [SigningKey::generate(Scheme::EcdsaP256).unwrap(), SigningKey::generate(Scheme::Ed25519).unwrap()];
        let timestamp_key = SigningKey::generate(Scheme::Ed25519).unwrap();
        let snapshot_key = SigningKey::generate(Scheme::EcdsaP256).unwrap();
        let targets_key = SigningKey::generate(Scheme::Ed25519).unwrap();
        let warnings_keys =
            vec![SigningKey::generate(Scheme::Ed25519).unwrap(), SigningKey::generate(Scheme::EcdsaP256).unwrap()];
        let expires = Utc::now() + chrono::Duration::days(30);
        let roles = BTreeMap::from([
            ("root".to_string(), setup(&[&old_root_key], 1)),
            ("timestamp".to_string(), setup(&[&timestamp_key], 1)),
            ("snapshot".to_string(), setup(&[&snapshot_key], 1)),
            ("targets".to_string(), setup(&[&targets_key], 1)),
        ]);
        let root1 = Root::create(&roles, expires).unwrap();
        let root1_bytes = sign_metadata("root", &root1.to_signed_json(), &[&old_root_key]).unwrap();
        std::fs::write(dir.path().join("metadata/1.root.json"), root1_bytes).unwrap();
        // Rotate the root keys: version 2 needs 2 of the new keys, signed by old and new.
        let changes = BTreeMap::from([("root".to_string(), setup(&[&new_root_keys[0], &new_root_keys[1]], 2))]);
        let root2 = root1.rotate(&changes, expires).unwrap();
        let root2_bytes =
            sign_root_rotation(&root2, &[&old_root_key], &[&new_root_keys[0], &new_root_keys[1]]).unwrap();
        std::fs::write(dir.path().join("metadata/2.root.json"), root2_bytes).unwrap();
        FaroRepo { dir, warnings_keys, targets_key, snapshot_key, timestamp_key }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Publishes version `version` of every role; `warnings` is signed by `warning_signers`.
    fn publish(&self, version: u64, warning_signers: &[&SigningKey]) {
        let expires = Utc::now() + chrono::Duration::days(7);
        let write_meta =
            |name: String, bytes: &[u8]| std::fs::write(self.path().join("metadata").join(name), bytes).unwrap();
        let mut files = BTreeMap::new();
        for path in ["directory/mx", "warnings/mx"] {
            let body = format!("Faro wrote {path} v{version}\n").into_bytes();
            let file = target_file_for(&body, Some(serde_json::json!({"dataset_version": version})));
            let on_disk = self.path().join("targets").join(consistent_target_name(path, &file.hashes["sha256"]));
            std::fs::create_dir_all(on_disk.parent().unwrap()).unwrap();
            std::fs::write(on_disk, &body).unwrap();
            files.insert(path.to_string(), file);
        }
        let warnings_files = BTreeMap::from([("warnings/mx".to_string(), files.remove("warnings/mx").unwrap())]);
        let warnings = Targets::create(version, expires, warnings_files);
        let warnings_bytes = sign_metadata("warnings", &warnings.to_signed_json(), warning_signers).unwrap();
        write_meta(metadata_file_name("warnings", version, true), &warnings_bytes);

        let mut targets = Targets::create(version, expires, files);
        let role = DelegatedRole {
            name: "warnings".into(),
            keyids: self.warnings_keys.iter().map(|k| k.key_id().to_string()).collect(),
            threshold: 2,
            terminating: true,
            paths: Some(vec!["warnings/*".into()]),
            path_hash_prefixes: None,
        };
        let keys: Vec<_> = self.warnings_keys.iter().map(|k| k.public().clone()).collect();
        targets.delegations = Some(Delegations::create(&keys, vec![role]).unwrap());
        let targets_bytes = sign_metadata("targets", &targets.to_signed_json(), &[&self.targets_key]).unwrap();
        write_meta(metadata_file_name("targets", version, true), &targets_bytes);

        let meta = BTreeMap::from([
            ("targets.json".to_string(), meta_file_for(version, &targets_bytes)),
            ("warnings.json".to_string(), meta_file_for(version, &warnings_bytes)),
        ]);
        let snapshot = Snapshot::create(version, expires, meta);
        let snapshot_bytes = sign_metadata("snapshot", &snapshot.to_signed_json(), &[&self.snapshot_key]).unwrap();
        write_meta(metadata_file_name("snapshot", version, true), &snapshot_bytes);
        let timestamp = Timestamp::create(version, expires, version, &snapshot_bytes);
        let timestamp_bytes = sign_metadata("timestamp", &timestamp.to_signed_json(), &[&self.timestamp_key]).unwrap();
        write_meta(metadata_file_name("timestamp", version, true), &timestamp_bytes);
    }
}

/// `python3 -m http.server` on a free loopback port, stopped on drop.
struct HttpServer {
    child: Child,
    addr: SocketAddr,
}

impl HttpServer {
    fn serve(dir: &Path) -> HttpServer {
        let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let child = Command::new("python3")
            .args(["-m", "http.server", &addr.port().to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = HttpServer { child, addr };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "python3 -m http.server did not start on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_python_client(repo: &FaroRepo, server: &HttpServer, out: &Path) -> std::process::Output {
    Command::new("python3")
        .arg(helper("python_client.py"))
        .arg(repo.path().join("metadata/1.root.json"))
        .arg(server.url("metadata/"))
        .arg(server.url("targets/"))
        .arg(out)
        .args(["directory/mx", "warnings/mx"])
        .output()
        .unwrap()
}

#[test]
fn python_tuf_accepts_a_repository_written_by_faro() {
    if !python_tuf_available() {
        return;
    }
    let repo = FaroRepo::new();
    repo.publish(1, &[&repo.warnings_keys[0], &repo.warnings_keys[1]]);
    let server = HttpServer::serve(repo.path());
    let out = tempfile::tempdir().unwrap();
    let result = run_python_client(&repo, &server, out.path());
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "python-tuf refused Faro's repository: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.contains("root version 2"), "{stdout}");
    assert_eq!(std::fs::read(out.path().join("directory_mx")).unwrap(), b"Faro wrote directory/mx v1\n");
    assert_eq!(std::fs::read(out.path().join("warnings_mx")).unwrap(), b"Faro wrote warnings/mx v1\n");

    // Faro's own client agrees on the same files.
    let trust = tempfile::tempdir().unwrap();
    let mut store = DirTrustStore::open(trust.path()).unwrap();
    install_root(&mut store, &std::fs::read(repo.path().join("metadata/1.root.json")).unwrap()).unwrap();
    let fetcher = DirFetcher::for_repository(repo.path());
    let mut updater = Updater::load(&store, ExpiryPolicy::Enforce, Limits::default()).unwrap();
    assert_eq!(updater.refresh(&fetcher, &mut store, Utc::now()).unwrap().root_version, 2);
    let info = updater.target_info(&fetcher, &mut store, "warnings/mx").unwrap().unwrap();
    assert_eq!(updater.download_target(&fetcher, &info).unwrap(), b"Faro wrote warnings/mx v1\n");
}

#[test]
fn python_tuf_refuses_a_faro_warning_signed_by_one_key() {
    if !python_tuf_available() {
        return;
    }
    let repo = FaroRepo::new();
    repo.publish(1, &[&repo.warnings_keys[1]]);
    let server = HttpServer::serve(repo.path());
    let out = tempfile::tempdir().unwrap();
    let result = run_python_client(&repo, &server, out.path());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "python-tuf accepted a warning signed by 1 of 2 keys");
    assert!(stderr.contains("warnings was signed by 1/2 keys"), "{stderr}");
    assert!(!out.path().join("warnings_mx").exists());
}

/// (c) What `faro publish` writes — Faro's custom fields in target entries, deltas, the
/// warnings delegation, a rotated root — served by a real nginx, is refreshed and downloaded
/// by python-tuf's client, starting from the first root.
#[test]
fn python_tuf_accepts_what_faro_publish_writes() {
    use faro_core::publish::{publish, rotate_root, KeySet, PublishOptions};
    if !python_tuf_available() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    let (keys, keys2) = (KeySet::generate().unwrap(), KeySet::generate().unwrap());
    let demo = faro_tests::data_dir().join("demo");
    let inputs = ["listings.jsonl", "rights.jsonl", "warnings.jsonl"].map(|f| demo.join(f));
    publish(&keys, &repo, &inputs, &PublishOptions::default()).unwrap();
    let text = std::fs::read_to_string(&inputs[0]).unwrap();
    let fewer = work.path().join("listings.jsonl");
    std::fs::write(&fewer, text.lines().take(40).collect::<Vec<_>>().join("\n")).unwrap();
    rotate_root(&keys, &keys2, &repo, &PublishOptions::default()).unwrap();
    publish(&keys2, &repo, &[fewer], &PublishOptions::default()).unwrap();
    let Some(nginx) = faro_tests::support::nginx::Nginx::serve(&repo) else { return };

    let out = tempfile::tempdir().unwrap();
    let result = Command::new("python3")
        .arg(helper("python_client.py"))
        .arg(repo.join("metadata/1.root.json"))
        .arg(nginx.url("metadata"))
        .arg(nginx.url("targets"))
        .arg(out.path())
        .args([
            "demo/route.jsonl.zst",
            "demo/route.from-1.jsonl.zst",
            "rights/all.jsonl.zst",
            "warnings/demo.jsonl.zst",
        ])
        .output()
        .unwrap();
    assert!(result.status.success(), "python-tuf refused: {}", String::from_utf8_lossy(&result.stderr));
    assert!(String::from_utf8_lossy(&result.stdout).contains("root version 2"));
    let snapshot = std::fs::read(out.path().join("demo_route.jsonl.zst")).unwrap();
    let text = faro_core::compress::decompress_to_vec(&snapshot, 1 << 30).unwrap();
    // The header and the 39 records kept.
    assert_eq!(String::from_utf8(text).unwrap().lines().count(), 40);
}
