//! The pinned `warnings` delegation. The delegation lives in the top-level targets
//! metadata, which the ONLINE targets key signs; without a pin, whoever stole that key could
//! re-delegate `warnings` to keys of their own and publish forged warnings. So the first
//! accepted delegation (key ids, threshold, public keys) is recorded with the trusted root
//! version, and a later targets metadata may change it only after a root rotation (signed
//! by the offline root key, the publisher's authority over the warnings keys).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entry::WARNINGS_ROLE;
use super::status::{get_meta, set_meta};
use super::SyncError;
use crate::error::Result;
use crate::tuf::metadata::Envelope;

/// `meta` key of the pin (JSON of [`Pin`]).
const WARNINGS_PIN: &str = "sync.warnings_pin";

/// What is pinned: the delegation's keys (by id, as signed) and threshold, and the root
/// version trusted when it was pinned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pin {
    root_version: u64,
    threshold: u64,
    keys: std::collections::BTreeMap<String, Value>,
}

/// The `warnings` delegation of the top-level targets metadata `targets` (already
/// verified); no keys and threshold 0 when it delegates no `warnings` role (pinned too: a
/// Faro publisher always delegates it, so one appearing later needs a root rotation).
fn delegation(targets: &[u8], root_version: u64) -> Result<Pin> {
    let env = Envelope::parse("targets", targets)?;
    let delegations = env.signed.get("delegations");
    let role = delegations
        .and_then(|d| d.get("roles"))
        .and_then(Value::as_array)
        .and_then(|roles| roles.iter().find(|r| r.get("name").and_then(Value::as_str) == Some(WARNINGS_ROLE)));
    let Some(role) = role else {
        return Ok(Pin { root_version, threshold: 0, keys: Default::default() });
    };
    let all_keys = delegations.and_then(|d| d.get("keys"));
    let keys = role
        .get("keyids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|id| (id.to_string(), all_keys.and_then(|k| k.get(id)).cloned().unwrap_or(Value::Null)))
        .collect();
    let threshold = role.get("threshold").and_then(Value::as_u64).unwrap_or(0);
    Ok(Pin { root_version, threshold, keys })
}

/// Checks the `warnings` delegation of the verified top-level `targets` against the pin
/// held in `conn` (the first time, the targets held here if any is the pin), under the
/// trusted root version `root_version`. Refused with [`SyncError::WarningsKeysChanged`]
/// when it has other key ids, other public keys, a lower threshold or no `warnings`
/// delegation, unless the root version rose since the pin. On success `targets`'
/// delegation is the new pin. Writes only through `conn` (the caller's transaction).
pub(crate) fn check_warnings_pin(conn: &Connection, targets: &[u8], root_version: u64) -> Result<()> {
    let pinned = match get_meta(conn, WARNINGS_PIN)?.and_then(|s| serde_json::from_str::<Pin>(&s).ok()) {
        Some(pin) => Some(pin),
        // A database from before the pin: what it holds was accepted then.
        None => match super::trust::load_role(conn, "targets")? {
            Some(held) => Some(delegation(&held, root_version)?),
            None => None,
        },
    };
    let offered = delegation(targets, root_version)?;
    if let Some(pin) = pinned.filter(|p| p.root_version >= root_version) {
        if offered.keys != pin.keys || offered.threshold < pin.threshold {
            return Err(SyncError::WarningsKeysChanged {
                offered: describe(&offered),
                pinned: describe(&pin),
                root_version,
            }
            .into());
        }
    }
    set_meta(conn, WARNINGS_PIN, &serde_json::to_string(&offered).unwrap_or_default())
}

fn describe(pin: &Pin) -> String {
    match pin.keys.len() {
        0 => "no warnings delegation".into(),
        n => format!("{n} key(s) with threshold {}", pin.threshold),
    }
}
