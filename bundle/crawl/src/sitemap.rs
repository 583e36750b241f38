//! Sitemaps (sitemaps.org): `<urlset>` files and `<sitemapindex>` files, plain or gzip-compressed, read with
//! `quick-xml` and bounded in size (compressed and uncompressed) and in nesting.

use std::io::Read;

use flate2::read::GzDecoder;
use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use crate::error::FetchError;
use crate::fetch::{Fetcher, read_capped};

/// The protocol's own limit for one file, uncompressed (also applied to the compressed download).
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;
/// The protocol's own limit of entries per file.
const MAX_ENTRIES: usize = 50_000;

/// What one sitemap file lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// `<url><loc>` of a `<urlset>`, with `<lastmod>` when given.
    pub pages: Vec<(String, Option<String>)>,
    /// `<sitemap><loc>` of a `<sitemapindex>`.
    pub sitemaps: Vec<String>,
}

/// Parses one sitemap document (gzip is recognised by its magic bytes, whatever the URL or content type says).
pub fn parse(body: &[u8], max_bytes: u64) -> Result<Sitemap, FetchError> {
    let xml = if body.starts_with(&[0x1f, 0x8b]) { gunzip(body, max_bytes)? } else { body.to_vec() };
    parse_xml(&xml)
}

/// Fetches and parses one sitemap.
pub(crate) async fn fetch(fetcher: &Fetcher, url: &Url, max_bytes: u64) -> Result<Sitemap, FetchError> {
    let mut response = fetcher.get_following(url).await?;
    if !response.status.is_success() {
        return Err(FetchError::Http(temps_bundle_http::HttpError::Status {
            url: url.to_string(),
            status: response.status.as_u16(),
        }));
    }
    let (body, truncated) = read_capped(&mut response, max_bytes).await?;
    if truncated {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    parse(&body, max_bytes)
}

fn gunzip(body: &[u8], max_bytes: u64) -> Result<Vec<u8>, FetchError> {
    let mut xml = Vec::new();
    // One byte past the limit tells a file at the limit from a bomb.
    GzDecoder::new(body)
        .take(max_bytes + 1)
        .read_to_end(&mut xml)
        .map_err(|e| FetchError::Html(format!("cannot decompress the gzip sitemap: {e}")))?;
    if xml.len() as u64 > max_bytes {
        return Err(FetchError::TooLarge { limit: max_bytes });
    }
    Ok(xml)
}

fn parse_xml(xml: &[u8]) -> Result<Sitemap, FetchError> {
    let mut reader = Reader::from_reader(xml);
    let mut sitemap = Sitemap::default();
    // The path of local element names from the root, e.g. ["urlset", "url", "loc"].
    let mut path: Vec<Vec<u8>> = Vec::new();
    let (mut loc, mut lastmod) = (None::<String>, None::<String>);
    let mut buf = Vec::new();
    let mut text = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| FetchError::Html(format!("invalid sitemap XML at byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(start) => {
                path.push(start.local_name().as_ref().to_vec());
                text.clear();
            }
            Event::Text(chunk) => {
                text.push_str(&chunk.decode().map_err(|e| FetchError::Html(format!("invalid sitemap text: {e}")))?);
            }
            // quick-xml reports `&amp;` and `&#38;` apart from the text around them.
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*reference {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        _ => None,
                    },
                };
                text.extend(resolved);
            }
            Event::End(_) => {
                let closed = path.pop();
                match closed.as_deref() {
                    Some(b"loc") => loc = Some(text.trim().to_owned()),
                    Some(b"lastmod") => lastmod = Some(text.trim().to_owned()),
                    _ => {}
                }
                text.clear();
                let parent = path.last().map(Vec::as_slice);
                match (closed.as_deref(), parent) {
                    (Some(b"url"), Some(b"urlset")) => {
                        if let Some(loc) = loc.take() {
                            sitemap.pages.push((loc, lastmod.take()));
                        }
                        lastmod = None;
                    }
                    (Some(b"sitemap"), Some(b"sitemapindex")) => {
                        sitemap.sitemaps.extend(loc.take());
                        lastmod = None;
                    }
                    _ => {}
                }
                if sitemap.pages.len() + sitemap.sitemaps.len() >= MAX_ENTRIES {
                    break;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(sitemap)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::io::Write;

    use super::*;

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.com/</loc><lastmod>2026-01-01</lastmod></url>
  <url><loc> https://example.com/a?x=1&amp;y=2 </loc></url>
</urlset>"#;

    #[test]
    fn reads_url_sets_and_indexes() {
        let sitemap = parse(URLSET.as_bytes(), MAX_SITEMAP_BYTES).unwrap();
        assert_eq!(
            sitemap.pages,
            [
                ("https://example.com/".into(), Some("2026-01-01".into())),
                ("https://example.com/a?x=1&y=2".into(), None)
            ]
        );
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://example.com/s1.xml.gz</loc><lastmod>2026-01-01</lastmod></sitemap>
            <sitemap><loc>https://example.com/s2.xml</loc></sitemap></sitemapindex>"#;
        let sitemap = parse(index.as_bytes(), MAX_SITEMAP_BYTES).unwrap();
        assert_eq!(sitemap.sitemaps, ["https://example.com/s1.xml.gz", "https://example.com/s2.xml"]);
        assert!(sitemap.pages.is_empty());
    }

    #[test]
    fn reads_gzip_and_refuses_bombs() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(URLSET.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(parse(&gz, MAX_SITEMAP_BYTES).unwrap().pages.len(), 2);
        let err = parse(&gz, 100).unwrap_err();
        assert!(matches!(err, FetchError::TooLarge { limit: 100 }), "{err:?}");
        assert!(parse(b"<urlset><url><loc>x</url>", MAX_SITEMAP_BYTES).is_err(), "mismatched tags are an error");
    }
}
