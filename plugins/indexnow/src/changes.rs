//! Change detection: whether a page differs from what was last submitted. Validators the server sends (`ETag`,
//! then `Last-Modified`) decide when both sides have them; otherwise the content hash does, so pages with
//! changing noise (a timestamp) but a stable ETag are not resubmitted.

use crate::entity::page;

/// Whether `page` changed since its last submission (never submitted counts as changed).
pub fn changed(page: &page::Model) -> bool {
    if page.last_submitted_at.is_none() {
        return true;
    }
    if let (Some(now), Some(then)) = (&page.etag, &page.submitted_etag) {
        return now != then;
    }
    if let (Some(now), Some(then)) = (&page.last_modified, &page.submitted_last_modified) {
        return now != then;
    }
    page.content_hash != page.submitted_hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(hash: &str, etag: Option<&str>, submitted_hash: &str, submitted_etag: Option<&str>) -> page::Model {
        page::Model {
            id: 1,
            site: "s".into(),
            url: "u".into(),
            content_hash: Some(hash.into()),
            etag: etag.map(Into::into),
            last_modified: None,
            last_seen_at: 2,
            submitted_hash: Some(submitted_hash.into()),
            submitted_etag: submitted_etag.map(Into::into),
            submitted_last_modified: None,
            last_submitted_at: Some(1),
        }
    }

    #[test]
    fn validators_win_over_the_hash() {
        assert!(!changed(&page("a", None, "a", None)));
        assert!(changed(&page("b", None, "a", None)));
        assert!(!changed(&page("b", Some("\"v1\""), "a", Some("\"v1\""))), "same ETag: unchanged despite the hash");
        assert!(changed(&page("a", Some("\"v2\""), "a", Some("\"v1\""))));
        assert!(changed(&page::Model { last_submitted_at: None, ..page("a", None, "a", None) }));
    }
}
