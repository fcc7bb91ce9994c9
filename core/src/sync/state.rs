//! The state hash: one SHA-256 over every record of a dataset, so that after applying a
//! delta the client can prove it holds exactly what the publisher signed.
//!
//! Definition (also in `docs/sync.md`): records sorted by id (bytewise); for each,
//! `u32 big-endian length of id || id bytes || SHA-256(record text)`; the state hash is the
//! SHA-256 of that sequence, written as lower-case hex. The record text is the record as the
//! store keeps it, which is the canonical serialization publishers write.

use ring::digest::{Context, SHA256};

/// Accumulates records, in id order, into a state hash.
pub struct StateHasher {
    ctx: Context,
    records: u64,
    /// The previous record's id (empty before the first): one buffer, reused.
    last_id: String,
    out_of_order: bool,
}

impl Default for StateHasher {
    fn default() -> Self {
        StateHasher { ctx: Context::new(&SHA256), records: 0, last_id: String::new(), out_of_order: false }
    }
}

impl StateHasher {
    /// An empty hasher.
    pub fn new() -> StateHasher {
        StateHasher::default()
    }

    /// Adds one record; ids must come in strictly increasing bytewise order.
    pub fn add(&mut self, id: &str, record: &[u8]) {
        if self.records > 0 && self.last_id.as_bytes() >= id.as_bytes() {
            self.out_of_order = true;
        }
        self.last_id.clear();
        self.last_id.push_str(id);
        self.ctx.update(&(id.len() as u32).to_be_bytes());
        self.ctx.update(id.as_bytes());
        self.ctx.update(ring::digest::digest(&SHA256, record).as_ref());
        self.records += 1;
    }

    /// The record count and the hex state hash, or `None` if ids came out of order
    /// (a caller bug, never a data problem: callers sort).
    pub fn finish(self) -> Option<(u64, String)> {
        if self.out_of_order {
            return None;
        }
        Some((self.records, hex(self.ctx.finish().as_ref())))
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&SHA256, bytes).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_state_is_the_hash_of_nothing() {
        let (n, h) = StateHasher::new().finish().unwrap();
        assert_eq!(n, 0);
        assert_eq!(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn any_change_changes_the_hash() {
        let state = |recs: &[(&str, &str)]| {
            let mut h = StateHasher::new();
            for (id, r) in recs {
                h.add(id, r.as_bytes());
            }
            h.finish().unwrap().1
        };
        let base = state(&[("a", "{1}"), ("b", "{2}")]);
        assert_ne!(base, state(&[("a", "{1}"), ("b", "{3}")]));
        assert_ne!(base, state(&[("a", "{1}")]));
        // Moving bytes between the id and the record must not collide.
        assert_ne!(state(&[("ab", "c")]), state(&[("a", "bc")]));
        assert_eq!(base, state(&[("a", "{1}"), ("b", "{2}")]));
    }

    #[test]
    fn out_of_order_ids_are_refused() {
        let mut h = StateHasher::new();
        h.add("b", b"x");
        h.add("a", b"y");
        assert!(h.finish().is_none());
    }
}
