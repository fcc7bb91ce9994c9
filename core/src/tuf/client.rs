//! The TUF client workflow (specification 1.0.x, §5) as a state machine that knows
//! nothing of transport or storage: metadata comes from a [`Fetcher`], trusted metadata
//! lives in a [`TrustStore`], and the current time is an input.
//!
//! Order and rules follow the specification and python-tuf's `TrustedMetadataSet`:
//! root chain (§5.3) -> timestamp (§5.4) -> snapshot (§5.5) -> targets and delegated
//! targets (§5.6), each file size-capped, verified before it is stored, and stored only
//! once every rule for it passed.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use super::error::{TufError, TufResult};
use super::metadata::{Envelope, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp};
use super::paths::role_covers;
use super::store::{role_file_name, FetchError, Fetcher, TrustStore};
use super::verify::{check_size, verify_length_and_hashes};

/// What to do with expired metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryPolicy {
    /// Normal sync: expired metadata is an error naming the role and its expiry.
    Enforce,
    /// Offline bundles: everything else is verified exactly the same, but expired roles
    /// are accepted and listed in [`RefreshReport::expired`], so the caller can mark the
    /// data "not confirmed since <date>".
    ReportExpired,
}

/// Caps on the walk and on every file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most new root versions accepted in one refresh.
    pub max_root_rotations: u32,
    /// Most roles visited while looking for one target.
    pub max_delegations: usize,
    /// Largest `N.root.json` accepted.
    pub root_max: u64,
    /// Largest `timestamp.json` accepted.
    pub timestamp_max: u64,
    /// Largest snapshot accepted when the timestamp lists no length.
    pub snapshot_max: u64,
    /// Largest targets metadata accepted when the snapshot lists no length.
    pub targets_max: u64,
}

impl Default for Limits {
    /// python-tuf's defaults.
    fn default() -> Limits {
        Limits {
            max_root_rotations: 256,
            max_delegations: 32,
            root_max: 512_000,
            timestamp_max: 16_384,
            snapshot_max: 2_000_000,
            targets_max: 5_000_000,
        }
    }
}

/// A role accepted although expired (only under [`ExpiryPolicy::ReportExpired`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredRole {
    /// Role name.
    pub role: String,
    /// Its `expires`.
    pub expired_at: DateTime<Utc>,
}

/// What a refresh established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    /// Version of the trusted root now.
    pub root_version: u64,
    /// New root versions accepted in this refresh.
    pub root_rotations: u32,
    /// Version of the trusted timestamp.
    pub timestamp_version: u64,
    /// Version of the trusted snapshot.
    pub snapshot_version: u64,
    /// Version of the trusted top-level targets.
    pub targets_version: u64,
    /// The trusted timestamp's `expires`. TUF metadata carries no signed issue time, so
    /// this is the newest signed time a refresh can offer; it is *after* the signing time
    /// by the timestamp's lifetime, so a caller that raises its trusted clock from it must
    /// subtract that lifetime (Faro's publisher knows it) rather than use it as "now".
    pub timestamp_expires: DateTime<Utc>,
    /// Roles accepted although expired (always empty under [`ExpiryPolicy::Enforce`]).
    pub expired: Vec<ExpiredRole>,
}

/// Where a target was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    /// Target path as listed.
    pub path: String,
    /// Role that listed it.
    pub role: String,
    /// Role that delegated `role` (`root` for the top-level targets): a role name is only
    /// meaningful together with who delegated it.
    pub delegator: String,
    /// Length, hashes and custom data.
    pub file: TargetFile,
}

/// Installs the initial trusted root (as an app ships it; no trust on first use). The root
/// must be signed by a threshold of its own root keys; its expiry is not checked (a refresh
/// will rotate past it). Refuses to replace a newer trusted root. On success the other
/// trusted roles are forgotten, since they were verified under another root.
pub fn install_root(store: &mut dyn TrustStore, root_bytes: &[u8]) -> TufResult<Root> {
    let root = verify_self_signed_root(root_bytes)?;
    if let Some(current) = store.load("root")? {
        if let Ok(current) = verify_self_signed_root(&current) {
            if current.common.version > root.common.version {
                return Err(TufError::Rollback {
                    role: "root".into(),
                    trusted: current.common.version,
                    offered: root.common.version,
                    expectation: "at least the trusted version".into(),
                });
            }
        }
    }
    for role in ["timestamp", "snapshot", "targets"] {
        store.remove(role)?;
    }
    store.store("root", root_bytes)?;
    Ok(root)
}

