//! Canonical URLs: one spelling per page, so the crawler visits it once and reports compare across crawls.

use serde::{Deserialize, Serialize};
use url::Url;

/// What to do with a trailing slash on a path other than `/`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrailingSlash {
    /// `/a/` and `/a` stay two pages (servers may answer them differently).
    #[default]
    Keep,
    /// `/a/` becomes `/a`.
    Strip,
    /// `/a` becomes `/a/`, except for paths whose last segment looks like a file (`/a.html`).
    Add,
}

/// How URLs are normalised. Always: the fragment is dropped, scheme and host are lower-cased, the default port
/// is removed, an empty path becomes `/` and an empty query is dropped (the `url` crate does the first three).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UrlPolicy {
    pub trailing_slash: TrailingSlash,
    /// Sort query parameters by name (stable for equal names), so `?b=1&a=2` and `?a=2&b=1` are one page.
    pub sort_query: bool,
}

impl UrlPolicy {
    /// The canonical form of `url`.
    pub fn normalize(&self, url: &Url) -> Url {
        let mut url = url.clone();
        url.set_fragment(None);
        if url.query() == Some("") {
            url.set_query(None);
        }
        if self.sort_query && url.query().is_some() {
            let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        let path = url.path().to_owned();
        match self.trailing_slash {
            TrailingSlash::Keep => {}
            TrailingSlash::Strip if path.len() > 1 && path.ends_with('/') => {
                url.set_path(path.trim_end_matches('/'));
                if url.path().is_empty() {
                    url.set_path("/");
                }
            }
            TrailingSlash::Add if !path.ends_with('/') && !last_segment_is_file(&path) => {
                url.set_path(&format!("{path}/"));
            }
            TrailingSlash::Strip | TrailingSlash::Add => {}
        }
        url
    }
}

/// Whether `a` and `b` have the same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

fn last_segment_is_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|segment| segment.contains('.'))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[track_caller]
    fn check(policy: UrlPolicy, input: &str, expected: &str) {
        let url = Url::parse(input).unwrap();
        assert_eq!(policy.normalize(&url).as_str(), expected, "{input}");
    }

    #[test]
    fn normalises_urls() {
        let keep = UrlPolicy::default();
        let strip = UrlPolicy { trailing_slash: TrailingSlash::Strip, sort_query: false };
        let add = UrlPolicy { trailing_slash: TrailingSlash::Add, sort_query: true };
        let table = [
            (keep, "HTTP://Example.COM:80/a#top", "http://example.com/a"),
            (keep, "https://example.com:443", "https://example.com/"),
            (keep, "https://example.com:8443/a/", "https://example.com:8443/a/"),
            (keep, "https://example.com/a?", "https://example.com/a"),
            (keep, "https://example.com/a?b=1&a=2", "https://example.com/a?b=1&a=2"),
            (strip, "https://example.com/a/", "https://example.com/a"),
            (strip, "https://example.com/", "https://example.com/"),
            (strip, "https://example.com/a//", "https://example.com/a"),
            (add, "https://example.com/a", "https://example.com/a/"),
            (add, "https://example.com/a.html", "https://example.com/a.html"),
            (add, "https://example.com/a?b=1&a=2&b=0", "https://example.com/a/?a=2&b=1&b=0"),
        ];
        for (policy, input, expected) in table {
            check(policy, input, expected);
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let a = Url::parse("http://127.0.0.1:8000/x").unwrap();
        assert!(same_origin(&a, &Url::parse("http://127.0.0.1:8000/y?z").unwrap()));
        assert!(!same_origin(&a, &Url::parse("http://127.0.0.1:8001/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("https://127.0.0.1:8000/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("http://localhost:8000/x").unwrap()));
    }
}
