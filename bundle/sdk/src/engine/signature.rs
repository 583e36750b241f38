//! The host's request signature: in Gen B every proxied request carries the per-process secret verbatim in
//! `x-temps-auth-signature`, compared here in constant time. Gen A hosts send none.

use std::sync::Arc;

use axum::http::HeaderMap;
use subtle::ConstantTimeEq;

use crate::host_headers::{HostHeaders, Seen};
use crate::problem::Problem;

/// The secret requests must carry, or none (Gen A).
#[derive(Clone, Default)]
pub(crate) struct HostSecret(Option<Arc<str>>);

impl HostSecret {
    /// A secret that must be presented.
    pub(crate) fn required(secret: &str) -> Self {
        Self(Some(Arc::from(secret)))
    }

    /// No secret: Gen A hosts cannot send one, so nothing is checked.
    pub(crate) fn none() -> Self {
        Self(None)
    }

    /// Whether requests are checked at all.
    pub(crate) fn is_required(&self) -> bool {
        self.0.is_some()
    }

    /// `Ok` if the signature is present and right (or none is required); otherwise a 401 problem saying which.
    pub(crate) fn verify(&self, headers: &HeaderMap) -> Result<(), Problem> {
        self.verify_found(HostHeaders::scan(headers).signature)
    }

    /// [`HostSecret::verify`] of a signature header already found (`HostHeaders::scan`).
    pub(crate) fn verify_found(&self, signature: Seen<'_>) -> Result<(), Problem> {
        let Some(secret) = &self.0 else { return Ok(()) };
        let given = signature.single().map_err(|count| {
            Problem::authentication_required(format!(
                "the x-temps-auth-signature header appears {count} times; the host sends it once"
            ))
        })?;
        match given {
            None => Err(Problem::authentication_required("the x-temps-auth-signature header is missing")),
            Some(given) if same_secret(given.as_bytes(), secret.as_bytes()) => Ok(()),
            Some(_) => Err(Problem::authentication_required("the x-temps-auth-signature header is wrong")),
        }
    }
}

/// Whether `given` is `secret`, in time that depends on their lengths only. `subtle`'s slice comparison puts an
/// optimization barrier on every byte (≈ 30 ns per request for a 32-byte secret, `cargo xtask bench`); folding the
/// differences first and comparing the fold in constant time is as blind to where they differ, with one barrier.
fn same_secret(given: &[u8], secret: &[u8]) -> bool {
    if given.len() != secret.len() {
        return false;
    }
    let differences = given.iter().zip(secret).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    bool::from(differences.ct_eq(&0))
}

impl std::fmt::Debug for HostSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret itself.
        f.write_str(if self.0.is_some() { "HostSecret(required)" } else { "HostSecret(none)" })
    }
}

#[cfg(test)]
mod tests {
    use temps_bundle_protocol::headers::AUTH_SIGNATURE;

    use super::*;

    #[test]
    fn verification() {
        let secret = HostSecret::required("s3cret");
        let mut headers = HeaderMap::new();
        assert!(secret.verify(&headers).unwrap_err().detail.contains("missing"));
        headers.insert(AUTH_SIGNATURE, "nope".parse().unwrap());
        assert!(secret.verify(&headers).unwrap_err().detail.contains("wrong"));
        headers.insert(AUTH_SIGNATURE, "s3cret".parse().unwrap());
        assert!(secret.verify(&headers).is_ok());
        headers.append(AUTH_SIGNATURE, "nope".parse().unwrap());
        assert!(secret.verify(&headers).unwrap_err().detail.contains("appears 2 times"));
        assert!(HostSecret::none().verify(&HeaderMap::new()).is_ok());
        assert!(!same_secret(b"s3cret", b"s3cre"), "a prefix is not the secret");
        assert!(!same_secret(b"s3creT", b"s3cret"), "nor is a secret with its last byte changed");
        assert_eq!(format!("{secret:?}"), "HostSecret(required)");
    }
}
