//! A real nginx (Debian's `nginx-light`) serving a folder on a free loopback port, for tests
//! that need a production web server: ETags, `If-None-Match`, `Range`, `If-Range`, 404s.
//!
//! Runs in the foreground (`daemon off`) as the current user, with its pid file, logs and temp
//! folders in a temporary directory; killed when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian installs nginx.
pub const NGINX: &str = "/usr/sbin/nginx";

/// A running nginx.
pub struct Nginx {
    child: Child,
    port: u16,
    prefix: tempfile::TempDir,
}

impl Nginx {
    /// Starts nginx serving `root`, or returns `None` (after a loud message) when nginx is not
    /// installed. Panics with nginx's error log if it is installed but does not start.
    pub fn serve(root: &Path) -> Option<Nginx> {
        if !Path::new(NGINX).exists() {
            eprintln!(
                "\n*** SKIPPED: {NGINX} not found; install it with `apt-get install -y nginx-light` (CI does) ***\n"
            );
            return None;
        }
        let root = root.canonicalize().expect("served folder exists");
        let mut last_log = String::new();
        // The port is picked by binding and releasing it; another process may grab it in
        // between, so try a few times.
        for _ in 0..5 {
            let prefix = tempfile::tempdir().expect("temp dir");
            let port = free_port();
            let conf = prefix.path().join("nginx.conf");
            std::fs::write(&conf, config(prefix.path(), &root, port)).expect("write nginx.conf");
            let child = Command::new(NGINX)
                .arg("-p")
                .arg(prefix.path())
                .arg("-c")
                .arg(&conf)
                .arg("-e")
                .arg(prefix.path().join("error.log"))
                .args(["-g", "daemon off;"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn nginx");
            let mut nginx = Nginx { child, port, prefix };
            match nginx.wait_until_up() {
                Ok(()) => return Some(nginx),
                Err(log) => last_log = log,
            }
        }
        panic!("nginx did not start:\n{last_log}");
    }

    /// `http://127.0.0.1:PORT/` + `path` (without its leading slash).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, path.trim_start_matches('/'))
    }

    /// nginx's access log so far (one line per request).
    ///
    /// nginx writes a request's line just after sending its response, so a client can be
    /// faster than the log: wait until the file stops growing (50 ms without a change).
    pub fn access_log(&self) -> String {
        let read = || std::fs::read_to_string(self.prefix.path().join("access.log")).unwrap_or_default();
        let start = Instant::now();
        let mut last = read();
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let now = read();
            if now == last || start.elapsed() > Duration::from_secs(3) {
                return now;
            }
            last = now;
        }
    }

    /// Each request of the access log so far, parsed.
    pub fn requests(&self) -> Vec<Logged> {
        self.access_log().lines().filter_map(Logged::parse).collect()
    }

    fn wait_until_up(&mut self) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self.prefix.path().join("error.log")).unwrap_or_default();
                return Err(format!("nginx exited with {status}: {log}"));
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("nginx did not answer within 10 s".into())
    }
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The request line's path.
    pub path: String,
    /// The response status.
    pub status: u16,
    /// Bytes of the request: request line, headers and body (`$request_length`).
    pub request_bytes: u64,
    /// Bytes sent to the client: status line, headers and body (`$bytes_sent`).
    pub sent_bytes: u64,
}

impl Logged {
    /// Parses a line of the `faro` log format; `None` for anything else.
    pub fn parse(line: &str) -> Option<Logged> {
        let request = line.split('"').nth(1)?;
        let path = request.split_whitespace().nth(1)?.to_string();
        let status = line.split('"').nth(2)?.split_whitespace().next()?.parse().ok()?;
        let mut tail = line.rsplit(' ');
        let sent_bytes = tail.next()?.parse().ok()?;
        let request_bytes = tail.next()?.parse().ok()?;
        Some(Logged { path, status, request_bytes, sent_bytes })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

fn config(prefix: &Path, root: &Path, port: u16) -> String {
    let p = |name: &str| -> PathBuf { prefix.join(name) };
    // As root, nginx would switch its worker to `nobody`, which cannot read a private temp dir.
    let user = if running_as_root() { "user root;" } else { "" };
    format!(
        r#"{user}
worker_processes 1;
pid {pid};
error_log {error} warn;
events {{ worker_connections 64; }}
http {{
    # The combined format's fields plus the bytes of each request and response as they
    # crossed the socket (head and body), for the sync traffic benchmark.
    log_format faro '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
                    '"$http_referer" "$http_user_agent" $request_length $bytes_sent';
    access_log {access} faro;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/json json; application/zstd zst; }}
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        etag on;
    }}
}}
"#,
        pid = p("nginx.pid").display(),
        access = p("access.log").display(),
        error = p("error.log").display(),
        tmp = prefix.display(),
        root = root.display(),
    )
}
