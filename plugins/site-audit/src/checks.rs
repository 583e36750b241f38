//! The checks: what is wrong with a page, how bad it is, and how to fix it. Pure functions of what the crawler
//! reported; [`page_findings`] runs as each page arrives, [`broken_link`] once the crawl is over (a broken page's
//! referrers may be crawled after it).

use serde::{Deserialize, Serialize};
use temps_bundle_crawl::PageReport;
use utoipa::ToSchema;

/// Every kind of finding, with its severity and fix hint (also served at `GET /kinds` for the UI).
pub const KINDS: &[Kind] = &[
    Kind {
        kind: "broken_link",
        severity: Severity::Error,
        hint: "Update or remove the links on the referring pages, or restore the page (or redirect it to its replacement).",
    },
    Kind {
        kind: "http_error",
        severity: Severity::Error,
        hint: "The page answers an error status: fix it, or remove it from the sitemap and redirect it to its replacement.",
    },
    Kind {
        kind: "fetch_failed",
        severity: Severity::Error,
        hint: "The page could not be fetched (timeout, connection error, or a redirect to a private address the crawler refuses): make it answer quickly from a public address.",
    },
    Kind {
        kind: "redirect_chain",
        severity: Severity::Warning,
        hint: "Link straight to the final URL, and make the first URL redirect there in one hop.",
    },
    Kind {
        kind: "noindex_in_sitemap",
        severity: Severity::Error,
        hint: "The sitemap lists a page that asks not to be indexed: remove it from the sitemap, or drop the noindex if it should be indexed.",
    },
    Kind {
        kind: "sitemap_disallowed",
        severity: Severity::Warning,
        hint: "The sitemap lists a page robots.txt disallows: remove it from the sitemap, or allow it in robots.txt.",
    },
    Kind {
        kind: "mixed_content",
        severity: Severity::Error,
        hint: "Load every script, style, image and frame of an https page over https.",
    },
    Kind {
        kind: "title_missing",
        severity: Severity::Warning,
        hint: "Add a <title> that says what the page is about (10–60 characters).",
    },
    Kind {
        kind: "title_length",
        severity: Severity::Notice,
        hint: "Keep the <title> between 10 and 60 characters so search results show it whole.",
    },
    Kind {
        kind: "description_missing",
        severity: Severity::Warning,
        hint: "Add <meta name=\"description\" content=\"…\"> with a summary of the page (50–160 characters).",
    },
    Kind {
        kind: "description_length",
        severity: Severity::Notice,
        hint: "Keep the meta description between 50 and 160 characters.",
    },
    Kind { kind: "h1_missing", severity: Severity::Warning, hint: "Give the page one <h1> with its main heading." },
    Kind {
        kind: "h1_multiple",
        severity: Severity::Notice,
        hint: "Use a single <h1>; make the other headings <h2> or lower.",
    },
    Kind {
        kind: "canonical_missing",
        severity: Severity::Notice,
        hint: "Add <link rel=\"canonical\" href=\"…\"> naming the preferred URL of the page.",
    },
    Kind { kind: "lang_missing", severity: Severity::Warning, hint: "Declare the page language: <html lang=\"en\">." },
    Kind {
        kind: "page_truncated",
        severity: Severity::Notice,
        hint: "The page is larger than the crawl's page limit and was only checked up to it: make it smaller, or raise max_page_bytes.",
    },
];

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Notice => "notice",
        }
    }
}

/// One kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Kind {
    /// The name findings carry, e.g. `broken_link`.
    pub kind: &'static str,
    pub severity: Severity,
    /// How to fix a finding of this kind.
    pub hint: &'static str,
}

/// The answer of `GET /kinds`: every kind, errors first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindList {
    pub kinds: &'static [Kind],
}

/// A finding before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static Kind,
    pub url: String,
    pub detail: String,
}

/// The kind named `name`.
pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == name)
}

/// The findings of one page that need nothing but the page. Pages that are linked from elsewhere and fail are
/// reported by [`broken_link`] instead of `http_error`/`fetch_failed`, once the referrers are known.
pub fn page_findings(page: &PageReport, https_site: bool) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut add = |name: &str, detail: String| {
        if let Some(kind) = kind(name) {
            found.push(Finding { kind, url: page.url.clone(), detail });
        }
    };
    if page.redirects.len() >= 2 {
        let mut hops: Vec<&str> = page.redirects.iter().map(|h| h.url.as_str()).collect();
        hops.push(&page.final_url);
        add("redirect_chain", format!("{} redirects: {}", page.redirects.len(), hops.join(" → ")));
    }
    if page.in_sitemap && page.noindex() {
        let how = if page.header_noindex { "an X-Robots-Tag header" } else { "<meta name=\"robots\">" };
        add("noindex_in_sitemap", format!("listed in the sitemap, but {how} says noindex"));
    }
    if page.truncated {
        add("page_truncated", format!("only the first {} bytes were read", page.bytes));
    }
    let Some(html) = &page.html else { return found };
    if https_site && !html.insecure_resources.is_empty() {
        let shown: Vec<&str> = html.insecure_resources.iter().take(5).map(String::as_str).collect();
        add("mixed_content", format!("{} http resource(s): {}", html.insecure_resources.len(), shown.join(", ")));
    }
    match html.title.as_deref().map(str::trim) {
        None | Some("") => add("title_missing", "the page has no <title>".into()),
        Some(title) => {
            let n = title.chars().count();
            if !(10..=60).contains(&n) {
                add("title_length", format!("the title is {n} characters: \"{title}\""));
            }
        }
    }
    match html.description.as_deref().map(str::trim) {
        None | Some("") => add("description_missing", "the page has no meta description".into()),
        Some(description) => {
            let n = description.chars().count();
            if !(50..=160).contains(&n) {
                add("description_length", format!("the description is {n} characters"));
            }
        }
    }
    match html.h1.len() {
        0 => add("h1_missing", "the page has no <h1>".into()),
        1 => {}
        n => add("h1_multiple", format!("the page has {n} <h1> headings")),
    }
    if html.canonical.is_none() {
        add("canonical_missing", "the page has no <link rel=\"canonical\">".into());
    }
    if html.lang.is_none() {
        add("lang_missing", "the <html> element has no lang attribute".into());
    }
    found
}

