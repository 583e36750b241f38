//! What the operator allows beyond public internet addresses.

/// `1`/`true`/`yes` lets members reach private, loopback and other non-public addresses.
pub const ALLOW_PRIVATE_ENV: &str = "TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS";
/// A comma-separated list of host names (or IP literals) that may resolve to non-public addresses.
pub const ALLOW_HOSTS_ENV: &str = "TEMPS_BUNDLE_ALLOW_HOSTS";

/// Which non-public targets the guard lets through. The default refuses all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Allow every non-public address (self-hosted receivers on a private network, tests on loopback).
    pub allow_private: bool,
    /// Hosts allowed even when they resolve to non-public addresses, compared case-insensitively with the URL's
    /// host (a name, or an IP literal without brackets).
    pub allow_hosts: Vec<String>,
}

impl OutboundPolicy {
    /// The operator's policy from [`ALLOW_PRIVATE_ENV`] and [`ALLOW_HOSTS_ENV`].
    pub fn from_env() -> Self {
        let allow_private = std::env::var(ALLOW_PRIVATE_ENV)
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        let allow_hosts = std::env::var(ALLOW_HOSTS_ENV)
            .map(|list| list.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        Self { allow_private, allow_hosts }
    }

    /// A policy that allows every target (tests against local servers).
    pub fn allow_all() -> Self {
        Self { allow_private: true, allow_hosts: Vec::new() }
    }

    /// Whether `host` may reach non-public addresses.
    pub fn host_is_allowed(&self, host: &str) -> bool {
        let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.');
        self.allow_private || self.allow_hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_without_case_brackets_or_trailing_dot() {
        let policy = OutboundPolicy { allow_private: false, allow_hosts: vec!["Hooks.Lan".into(), "::1".into()] };
        assert!(policy.host_is_allowed("hooks.lan."));
        assert!(policy.host_is_allowed("[::1]"));
        assert!(!policy.host_is_allowed("other.lan"));
        assert!(OutboundPolicy::allow_all().host_is_allowed("anything"));
        assert!(!OutboundPolicy::default().host_is_allowed("localhost"));
    }
}
