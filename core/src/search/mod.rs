//! Offline queries (being written).
