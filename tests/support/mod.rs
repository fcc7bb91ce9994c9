//! Servers for network tests: a fault-injecting HTTP/1.1 server, a real nginx and Python's
//! `http.server` (dates only, no ETag); and
//! repositories and phones for the sync tests, and signed data synced into a store.

pub mod fault_server;
pub mod nginx;
pub mod python_http;
pub mod signed;
pub mod sync_repo;
