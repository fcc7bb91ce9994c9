//! Servers for network tests: a fault-injecting HTTP/1.1 server and a real nginx.

pub mod fault_server;
pub mod nginx;
