//! Python's `http.server` serving a folder on a free loopback port: a real static server
//! that knows only `Last-Modified` (whole seconds) and `If-Modified-Since`, no `ETag`, like
//! many simple hosts. Killed when dropped; its request log is kept.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::nginx::free_port;

/// A running `python3 -m http.server`.
pub struct PythonHttp {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl PythonHttp {
    /// Serves `root`; panics if python3 is missing or the server does not start.
    pub fn serve(root: &Path) -> PythonHttp {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let port = free_port();
        let child = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(root)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log"))
            .spawn()
            .expect("python3 is needed (Debian's python3)");
        let mut server = PythonHttp { child, port, log };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", server.port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("python3 -m http.server exited with {status}: {}", server.log());
            }
            assert!(start.elapsed() < Duration::from_secs(10), "python3 -m http.server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// `http://127.0.0.1:PORT/` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, path.trim_start_matches('/'))
    }

    /// The request log so far (`"GET /path HTTP/1.1" 304 -` lines).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for PythonHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
