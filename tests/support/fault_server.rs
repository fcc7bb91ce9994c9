//! A small HTTP/1.1 file server on loopback that misbehaves on request: each request takes the
//! next [`Fault`] from a script (then behaves), and every request's head is recorded so tests
//! can check what the client sent. Real sockets, real HTTP; one thread per connection, every
//! response `Connection: close`.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How the server answers one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A correct answer (200, 206 for a valid range, 304 for a matching `If-None-Match`).
    None,
    /// A correct head, then the connection closes after this many body bytes.
    CutAfter(u64),
    /// A correct answer, the body sent one byte every `interval`.
    Trickle(Duration),
    /// `200` with the whole file, whatever `Range` said.
    IgnoreRange,
    /// `206` whose `Content-Range` starts at 0 instead of where the client asked.
    WrongContentRange,
    /// `200 text/html` with a Wi-Fi login page.
    PortalHtml,
    /// `200 application/octet-stream` whose body is a login page anyway.
    PortalHtmlUntyped,
    /// `200` with no length and bytes forever (until the client hangs up).
    Endless,
    /// This status, with a `Retry-After` header when given.
    Status(u16, Option<String>),
    /// `302` to this path.
    Redirect(String),
    /// A correct answer that also tries to set a cookie.
    SetCookie,
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The path asked for.
    pub path: String,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// When the head was read.
    pub at: Instant,
}

impl Seen {
    /// The value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    files: HashMap<String, Vec<u8>>,
    script: VecDeque<Fault>,
    /// Faults for requests whose path contains the key, taken before the general script.
    path_scripts: Vec<(String, VecDeque<Fault>)>,
    seen: Vec<Seen>,
    body_bytes_sent: u64,
}

/// The server; stops accepting when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultServer {
    /// Starts on a free loopback port.
    pub fn start() -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                thread::spawn(move || {
                    let _ = serve(stream, &s);
                });
            }
        });
        FaultServer { addr, state, stop }
    }

    /// Serves `body` at `path` (which starts with `/`).
    pub fn put(&self, path: &str, body: Vec<u8>) {
        self.state.lock().unwrap().files.insert(path.to_string(), body);
    }

    /// Queues faults for the next requests, in order.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().script.extend(faults);
    }

    /// Queues faults for the next requests whose path contains `part` (e.g. one target's file
    /// name), in order; other requests take the general script. Lets a test hit one file of a
    /// sync whatever requests come before it.
    pub fn script_path(&self, part: &str, faults: impl IntoIterator<Item = Fault>) {
        let mut st = self.state.lock().unwrap();
        match st.path_scripts.iter_mut().find(|(p, _)| p == part) {
            Some((_, queue)) => queue.extend(faults),
            None => st.path_scripts.push((part.to_string(), faults.into_iter().collect())),
        }
    }

    /// Removes every file served (before loading a new version of a repository).
    pub fn clear(&self) {
        self.state.lock().unwrap().files.clear();
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// Body bytes written to sockets so far (all requests).
    pub fn body_bytes_sent(&self) -> u64 {
        self.state.lock().unwrap().body_bytes_sent
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
    }
}

