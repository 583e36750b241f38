//! The host's signature and identity headers of one request, found in one pass over its header map. Every member
//! request reads six of them; a lookup each would hash each name and walk its bucket (`cargo xtask bench`).

use axum::http::{HeaderMap, HeaderValue};
use temps_bundle_protocol::headers;

/// Where the host's headers were found, and how often each appeared.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HostHeaders<'h> {
    pub signature: Seen<'h>,
    pub user_id: Seen<'h>,
    pub user_email: Seen<'h>,
    pub user_role: Seen<'h>,
    pub user_permissions: Seen<'h>,
    pub actor_token: Seen<'h>,
}

/// One header: its first value and how many times it appeared.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Seen<'h> {
    first: Option<&'h HeaderValue>,
    count: usize,
}

impl<'h> Seen<'h> {
    /// The value if the header appeared at most once, else how many times it appeared.
    pub(crate) fn single(self) -> Result<Option<&'h HeaderValue>, usize> {
        match self.count {
            0 | 1 => Ok(self.first),
            more => Err(more),
        }
    }
}

impl<'h> HostHeaders<'h> {
    pub(crate) fn scan(map: &'h HeaderMap) -> Self {
        let mut found = Self::default();
        for (name, value) in map {
            let seen = match name.as_str() {
                headers::AUTH_SIGNATURE => &mut found.signature,
                headers::USER_ID => &mut found.user_id,
                headers::USER_EMAIL => &mut found.user_email,
                headers::USER_ROLE => &mut found.user_role,
                headers::USER_PERMISSIONS => &mut found.user_permissions,
                headers::ACTOR_TOKEN => &mut found.actor_token,
                _ => continue,
            };
            seen.count += 1;
            seen.first.get_or_insert(value);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_header_once_and_counts_repeats() {
        let mut map = HeaderMap::new();
        map.insert(headers::USER_ID, HeaderValue::from_static("7"));
        map.append(headers::USER_ROLE, HeaderValue::from_static("admin"));
        map.append(headers::USER_ROLE, HeaderValue::from_static("user"));
        map.insert("x-other", HeaderValue::from_static("x"));
        let found = HostHeaders::scan(&map);
        assert_eq!(found.user_id.single().unwrap().map(HeaderValue::as_bytes), Some(&b"7"[..]));
        assert_eq!(found.user_role.single(), Err(2));
        assert_eq!(found.signature.single(), Ok(None));
    }
}
