//! "Is this contact real?": reads a phone number, link, e-mail or handle the way people
//! write it ([`normalize`]), and compares it with the verified directory and the active
//! warnings ([`Store::check_contact`](crate::store::Store::check_contact)), including
//! addresses and handles that imitate official ones ([`lookalike`]).
//!
//! The answer is never "safe": a contact found nowhere is `unknown`, "not verified".
//! See `docs/adr/0010-contact-checks.md` for the rules.

mod check;
pub mod index;
pub mod lookalike;
mod names;
pub mod normalize;
pub mod phone;
pub mod scope;

pub use check::{ContactCheck, ContactMatch, MatchSource, Relation, Verdict};
pub use normalize::{normalize, Contact, ContactKind};