fn verify_self_signed_root(bytes: &[u8]) -> TufResult<Root> {
    let env = Envelope::parse("root", bytes)?;
    let root = Root::from_envelope(&env)?;
    root.verify("root", &env)?;
    Ok(root)
}

/// The client: trusted metadata and the refresh workflow.
#[derive(Debug)]
pub struct Updater {
    root: Root,
    timestamp: Option<Timestamp>,
    snapshot: Option<Snapshot>,
    /// Verified targets roles, by (delegator, role): a role delegated by two parents is
    /// verified against each.
    targets: BTreeMap<(String, String), Targets>,
    policy: ExpiryPolicy,
    limits: Limits,
    now: DateTime<Utc>,
    expired: Vec<ExpiredRole>,
}

impl Updater {
    /// Loads the trusted root from `store` (installed with [`install_root`]).
    pub fn load(store: &dyn TrustStore, policy: ExpiryPolicy, limits: Limits) -> TufResult<Updater> {
        let bytes = store.load("root")?.ok_or_else(|| {
            TufError::State("no trusted root is installed; install the root the app ships first".into())
        })?;
        let root = verify_self_signed_root(&bytes)?;
        Ok(Updater {
            root,
            timestamp: None,
            snapshot: None,
            targets: BTreeMap::new(),
            policy,
            limits,
            now: DateTime::<Utc>::MIN_UTC,
            expired: Vec::new(),
        })
    }

    /// The trusted root.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Runs §5.3 to §5.6 for the top-level roles at time `now`: updates the root chain,
    /// then timestamp, snapshot and top-level targets, storing each file once it verified.
    /// Delegated roles are loaded later, by [`Updater::target_info`].
    pub fn refresh(
        &mut self,
        fetcher: &dyn Fetcher,
        store: &mut dyn TrustStore,
        now: DateTime<Utc>,
    ) -> TufResult<RefreshReport> {
        self.now = now;
        self.timestamp = None;
        self.snapshot = None;
        self.targets.clear();
        self.expired.clear();
        let root_rotations = self.update_root(fetcher, store)?;
        self.check_expiry("root", self.root.common.expires)?;
        self.update_timestamp(fetcher, store)?;
        self.update_snapshot(fetcher, store)?;
        let targets_version = self.load_targets(fetcher, store, "targets", "root")?.common.version;
        let timestamp = self.timestamp.as_ref().expect("set by update_timestamp");
        Ok(RefreshReport {
            root_version: self.root.common.version,
            root_rotations,
            timestamp_version: timestamp.common.version,
            snapshot_version: self.snapshot.as_ref().expect("set by update_snapshot").common.version,
            targets_version,
            timestamp_expires: timestamp.common.expires,
            expired: self.expired.clone(),
        })
    }

    /// Roles accepted although expired so far (delegated roles included).
    pub fn expired(&self) -> &[ExpiredRole] {
        &self.expired
    }

    /// §5.3: fetch `N+1.root.json` until the repository has none.
    fn update_root(&mut self, fetcher: &dyn Fetcher, store: &mut dyn TrustStore) -> TufResult<u32> {
        let mut rotations = 0;
        while rotations < self.limits.max_root_rotations {
            let next = self.root.common.version + 1;
            let name = format!("{next}.root.json");
            let bytes = match fetcher.fetch_metadata(&name, self.limits.root_max) {
                Ok(bytes) => bytes,
                Err(FetchError::NotFound) => break,
                Err(FetchError::Other(reason)) => return Err(TufError::Fetch { file: name, reason }),
            };
            check_size(&name, &bytes, self.limits.root_max)?;
            let env = Envelope::parse(&name, &bytes)?;
            // Signed by a threshold of the trusted root's root keys...
            self.root.verify("root", &env)?;
            let new_root = Root::from_envelope(&env)?;
            if new_root.common.version != next {
                return Err(TufError::Rollback {
                    role: "root".into(),
                    trusted: self.root.common.version,
                    offered: new_root.common.version,
                    expectation: format!("exactly {next}"),
                });
            }
            // ... and by a threshold of its own.
            new_root.verify("root", &env)?;
            // §5.3.11 fast-forward recovery: versions signed by rotated-out keys are not
            // trusted as a floor for rollback checks any more.
            if keys_rotated(&self.root, &new_root, "timestamp") || keys_rotated(&self.root, &new_root, "snapshot") {
                store.remove("timestamp")?;
                store.remove("snapshot")?;
            }
            store.store("root", &bytes)?;
            self.root = new_root;
            rotations += 1;
        }
        Ok(rotations)
    }