const PORTAL: &[u8] = b"<!DOCTYPE html><html><head><title>Free WiFi</title></head><body><form>Accept the terms to continue</form></body></html>";

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((n, v)) = h.trim_end().split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let seen = Seen { path: path.clone(), headers, at: Instant::now() };
    let (fault, file) = {
        let mut st = state.lock().unwrap();
        st.seen.push(seen.clone());
        let scoped = st.path_scripts.iter_mut().find(|(p, q)| path.contains(p.as_str()) && !q.is_empty());
        let fault = match scoped {
            Some((_, queue)) => queue.pop_front(),
            None => st.script.pop_front(),
        };
        (fault.unwrap_or(Fault::None), st.files.get(&path).cloned())
    };
    let mut out = Response { stream, state };
    match fault {
        Fault::Status(code, retry_after) => {
            let extra = retry_after.map(|r| format!("Retry-After: {r}\r\n")).unwrap_or_default();
            return out.head(code, &format!("{extra}Content-Length: 0\r\n"));
        }
        Fault::Redirect(to) => return out.head(302, &format!("Location: {to}\r\nContent-Length: 0\r\n")),
        Fault::PortalHtml => {
            out.head(200, &format!("Content-Type: text/html\r\nContent-Length: {}\r\n", PORTAL.len()))?;
            return out.body(PORTAL, None);
        }
        Fault::PortalHtmlUntyped => {
            out.head(200, &format!("Content-Type: application/octet-stream\r\nContent-Length: {}\r\n", PORTAL.len()))?;
            return out.body(PORTAL, None);
        }
        Fault::Endless => {
            out.head(200, "Content-Type: application/octet-stream\r\n")?;
            let chunk = vec![b'x'; 16 * 1024];
            loop {
                out.body(&chunk, None)?;
            }
        }
        _ => {}
    }
    let Some(file) = file else {
        return out.head(404, "Content-Length: 0\r\n");
    };
    let etag =
        format!("\"{:x}-{:x}\"", file.len(), file.iter().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(*b as u32)));
    if seen.header("if-none-match") == Some(etag.as_str()) {
        return out.head(304, &format!("ETag: {etag}\r\n"));
    }
    let cookie = if fault == Fault::SetCookie { "Set-Cookie: session=abc123; Path=/\r\n" } else { "" };
    let range_start = seen
        .header("range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|_| seen.header("if-range").is_none_or(|v| v == etag));
    let len = file.len() as u64;
    let (status, start, range_header) = match (range_start, &fault) {
        (Some(s), Fault::WrongContentRange) if s < len => {
            (206, 0, format!("Content-Range: bytes 0-{}/{len}\r\n", len - 1))
        }
        (Some(s), f) if s < len && *f != Fault::IgnoreRange => {
            (206, s, format!("Content-Range: bytes {s}-{}/{len}\r\n", len - 1))
        }
        (Some(s), _) if s >= len => {
            return out.head(416, &format!("Content-Range: bytes */{len}\r\nContent-Length: 0\r\n"))
        }
        _ => (200, 0, String::new()),
    };
    let body = &file[start as usize..];
    out.head(
        status,
        &format!(
            "Content-Type: application/octet-stream\r\nETag: {etag}\r\n{cookie}{range_header}Content-Length: {}\r\n",
            body.len()
        ),
    )?;
    match fault {
        Fault::CutAfter(n) => out.body(&body[..(n as usize).min(body.len())], None),
        Fault::Trickle(every) => out.body(body, Some(every)),
        _ => out.body(body, None),
    }
}

struct Response<'a> {
    stream: TcpStream,
    state: &'a Mutex<State>,
}

impl Response<'_> {
    fn head(&mut self, status: u16, headers: &str) -> std::io::Result<()> {
        let reason = match status {
            200 => "OK",
            206 => "Partial Content",
            302 => "Found",
            304 => "Not Modified",
            404 => "Not Found",
            416 => "Range Not Satisfiable",
            429 => "Too Many Requests",
            503 => "Service Unavailable",
            _ => "Status",
        };
        write!(self.stream, "HTTP/1.1 {status} {reason}\r\nConnection: close\r\n{headers}\r\n")?;
        self.stream.flush()
    }

    /// Writes `body`, all at once or a byte at a time with a pause between.
    fn body(&mut self, body: &[u8], every: Option<Duration>) -> std::io::Result<()> {
        let pieces: Box<dyn Iterator<Item = &[u8]>> = match every {
            Some(_) => Box::new(body.chunks(1)),
            None => Box::new(body.chunks(8 * 1024)),
        };
        for piece in pieces {
            self.stream.write_all(piece)?;
            self.state.lock().unwrap().body_bytes_sent += piece.len() as u64;
            if let Some(pause) = every {
                self.stream.flush()?;
                thread::sleep(pause);
            }
        }
        self.stream.flush()
    }
}
