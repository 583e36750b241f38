//! The reqwest clients of the process: one per distinct client configuration, built on the first request that needs
//! it. Members with the same limits share one connection pool, one TLS configuration and one guarded resolver,
//! and a member that never calls out never builds any (an idle bundle keeps no TLS roots in memory).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::HttpError;
use crate::policy::OutboundPolicy;
use crate::resolver::GuardedResolver;

/// What a reqwest client fixes when it is built; everything else (the user agent, the total timeout) is set per
/// request, so members differing only there share a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientKey {
    pub(crate) connect_timeout: Duration,
    pub(crate) max_redirects: usize,
    pub(crate) policy: OutboundPolicy,
}

/// Every client built so far, with its key (a handful at most: a linear search is the right map).
static CLIENTS: Mutex<Vec<(ClientKey, reqwest::Client)>> = Mutex::new(Vec::new());

/// The process's client for `key`, built now if it is the first request with this configuration.
pub(crate) fn client_for(key: &ClientKey) -> Result<reqwest::Client, HttpError> {
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, client)) = clients.iter().find(|(k, _)| k == key) {
        return Ok(client.clone());
    }
    let policy = Arc::new(key.policy.clone());
    let client = reqwest::Client::builder()
        .connect_timeout(key.connect_timeout)
        .redirect(crate::client::redirect_policy(policy.clone(), key.max_redirects))
        .dns_resolver(Arc::new(GuardedResolver::new(policy)))
        // A system proxy would be dialled instead of the target, bypassing the guard.
        .no_proxy()
        .build()
        .map_err(|e| HttpError::Build(crate::client::error_chain(&e)))?;
    clients.push((key.clone(), client.clone()));
    Ok(client)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    fn key(host: &str, max_redirects: usize) -> ClientKey {
        let policy = OutboundPolicy { allow_private: false, allow_hosts: vec![host.to_owned()] };
        ClientKey { connect_timeout: Duration::from_secs(5), max_redirects, policy }
    }

    fn built(key: &ClientKey) -> usize {
        CLIENTS.lock().unwrap().iter().filter(|(k, _)| k == key).count()
    }

    #[test]
    fn one_client_per_configuration_built_on_first_use() {
        let (a, b) = (key("shared-test-a.example", 5), key("shared-test-a.example", 0));
        assert_eq!(built(&a), 0, "nothing is built before a request needs it");
        client_for(&a).unwrap();
        client_for(&a).unwrap();
        assert_eq!(built(&a), 1, "the same configuration shares one client");
        client_for(&b).unwrap();
        assert_eq!((built(&a), built(&b)), (1, 1), "another redirect limit is another client");
    }
}
