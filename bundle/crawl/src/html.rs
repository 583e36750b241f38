//! Streaming HTML extraction with `lol_html`: what the checks need (title, description, H1s, canonical, lang,
//! robots meta, links, insecure sub-resources) is collected chunk by chunk as the body arrives; the page itself is
//! never held.

use std::sync::{Arc, Mutex, PoisonError};

use lol_html::errors::RewritingError;
use lol_html::html_content::{Element, TextChunk};
use lol_html::send::{HtmlRewriter, Settings};
use lol_html::{HandlerResult, MemorySettings, element, text};
use serde::{Deserialize, Serialize};
use url::Url;

/// Most text kept of one `<title>`, description or `<h1>`: enough to judge its length, bounded for huge pages.
const MAX_TEXT: usize = 1024;
/// Most links and sub-resources kept of one page.
const MAX_LINKS: usize = 5000;

/// What one HTML page says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HtmlFacts {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The text of every `<h1>`, in order.
    pub h1: Vec<String>,
    /// `<link rel="canonical">`, resolved against the page.
    pub canonical: Option<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    /// `<meta name="robots">` (or `googlebot`) says `noindex`.
    pub meta_noindex: bool,
    /// `<a href>` / `<area href>` targets, resolved, http(s) only, in document order, without duplicates.
    pub links: Vec<Url>,
    /// `http:` scripts, styles, images, frames and media on an `https:` page.
    pub insecure_resources: Vec<String>,
}

/// Feeds one page through `lol_html`. `write` each body chunk, then `finish`.
pub struct HtmlScanner {
    rewriter: HtmlRewriter<'static, fn(&[u8])>,
    collected: Arc<Mutex<Collected>>,
    page: Url,
}

impl std::fmt::Debug for HtmlScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HtmlScanner").field("page", &self.page.as_str()).finish_non_exhaustive()
    }
}

impl HtmlScanner {
    pub fn new(page: Url) -> Self {
        let collected = Arc::new(Mutex::new(Collected::default()));
        // The parser's own buffers stay small whatever the page (a huge attribute or comment fails the page).
        let memory = MemorySettings::new().with_max_allowed_memory_usage(4 * 1024 * 1024);
        let settings = handlers(&collected)
            .into_iter()
            .fold(Settings::new_send(), Settings::append_element_content_handler)
            .with_memory_settings(memory);
        let discard: fn(&[u8]) = |_| {};
        Self { rewriter: HtmlRewriter::new(settings, discard), collected, page }
    }

    pub fn write(&mut self, chunk: &[u8]) -> Result<(), RewritingError> {
        self.rewriter.write(chunk)
    }

    /// Ends the document (a truncated page is scanned as far as it was read) and resolves what was found.
    pub fn finish(self) -> HtmlFacts {
        // A truncated document may fail to end cleanly; what was collected so far still stands.
        let _ = self.rewriter.end();
        let collected = std::mem::take(&mut *self.collected.lock().unwrap_or_else(PoisonError::into_inner));
        collected.resolve(&self.page)
    }
}

/// Scans a whole page held in memory (tests, small documents).
pub fn scan(page: &Url, html: &[u8]) -> Result<HtmlFacts, RewritingError> {
    let mut scanner = HtmlScanner::new(page.clone());
    scanner.write(html)?;
    Ok(scanner.finish())
}

/// Raw values as the handlers see them; resolved against the page (and `<base href>`) at the end.
#[derive(Default)]
struct Collected {
    base: Option<String>,
    title: Option<String>,
    description: Option<String>,
    h1: Vec<String>,
    canonical: Option<String>,
    lang: Option<String>,
    meta_noindex: bool,
    links: Vec<String>,
    resources: Vec<String>,
}