    /// §5.4.
    fn update_timestamp(&mut self, fetcher: &dyn Fetcher, store: &mut dyn TrustStore) -> TufResult<()> {
        // The stored timestamp is the floor for rollback checks; one that no longer
        // verifies under the current root (keys rotated, file damaged) is ignored.
        let trusted = store.load("timestamp")?.and_then(|bytes| self.verify_timestamp("timestamp", &bytes).ok());
        let name = "timestamp.json";
        let bytes = fetch(fetcher, name, self.limits.timestamp_max)?;
        check_size(name, &bytes, self.limits.timestamp_max)?;
        let new = self.verify_timestamp(name, &bytes)?;
        let accepted = match trusted {
            Some(old) if new.common.version < old.common.version => {
                return Err(TufError::Rollback {
                    role: "timestamp".into(),
                    trusted: old.common.version,
                    offered: new.common.version,
                    expectation: "at least the trusted version".into(),
                });
            }
            // Same version: keep the trusted copy, nothing to store.
            Some(old) if new.common.version == old.common.version => old,
            Some(old) if new.snapshot.version < old.snapshot.version => {
                return Err(TufError::Rollback {
                    role: "snapshot".into(),
                    trusted: old.snapshot.version,
                    offered: new.snapshot.version,
                    expectation: "at least the version the trusted timestamp lists".into(),
                });
            }
            _ => {
                self.check_expiry("timestamp", new.common.expires)?;
                store.store("timestamp", &bytes)?;
                self.timestamp = Some(new);
                return Ok(());
            }
        };
        self.check_expiry("timestamp", accepted.common.expires)?;
        self.timestamp = Some(accepted);
        Ok(())
    }

    fn verify_timestamp(&self, file: &str, bytes: &[u8]) -> TufResult<Timestamp> {
        let env = Envelope::parse(file, bytes)?;
        self.root.verify("timestamp", &env)?;
        Timestamp::from_envelope(&env)
    }

    fn verify_snapshot(&self, file: &str, bytes: &[u8]) -> TufResult<Snapshot> {
        let env = Envelope::parse(file, bytes)?;
        self.root.verify("snapshot", &env)?;
        Snapshot::from_envelope(&env)
    }

    /// §5.5.
    fn update_snapshot(&mut self, fetcher: &dyn Fetcher, store: &mut dyn TrustStore) -> TufResult<()> {
        let meta = self.timestamp.as_ref().expect("timestamp before snapshot").snapshot.clone();
        let trusted = store.load("snapshot")?.and_then(|bytes| self.verify_snapshot("snapshot", &bytes).ok());
        // A stored snapshot that is exactly the one the timestamp lists needs no download.
        if let Some(old) = &trusted {
            if old.common.version == meta.version
                && (self.policy == ExpiryPolicy::ReportExpired || !old.common.is_expired(self.now))
            {
                self.check_expiry("snapshot", old.common.expires)?;
                self.snapshot = trusted;
                return Ok(());
            }
        }
        let name = if self.root.consistent_snapshot {
            format!("{}.snapshot.json", meta.version)
        } else {
            "snapshot.json".to_string()
        };
        let max = meta.length.unwrap_or(self.limits.snapshot_max);
        let bytes = fetch(fetcher, &name, max)?;
        check_size(&name, &bytes, max)?;
        verify_length_and_hashes(&name, &bytes, meta.length, meta.hashes.as_ref())?;
        let new = self.verify_snapshot(&name, &bytes)?;
        if let Some(old) = &trusted {
            check_no_targets_rollback(old, &new)?;
        }
        if new.common.version != meta.version {
            return Err(TufError::MixAndMatch {
                role: "snapshot".into(),
                listed_by: "timestamp".into(),
                expected: meta.version,
                got: new.common.version,
            });
        }
        self.check_expiry("snapshot", new.common.expires)?;
        store.store("snapshot", &bytes)?;
        self.snapshot = Some(new);
        Ok(())
    }

