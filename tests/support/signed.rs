//! Signed data for the tests that need what only signed data gives (OFFICIAL, a name
//! match, a lookalike of an official name): input files published with fresh keys by
//! `faro_core::publish`, served from loopback by the [`FaultServer`] and synced, verified,
//! into a store, as a phone gets them. A local import never gives those verdicts, whatever
//! its records say (`docs/security.md`, section 1).

use std::ops::Deref;
use std::path::{Path, PathBuf};

use faro_core::publish::{publish, PublishOptions};
use faro_core::Store;

use super::fault_server::FaultServer;
use super::sync_repo::{serve_repo, Phone, Repo};

/// A publisher's repository served on loopback, and a phone's store that trusts it.
/// Derefs to the phone's [`Store`].
pub struct Signed {
    repo: Repo,
    server: FaultServer,
    phone: Phone,
}

impl Signed {
    /// Publishes `inputs` (files in the import format) into a new repository and syncs their
    /// datasets into a new store at `db` that trusts the repository's first root.
    pub fn new(db: &Path, inputs: &[PathBuf]) -> Signed {
        let repo = Repo::new();
        publish(&repo.keys, &repo.dir, inputs, &PublishOptions::default()).expect("publish");
        let server = FaultServer::start();
        let phone = Phone::new(db, &repo.metadata("1.root.json"));
        let signed = Signed { repo, server, phone };
        signed.sync(inputs);
        signed
    }

    /// Publishes `inputs` again (new or changed datasets) and syncs their datasets.
    pub fn publish(&self, inputs: &[PathBuf]) {
        publish(&self.repo.keys, &self.repo.dir, inputs, &PublishOptions::default()).expect("publish");
        self.sync(inputs);
    }

    /// Writes `text` (a file in the import format) in the scratch folder as `name`, then
    /// publishes and syncs it.
    pub fn publish_text(&self, name: &str, text: &str) {
        let path = self.repo.work().join(name);
        std::fs::write(&path, text).expect("write input");
        self.publish(&[path]);
    }

    fn sync(&self, inputs: &[PathBuf]) {
        serve_repo(&self.server, &self.repo.dir);
        let datasets: Vec<String> = inputs.iter().map(|p| dataset_of(p)).collect();
        let names: Vec<&str> = datasets.iter().map(String::as_str).collect();
        self.phone.sync(&self.server.url(""), &names).expect("verified sync");
    }
}

impl Deref for Signed {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.phone.store
    }
}

/// The dataset an input file names in its header line.
fn dataset_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read input");
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default()).expect("header");
    header["dataset"].as_str().expect("a dataset name").to_string()
}
