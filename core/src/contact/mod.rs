//! "Is this contact real?": reads a phone number, link, e-mail or handle the way people
//! write it ([`normalize`]), and compares it with the verified directory and the active
//! warnings ([`Store::check_contact`](crate::store::Store::check_contact)), including
//! addresses and handles that imitate official ones ([`lookalike`]).
//!
//! This module is the pure reading of contacts (normalizing, phone numbers, lookalikes, the
//! string forms of official names and their table, a site's scope) and the verdict's types
//! (`contact::check`): it depends on no other layer than `country`, so `model`, `warnings`
//! and `store` can read contacts with it. The query itself and the contact index kept with the listings are in
//! the store (`store::contact_check`, `store::contacts`), above it (one-way layers, issue 13).
//!
//! The answer is never "safe": a contact found nowhere is `unknown`, "not verified".
//! See `docs/adr/0010-contact-checks.md` for the rules.

pub(crate) mod check;
pub mod lookalike;
pub(crate) mod names;
pub mod normalize;
pub mod phone;
pub mod scope;

pub use check::{ContactCheck, ContactMatch, MatchSource, Relation, Verdict};
pub use normalize::{normalize, Contact, ContactKind};
