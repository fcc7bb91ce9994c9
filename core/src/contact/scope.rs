//! What a listed web site makes official. A site is a host and a path: a link is official
//! when it is on that host at or under that path, never on another sub-domain (hosts that
//! hand out sub-domains would make `evil.example.org` official). An e-mail is official
//! when the listing lists it, or when a listed site covers its whole domain (no path) and
//! the domain is not shared.
//!
//! Shared domains follow the Public Suffix List (`psl` crate, compiled in; ADR 0015): a
//! public suffix itself (`org`, `gob.mx`, `github.io`) is nobody's, and a name under a
//! suffix of the list's private part (`org.github.io`, `x.blogspot.com`, `y.netlify.app`)
//! is given out by a hosting company, which may also run mail there for someone else.

/// True when nobody owns `host` as a whole: it is a public suffix (or a single label).
pub fn is_public_suffix(host: &str) -> bool {
    psl::suffix(host.as_bytes()).is_none_or(|s| s.as_bytes() == host.as_bytes())
}

/// True when `host` is shared: a public suffix, or a name under a shared hosting suffix
/// (the private part of the Public Suffix List).
pub fn is_shared_host(host: &str) -> bool {
    is_public_suffix(host) || psl::suffix(host.as_bytes()).is_some_and(|s| s.typ() == Some(psl::Type::Private))
}

/// True when a link with `path` on `host` is within a site listed as `host` + `listed`
/// (paths lower case, without a trailing `/`): the listed page or one under it (`/a/b` is
/// under `/a`, `/ab` is not). An empty listed path is the whole host, unless the host is a
/// public suffix.
pub fn site_covers(host: &str, listed: &str, path: &str) -> bool {
    if listed.is_empty() {
        return !is_public_suffix(host);
    }
    path.strip_prefix(listed).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// True when every e-mail at `domain` is official through a site listed on `domain` with
/// path `listed`: the site is the whole domain and the domain is not shared.
pub fn site_owns_mail(domain: &str, listed: &str) -> bool {
    listed.is_empty() && !is_shared_host(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_hosting_and_public_suffixes() {
        for host in ["github.io", "org.github.io", "x.blogspot.com", "y.wixsite.com", "z.netlify.app", "gob.mx", "org"]
        {
            assert!(is_shared_host(host), "{host}");
        }
        for host in ["example.org", "sre.gob.mx", "citas.sre.gob.mx", "cancilleria.gov.co"] {
            assert!(!is_shared_host(host), "{host}");
        }
        assert!(!is_public_suffix("org.github.io"), "a name under github.io is one owner's");
        assert!(is_public_suffix("github.io"));
    }

    #[test]
    fn a_site_covers_its_path_and_below_only() {
        let host = "example.org";
        assert!(site_covers(host, "/faro-demo/x", "/faro-demo/x"));
        assert!(site_covers(host, "/faro-demo/x", "/faro-demo/x/citas"));
        assert!(!site_covers(host, "/faro-demo/x", "/faro-demo/xy"));
        assert!(!site_covers(host, "/faro-demo/x", "/faro-demo"));
        assert!(!site_covers(host, "/faro-demo/x", ""));
        assert!(site_covers(host, "", "/anything"));
        assert!(site_covers("org.github.io", "", "/repo"));
        assert!(!site_covers("github.io", "", "/"), "nobody owns a public suffix");
        assert!(site_covers("github.io", "/x", "/x/y"));
    }

    #[test]
    fn mail_is_official_by_site_only_for_a_whole_unshared_domain() {
        assert!(site_owns_mail("sre.gob.mx", ""));
        assert!(!site_owns_mail("example.org", "/faro-demo/x"));
        assert!(!site_owns_mail("org.github.io", ""));
        assert!(!site_owns_mail("gob.mx", ""));
    }
}
