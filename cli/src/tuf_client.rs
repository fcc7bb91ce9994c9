//! `faro-tuf-client`: Faro's TUF client behind the tuf-conformance "client under test" CLI,
//! so an outside suite can check it against the specification:
//!
//! ```text
//! faro-tuf-client --metadata-dir D init ROOT
//! faro-tuf-client --metadata-dir D --metadata-url U refresh
//! faro-tuf-client --metadata-dir D --metadata-url U --target-name T [--target-name T2 ...] \
//!     --target-base-url B --target-dir O download
//! ```
//!
//! `download` fetches the targets in the order given, all with one updater (one refresh, one
//! walk of the delegations per target). Exit status 0 on success, 1 on any failure (with the
//! reason on stderr; every target is still tried). Metadata is kept
//! in `D` under non-versioned names (`root.json`, `timestamp.json`, ...). Uses the same
//! verifier (`faro_core::tuf`) and HTTP client (`faro_core::net`) as the app.

#![forbid(unsafe_code)]
// A command-line tool: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};

use faro_core::net::{Cancel, Fetched, Http, NetConfig, NetError};
use faro_core::tuf::{
    verify_target, DirTrustStore, ExpiryPolicy, FetchError, Fetcher, Limits, TrustStore, TufError, Updater,
};

#[derive(Parser)]
#[command(name = "faro-tuf-client", version, about = "Faro's TUF client (tuf-conformance CLI protocol)")]
struct Cli {
    /// Directory of trusted metadata.
    #[arg(long)]
    metadata_dir: PathBuf,
    /// Base URL of the repository's metadata.
    #[arg(long)]
    metadata_url: Option<String>,
    /// Target path to download (repeatable: downloaded in order).
    #[arg(long)]
    target_name: Vec<String>,
    /// Base URL of the repository's targets.
    #[arg(long)]
    target_base_url: Option<String>,
    /// Directory for downloaded targets.
    #[arg(long)]
    target_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install the trusted root (copied as is; it is verified when used).
    Init {
        /// The initial root.json.
        root: PathBuf,
    },
    /// Update the top-level metadata.
    Refresh,
    /// Refresh, then download and verify the targets, in order.
    Download,
}

/// Fetches metadata and targets over HTTP with Faro's client.
struct HttpFetcher {
    http: Http,
    metadata_url: String,
    target_url: String,
}

impl HttpFetcher {
    fn get(&self, url: String, max: u64) -> Result<Vec<u8>, FetchError> {
        match self.http.get(&url, max, None, &Cancel::new()) {
            Ok(Fetched::Body { bytes, .. }) => Ok(bytes),
            Ok(Fetched::NotModified) => Err(FetchError::Other(format!("{url}: unexpected 304"))),
            Err(NetError::NotFound { .. }) => Err(FetchError::NotFound),
            Err(e) => Err(FetchError::Other(e.to_string())),
        }
    }
}

impl Fetcher for HttpFetcher {
    fn fetch_metadata(&self, name: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        self.get(format!("{}/{name}", self.metadata_url), max_len)
    }

    fn fetch_target(&self, path: &str, len: u64) -> Result<Vec<u8>, FetchError> {
        self.get(format!("{}/{path}", self.target_url), len)
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("faro-tuf-client: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let mut store = DirTrustStore::open(&cli.metadata_dir).map_err(|e| e.to_string())?;
    if let Command::Init { root } = &cli.command {
        let bytes = std::fs::read(root).map_err(|e| format!("{}: {e}", root.display()))?;
        return store.store("root", &bytes).map_err(|e| e.to_string());
    }
    let metadata_url = cli.metadata_url.clone().ok_or("--metadata-url is required")?;
    let http = Http::new(NetConfig { max_attempts: 2, ..NetConfig::default() }).map_err(|e| e.to_string())?;
    let fetcher = HttpFetcher {
        http,
        metadata_url: metadata_url.trim_end_matches('/').to_string(),
        target_url: cli.target_base_url.clone().unwrap_or_default().trim_end_matches('/').to_string(),
    };
    let mut updater = Updater::load(&store, ExpiryPolicy::Enforce, Limits::default()).map_err(|e| e.to_string())?;
    updater.refresh(&fetcher, &mut store, Utc::now()).map_err(|e| e.to_string())?;
    if let Command::Download = cli.command {
        if cli.target_name.is_empty() {
            return Err("--target-name is required".into());
        }
        let dir = cli.target_dir.as_ref().ok_or("--target-dir is required")?;
        let mut failed = Vec::new();
        for name in &cli.target_name {
            if let Err(e) = download(&mut updater, &fetcher, &mut store, name, dir) {
                eprintln!("faro-tuf-client: {name}: {e}");
                failed.push(name.as_str());
            }
        }
        if !failed.is_empty() {
            return Err(format!("{} of {} targets failed: {}", failed.len(), cli.target_name.len(), failed.join(", ")));
        }
    }
    Ok(())
}

/// Downloads and verifies the target `name` into `dir`, unless a verified copy is there.
fn download(
    updater: &mut Updater,
    fetcher: &HttpFetcher,
    store: &mut DirTrustStore,
    name: &str,
    dir: &std::path::Path,
) -> Result<(), String> {
    let info = updater
        .target_info(fetcher, store, name)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| TufError::NotFound(name.to_string()).to_string())?;
    // One file per target path, whatever its version: the path, percent-encoded.
    let dest = dir.join(faro_core::tuf::store::role_file_name(name).trim_end_matches(".json"));
    if let Ok(cached) = std::fs::read(&dest) {
        if verify_target(&info, &cached).is_ok() {
            return Ok(());
        }
    }
    let bytes = updater.download_target(fetcher, &info).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    faro_core::tuf::store::write_atomically(&dest, &bytes, false).map_err(|e| format!("{}: {e}", dest.display()))
}