    /// §5.6: loads (from the store if still current, else from the repository) the targets
    /// role `role` delegated by `delegator` (`root` for the top-level targets).
    fn load_targets(
        &mut self,
        fetcher: &dyn Fetcher,
        store: &mut dyn TrustStore,
        role: &str,
        delegator: &str,
    ) -> TufResult<&Targets> {
        let cache_key = (delegator.to_string(), role.to_string());
        if !self.targets.contains_key(&cache_key) {
            let file = format!("{role}.json");
            let snapshot =
                self.snapshot.as_ref().ok_or_else(|| TufError::State("refresh before looking up targets".into()))?;
            let meta = snapshot
                .meta
                .get(&file)
                .cloned()
                .ok_or_else(|| TufError::NotFound(format!("{file} (the trusted snapshot does not list it)")))?;
            let local = store.load(role)?.and_then(|bytes| self.verify_targets(role, delegator, &bytes, &meta).ok());
            let targets = match local {
                Some(targets) => targets,
                None => {
                    let quoted = role_file_name(role);
                    let name =
                        if self.root.consistent_snapshot { format!("{}.{quoted}", meta.version) } else { quoted };
                    let max = meta.length.unwrap_or(self.limits.targets_max);
                    let bytes = fetch(fetcher, &name, max)?;
                    check_size(&name, &bytes, max)?;
                    let targets = self.verify_targets(role, delegator, &bytes, &meta)?;
                    store.store(role, &bytes)?;
                    targets
                }
            };
            self.targets.insert(cache_key.clone(), targets);
        }
        Ok(&self.targets[&cache_key])
    }

    /// Every §5.6 check of one targets file except where it came from.
    fn verify_targets(&mut self, role: &str, delegator: &str, bytes: &[u8], meta: &MetaFile) -> TufResult<Targets> {
        let file = format!("{role}.json");
        verify_length_and_hashes(&file, bytes, meta.length, meta.hashes.as_ref())?;
        let env = Envelope::parse(&file, bytes)?;
        if delegator == "root" {
            self.root.verify("targets", &env)?;
        } else {
            let parent = self
                .targets
                .iter()
                .find(|((_, name), _)| name == delegator)
                .map(|(_, t)| t)
                .ok_or_else(|| TufError::State(format!("{delegator} must be loaded before {role}")))?;
            let child = parent
                .delegations
                .as_ref()
                .and_then(|d| d.roles.iter().find(|r| r.name == role))
                .ok_or_else(|| TufError::bad(role, format!("{delegator} does not delegate to it")))?;
            parent.verify_delegate(child, &env)?;
        }
        let targets = Targets::from_envelope(role, &env)?;
        if targets.common.version != meta.version {
            return Err(TufError::MixAndMatch {
                role: role.into(),
                listed_by: "snapshot".into(),
                expected: meta.version,
                got: targets.common.version,
            });
        }
        self.check_expiry(role, targets.common.expires)?;
        Ok(targets)
    }

    /// Finds the trusted entry for `target_path`: a pre-order depth-first walk of the
    /// delegation graph from the top-level targets, in listed order, honouring terminating
    /// delegations, visiting each role once and at most `max_delegations` roles. `None`
    /// when no trusted role lists the path.
    pub fn target_info(
        &mut self,
        fetcher: &dyn Fetcher,
        store: &mut dyn TrustStore,
        target_path: &str,
    ) -> TufResult<Option<TargetInfo>> {
        let mut to_visit = vec![("targets".to_string(), "root".to_string())];
        let mut visited = HashSet::new();
        while visited.len() <= self.limits.max_delegations {
            let Some((role, parent)) = to_visit.pop() else { break };
            if visited.contains(&role) {
                continue;
            }
            let targets = self.load_targets(fetcher, store, &role, &parent)?;
            if let Some(file) = targets.targets.get(target_path) {
                return Ok(Some(TargetInfo {
                    path: target_path.to_string(),
                    role,
                    delegator: parent,
                    file: file.clone(),
                }));
            }
            let mut children: Vec<(String, String)> = Vec::new();
            let mut terminated = false;
            for child in targets.delegations.iter().flat_map(|d| &d.roles) {
                if role_covers(child, target_path) {
                    children.push((child.name.clone(), role.clone()));
                    if child.terminating {
                        terminated = true;
                        break;
                    }
                }
            }
            visited.insert(role);
            if terminated {
                to_visit.clear();
            }
            to_visit.extend(children.into_iter().rev());
        }
        Ok(None)
    }

