//! The local SQLite store (being written).
