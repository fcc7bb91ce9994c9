//! Servers for network tests: a fault-injecting HTTP/1.1 server and a real nginx; and
//! repositories and phones for the sync tests.

pub mod fault_server;
pub mod nginx;
pub mod sync_repo;
