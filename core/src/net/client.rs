//! The one place an HTTP client is built: TLS, privacy and redirect policy live here.
//!
//! - TLS: rustls with the `ring` provider (no OpenSSL, no aws-lc), TLS 1.2 and 1.3, Mozilla's
//!   roots compiled in (`webpki-roots`): old phones with stale system stores still connect,
//!   and nothing needs initialising from Kotlin or Swift. TLS only hides which datasets are
//!   fetched; authenticity comes from TUF signatures.
//! - Privacy: no cookie store, no `Referer`, the same `User-Agent` on every device, no proxy
//!   auto-configuration, no compression negotiation (files are zstd already).
//! - Redirects: at most [`MAX_REDIRECTS`], never from `https` down to `http`.

use std::sync::Arc;

use reqwest::redirect;

use super::{NetConfig, NetError};

/// Sent on every request: names the app, not the version, device or user.
pub const USER_AGENT: &str = "Faro";

/// Most redirects followed for one request (CDNs use one or two).
pub const MAX_REDIRECTS: usize = 5;

/// An HTTP client with Faro's TLS, privacy, timeout and retry policy. Cheap to share by
/// reference; every call blocks the calling thread (run it off the UI thread).
#[derive(Debug)]
pub struct Http {
    pub(crate) client: reqwest::Client,
    /// A single-threaded runtime driven by the calling thread, so that every wait can also
    /// watch the clock and the [`super::Cancel`] handle.
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) config: NetConfig,
}

impl Http {
    /// Builds the client. Fails only if TLS cannot be set up (a broken build).
    pub fn new(config: NetConfig) -> Result<Http, NetError> {
        let client = build_client(&config)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| NetError::Setup(format!("async runtime: {e}")))?;
        Ok(Http { client, runtime, config })
    }

    /// A client that follows no redirect at all, for POSTing reports: a report goes to the
    /// signed URL and nowhere else, so a `3xx` answer is a failure, never a new destination.
    pub fn without_redirects(config: NetConfig) -> Result<Http, NetError> {
        let mut http = Http::new(config)?;
        http.client = client_builder(&http.config)?
            .redirect(redirect::Policy::none())
            .build()
            .map_err(|e| NetError::Setup(error_chain(&e)))?;
        Ok(http)
    }

    /// The limits this client runs with.
    pub fn config(&self) -> &NetConfig {
        &self.config
    }
}

fn tls_config() -> Result<rustls::ClientConfig, NetError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| NetError::Setup(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

fn redirect_policy() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        let was_https = attempt.previous().iter().any(|u| u.scheme() == "https");
        if was_https && attempt.url().scheme() != "https" {
            return attempt.error("refused a redirect from https to http");
        }
        attempt.follow()
    })
}

fn build_client(config: &NetConfig) -> Result<reqwest::Client, NetError> {
    client_builder(config)?.redirect(redirect_policy()).build().map_err(|e| NetError::Setup(error_chain(&e)))
}

fn client_builder(config: &NetConfig) -> Result<reqwest::ClientBuilder, NetError> {
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config()?)
        .http1_only()
        .user_agent(USER_AGENT)
        .referer(false)
        .no_proxy()
        .connect_timeout(config.connect_timeout)
        .pool_max_idle_per_host(2))
}

/// An error and its causes on one line, without the URL (callers add a cleaned one).
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let s = cause.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_ring_and_embedded_roots() {
        let tls = tls_config().unwrap();
        assert!(!webpki_roots::TLS_SERVER_ROOTS.is_empty());
        // ring's provider offers TLS 1.3 suites; nothing else is configured.
        assert!(tls.crypto_provider().cipher_suites.iter().any(|s| s.version() == &rustls::version::TLS13));
        Http::new(NetConfig::default()).unwrap();
    }
}