    /// Every target path listed by a trusted targets role reachable from the top-level
    /// targets (each role verified as [`Updater::target_info`] verifies it, at most
    /// `max_delegations` roles), sorted and without repeats. A path listed here is only a
    /// candidate: which entry is THE trusted one, and whether the role listing it may list
    /// it at all, is [`Updater::target_info`]'s answer, so callers resolve each path there.
    pub fn target_paths(&mut self, fetcher: &dyn Fetcher, store: &mut dyn TrustStore) -> TufResult<Vec<String>> {
        let mut to_visit = vec![("targets".to_string(), "root".to_string())];
        let mut visited = HashSet::new();
        let mut paths = std::collections::BTreeSet::new();
        while visited.len() <= self.limits.max_delegations {
            let Some((role, parent)) = to_visit.pop() else { break };
            if !visited.insert((role.clone(), parent.clone())) {
                continue;
            }
            let targets = self.load_targets(fetcher, store, &role, &parent)?;
            paths.extend(targets.targets.keys().cloned());
            let children: Vec<_> = targets.delegations.iter().flat_map(|d| &d.roles).map(|c| c.name.clone()).collect();
            to_visit.extend(children.into_iter().rev().map(|child| (child, role.clone())));
        }
        Ok(paths.into_iter().collect())
    }

    /// Fetches the target described by `info` (as `<dir>/<sha256>.<name>` under consistent
    /// snapshots) and verifies its length and every listed hash.
    pub fn download_target(&self, fetcher: &dyn Fetcher, info: &TargetInfo) -> TufResult<Vec<u8>> {
        let name = self.target_download_name(info);
        let bytes = match fetcher.fetch_target(&name, info.file.length) {
            Ok(bytes) => bytes,
            Err(FetchError::NotFound) => return Err(TufError::NotFound(name)),
            Err(FetchError::Other(reason)) => return Err(TufError::Fetch { file: name, reason }),
        };
        check_size(&info.path, &bytes, info.file.length)?;
        verify_target(info, &bytes)?;
        Ok(bytes)
    }

    /// The repository path to download `info` from.
    pub fn target_download_name(&self, info: &TargetInfo) -> String {
        if !self.root.consistent_snapshot {
            return info.path.clone();
        }
        let hashes = &info.file.hashes;
        let hash = hashes.get("sha256").or_else(|| hashes.values().next()).expect("targets list at least one hash");
        super::writer::consistent_target_name(&info.path, hash)
    }

    fn check_expiry(&mut self, role: &str, expires: DateTime<Utc>) -> TufResult<()> {
        if self.now < expires {
            return Ok(());
        }
        match self.policy {
            ExpiryPolicy::Enforce => Err(TufError::Expired { role: role.to_string(), since: expires }),
            ExpiryPolicy::ReportExpired => {
                if !self.expired.iter().any(|e| e.role == role) {
                    self.expired.push(ExpiredRole { role: role.to_string(), expired_at: expires });
                }
                Ok(())
            }
        }
    }
}

/// Verifies `bytes` against the target entry: exact length and every listed hash.
pub fn verify_target(info: &TargetInfo, bytes: &[u8]) -> TufResult<()> {
    verify_length_and_hashes(&info.path, bytes, Some(info.file.length), Some(&info.file.hashes))
}

fn fetch(fetcher: &dyn Fetcher, name: &str, max: u64) -> TufResult<Vec<u8>> {
    match fetcher.fetch_metadata(name, max) {
        Ok(bytes) => Ok(bytes),
        Err(FetchError::NotFound) => Err(TufError::NotFound(name.to_string())),
        Err(FetchError::Other(reason)) => Err(TufError::Fetch { file: name.to_string(), reason }),
    }
}

fn keys_rotated(old: &Root, new: &Root, role: &str) -> bool {
    let ids = |r: &Root| r.role(role).keyids.iter().cloned().collect::<HashSet<_>>();
    ids(old) != ids(new)
}

/// §5.5.5: no targets metadata listed by the trusted snapshot may vanish or go back.
fn check_no_targets_rollback(old: &Snapshot, new: &Snapshot) -> TufResult<()> {
    for (file, old_meta) in &old.meta {
        let Some(new_meta) = new.meta.get(file) else {
            return Err(TufError::bad(
                "snapshot",
                format!("no longer lists {file} (version {} is trusted); possible rollback", old_meta.version),
            ));
        };
        if new_meta.version < old_meta.version {
            return Err(TufError::Rollback {
                role: file.trim_end_matches(".json").to_string(),
                trusted: old_meta.version,
                offered: new_meta.version,
                expectation: "at least the trusted version".into(),
            });
        }
    }
    Ok(())
}