/// What is wrong with a page that did not answer 2xx/3xx, if anything: `(status or failure, is it an error)`.
pub fn failure_of(status: Option<i64>, failure: Option<&str>) -> Option<String> {
    match (status, failure) {
        (_, Some(failure)) => Some(failure.to_owned()),
        (Some(status), None) if status >= 400 => Some(format!("answers {status}")),
        _ => None,
    }
}

/// The finding of a failed page: `broken_link` naming its referrers when other pages link to it, else
/// `http_error` / `fetch_failed`.
pub fn broken_link(url: &str, status: Option<i64>, failure: Option<&str>, referrers: &[String]) -> Option<Finding> {
    let problem = failure_of(status, failure)?;
    let (name, detail) = if referrers.is_empty() {
        (if failure.is_some() { "fetch_failed" } else { "http_error" }, problem)
    } else {
        let shown: Vec<&str> = referrers.iter().take(10).map(String::as_str).collect();
        let more = if referrers.len() > 10 { format!(" and {} more", referrers.len() - 10) } else { String::new() };
        ("broken_link", format!("{problem}; linked from {}{more}", shown.join(", ")))
    };
    Some(Finding { kind: kind(name)?, url: url.to_owned(), detail })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use temps_bundle_crawl::{HtmlFacts, RedirectHop};

    use super::*;

    fn page(html: Option<HtmlFacts>) -> PageReport {
        serde_json::from_value::<PageReport>(serde_json::json!({
            "url": "https://s.example/a", "depth": 1, "found_on": null, "in_sitemap": false, "redirects": [],
            "final_url": "https://s.example/a", "status": 200, "failure": null, "content_type": "text/html",
            "bytes": 10, "truncated": false, "elapsed_ms": 1, "last_modified": null, "etag": null,
            "content_hash": null, "header_noindex": false, "html": null, "internal_links": [], "external_links": []
        }))
        .map(|mut p| {
            p.html = html;
            p
        })
        .unwrap()
    }

    fn kinds(found: &[Finding]) -> Vec<&str> {
        found.iter().map(|f| f.kind.kind).collect()
    }

    #[test]
    fn metadata_checks() {
        let good = HtmlFacts {
            title: Some("A good title for a page".into()),
            description: Some("A description that is long enough to be shown as the snippet in results.".into()),
            h1: vec!["Heading".into()],
            canonical: Some("https://s.example/a".into()),
            lang: Some("en".into()),
            ..HtmlFacts::default()
        };
        assert!(page_findings(&page(Some(good.clone())), true).is_empty());
        let bad = HtmlFacts { title: Some("Hi".into()), h1: vec!["a".into(), "b".into()], ..HtmlFacts::default() };
        assert_eq!(
            kinds(&page_findings(&page(Some(bad)), true)),
            ["title_length", "description_missing", "h1_multiple", "canonical_missing", "lang_missing"]
        );
        let mixed = HtmlFacts { insecure_resources: vec!["http://cdn/x.js".into()], ..good };
        assert_eq!(kinds(&page_findings(&page(Some(mixed.clone())), true)), ["mixed_content"]);
        assert!(page_findings(&page(Some(mixed)), false).is_empty());
    }

    #[test]
    fn redirects_noindex_and_broken_links() {
        let mut chained = page(None);
        chained.redirects = vec![
            RedirectHop { url: "https://s.example/a".into(), status: 301, location: "https://s.example/b".into() },
            RedirectHop { url: "https://s.example/b".into(), status: 302, location: "https://s.example/c".into() },
        ];
        chained.final_url = "https://s.example/c".into();
        chained.in_sitemap = true;
        chained.header_noindex = true;
        let found = page_findings(&chained, true);
        assert_eq!(kinds(&found), ["redirect_chain", "noindex_in_sitemap"]);
        assert_eq!(found[0].detail, "2 redirects: https://s.example/a → https://s.example/b → https://s.example/c");
        let refs = vec!["https://s.example/".to_owned()];
        let broken = broken_link("https://s.example/x", Some(404), None, &refs).unwrap();
        assert_eq!(
            (broken.kind.kind, broken.detail.as_str()),
            ("broken_link", "answers 404; linked from https://s.example/")
        );
        assert_eq!(broken_link("u", Some(500), None, &[]).unwrap().kind.kind, "http_error");
        assert_eq!(broken_link("u", None, Some("timeout"), &[]).unwrap().kind.kind, "fetch_failed");
        assert!(broken_link("u", Some(200), None, &refs).is_none());
    }
}
