//! The IndexNow key: generating one, where its file must be served, and checking that it is.

use temps_bundle_crawl::Url;
use temps_bundle_http::OutboundClient;

use crate::error::IndexNowError;

/// A new key: 32 lowercase hex characters (the protocol allows 8–128 of `a-zA-Z0-9-`).
pub fn generate() -> Result<String, IndexNowError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| IndexNowError::Key(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `key` is one the protocol accepts.
pub fn validate(key: &str) -> Result<(), String> {
    if !(8..=128).contains(&key.len()) {
        return Err("must be 8 to 128 characters".into());
    }
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("may only contain letters, digits and '-'".into());
    }
    Ok(())
}

/// The exact URL the key file must be served at for `site`: `key_location` when set, else `<site>/<key>.txt`.
pub fn file_url(site: &Url, key: &str, key_location: Option<&str>) -> String {
    match key_location {
        Some(location) => site.join(location).map(String::from).unwrap_or_else(|_| location.to_owned()),
        None => format!("{}/{key}.txt", site.origin().ascii_serialization()),
    }
}

/// Why submission for a site cannot happen, in words for the UI; `None` when the key file is served correctly.
pub async fn check(client: &OutboundClient, file_url: &str, key: &str) -> Option<String> {
    match client.get(file_url).send().await {
        Err(error) => Some(format!("the key file {file_url} cannot be fetched: {error}")),
        Ok(response) if !response.status.is_success() => {
            Some(format!("the key file {file_url} answered {}; serve a file containing the key there", response.status))
        }
        Ok(response) if response.text().trim() != key => {
            Some(format!("the key file {file_url} does not contain the key (it must contain exactly `{key}`)"))
        }
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn keys_and_their_file_urls() {
        let key = generate().unwrap();
        assert_eq!(key.len(), 32);
        assert!(validate(&key).is_ok());
        assert_ne!(generate().unwrap(), key);
        assert!(validate("short").is_err());
        assert!(validate("has space in it").is_err());
        let site = Url::parse("https://www.example.com/blog/").unwrap();
        assert_eq!(file_url(&site, "abc12345", None), "https://www.example.com/abc12345.txt");
        assert_eq!(file_url(&site, "abc12345", Some("/keys/k.txt")), "https://www.example.com/keys/k.txt");
    }
}
