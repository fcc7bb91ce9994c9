//! Importing files into listings.

pub mod missions;