impl Collected {
    fn resolve(self, page: &Url) -> HtmlFacts {
        let base = self.base.as_deref().and_then(|b| page.join(b).ok()).unwrap_or_else(|| page.clone());
        let resolve = |raw: &str| base.join(raw.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
        let mut links: Vec<Url> = Vec::new();
        for link in self.links.iter().filter_map(|raw| resolve(raw)) {
            if !links.contains(&link) {
                links.push(link);
            }
        }
        let insecure_resources = if page.scheme() == "https" {
            self.resources
                .iter()
                .filter_map(|raw| resolve(raw))
                .filter(|u| u.scheme() == "http")
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        };
        HtmlFacts {
            title: self.title.map(|t| collapse(&t)),
            description: self.description.map(|d| collapse(&d)),
            h1: self.h1.iter().map(|h| collapse(h)).collect(),
            canonical: self.canonical.as_deref().and_then(resolve).map(String::from),
            lang: self.lang.filter(|l| !l.trim().is_empty()),
            meta_noindex: self.meta_noindex,
            links,
            insecure_resources,
        }
    }
}

type Handlers = Vec<(std::borrow::Cow<'static, lol_html::Selector>, lol_html::send::ElementContentHandlers<'static>)>;

fn handlers(collected: &Arc<Mutex<Collected>>) -> Handlers {
    let with = |f: fn(&mut Collected, &Element<'_, '_, lol_html::send::SendHandlerTypes>)| {
        let collected = collected.clone();
        move |el: &mut Element<'_, '_, lol_html::send::SendHandlerTypes>| -> HandlerResult {
            f(&mut collected.lock().unwrap_or_else(PoisonError::into_inner), el);
            Ok(())
        }
    };
    let text_into = |f: fn(&mut Collected) -> Option<&mut String>| {
        let collected = collected.clone();
        move |chunk: &mut TextChunk<'_>| -> HandlerResult {
            let mut collected = collected.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(target) = f(&mut collected) {
                push_bounded(target, chunk.as_str());
            }
            Ok(())
        }
    };
    vec![
        element!("html[lang]", with(|c, el| c.lang = el.get_attribute("lang"))),
        element!(
            "base[href]",
            with(|c, el| {
                if c.base.is_none() {
                    c.base = el.get_attribute("href");
                }
            })
        ),
        element!(
            "title",
            with(|c, _| {
                c.title.get_or_insert_with(String::new);
            })
        ),
        text!("title", text_into(|c| c.title.as_mut())),
        element!("h1", with(|c, _| c.h1.push(String::new()))),
        text!("h1", text_into(|c| c.h1.last_mut())),
        element!(
            "meta[name][content]",
            with(|c, el| {
                let name = el.get_attribute("name").unwrap_or_default().to_ascii_lowercase();
                let content = el.get_attribute("content").unwrap_or_default();
                match name.as_str() {
                    "description" if c.description.is_none() => c.description = Some(truncate(content)),
                    "robots" | "googlebot"
                        if content.to_ascii_lowercase().split(',').any(|d| d.trim() == "noindex") =>
                    {
                        c.meta_noindex = true;
                    }
                    _ => {}
                }
            })
        ),
        element!(
            "link[rel][href]",
            with(|c, el| {
                let rel = el.get_attribute("rel").unwrap_or_default().to_ascii_lowercase();
                let href = el.get_attribute("href").unwrap_or_default();
                if rel.split_ascii_whitespace().any(|r| r == "canonical") && c.canonical.is_none() {
                    c.canonical = Some(href);
                } else if rel.split_ascii_whitespace().any(|r| r == "stylesheet") {
                    push_limited(&mut c.resources, href);
                }
            })
        ),
        element!(
            "a[href], area[href]",
            with(|c, el| push_limited(&mut c.links, el.get_attribute("href").unwrap_or_default()))
        ),
        element!(
            "img[src], script[src], iframe[src], video[src], audio[src], source[src]",
            with(|c, el| {
                push_limited(&mut c.resources, el.get_attribute("src").unwrap_or_default());
            })
        ),
    ]
}

fn push_bounded(target: &mut String, text: &str) {
    if target.len() < MAX_TEXT {
        target.push_str(text);
    }
}

fn push_limited(list: &mut Vec<String>, value: String) {
    if list.len() < MAX_LINKS {
        list.push(value);
    }
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Whitespace runs become one space; HTML text is laid out that way.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn extracts_what_the_checks_need() {
        let page = Url::parse("https://example.com/docs/a").unwrap();
        let html = br#"<!doctype html><html lang="en"><head>
            <title> Docs
              home </title>
            <meta name="Description" content="All the docs">
            <meta name="robots" content="NOINDEX, follow">
            <link rel="canonical" href="/docs/">
            <link rel="stylesheet" href="http://cdn.example.com/a.css">
            <script src="/app.js"></script>
            </head><body>
            <h1>Hello <em>world</em></h1><h1>Second</h1>
            <a href="b">b</a> <a href="/c#x">c</a> <a href="b">again</a>
            <a href="mailto:x@example.com">mail</a> <a href="https://other.example/">out</a>
            <img src="http://img.example.com/x.png">
            </body></html>"#;
        let facts = scan(&page, html).unwrap();
        assert_eq!(facts.title.as_deref(), Some("Docs home"));
        assert_eq!(facts.description.as_deref(), Some("All the docs"));
        assert_eq!(facts.h1, ["Hello world", "Second"]);
        assert_eq!(facts.canonical.as_deref(), Some("https://example.com/docs/"));
        assert_eq!(facts.lang.as_deref(), Some("en"));
        assert!(facts.meta_noindex);
        let links: Vec<&str> = facts.links.iter().map(Url::as_str).collect();
        assert_eq!(links, ["https://example.com/docs/b", "https://example.com/c#x", "https://other.example/"]);
        assert_eq!(facts.insecure_resources, ["http://cdn.example.com/a.css", "http://img.example.com/x.png"]);
    }

    #[test]
    fn chunk_boundaries_do_not_matter_and_base_href_applies() {
        let page = Url::parse("http://example.com/x/y").unwrap();
        let html = b"<html><head><base href=\"/root/\"><title>T</title></head><body><a href=\"z\">z</a></body></html>";
        let mut scanner = HtmlScanner::new(page.clone());
        for chunk in html.chunks(3) {
            scanner.write(chunk).unwrap();
        }
        let facts = scanner.finish();
        assert_eq!(facts.title.as_deref(), Some("T"));
        assert_eq!(facts.links[0].as_str(), "http://example.com/root/z");
        assert!(facts.insecure_resources.is_empty(), "http pages have no mixed content");
        assert_eq!(scan(&page, b"<p>no head").unwrap(), HtmlFacts::default());
    }
}
