//! The limits a member runs under: the bundle file's `[members.X]` values with the engine's defaults filled in.
//! These are what `temps-bundle manifest` shows in `bundle.members[].limits`.

use std::time::Duration;

use serde::Serialize;

use crate::host::MemberLimits;

/// A request that has not answered after this long gets a 504 and its handler future is dropped.
pub(crate) const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// Requests of one member in flight at once; the next one gets a 503 with `Retry-After` at once.
pub(crate) const DEFAULT_MAX_CONCURRENT_REQUESTS: u32 = 256;
/// Largest request body a member accepts (2 MiB); larger ones get a 413.
pub(crate) const DEFAULT_MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;
/// An event handler that has not returned after this long is cancelled and counted as `timeout`.
pub(crate) const DEFAULT_EVENT_TIMEOUT_MS: u64 = 30_000;
/// Undelivered events queued for one member; when full, the oldest is dropped (and counted).
///
/// Sized for deploy bursts: 5 000 `deployment.created` posted in ≈ 4 s put deploy-pulse ≈ 1 900 events behind
/// (1 000 queued and ≈ 900 dropped with the former default of 1 000), so 4 000 holds twice that. Memory stays bounded
/// by the 256 KiB event cap: at worst 4 000 × 256 KiB ≈ 1 000 MiB per member, reached only if the host itself sends
/// thousands of maximum-size events faster than the member handles them (`/_events` and the channel need the
/// host's secret); a real deployment event is ≈ 1 KiB, so a full backlog is ≈ 4 MiB.
pub(crate) const DEFAULT_EVENT_BACKLOG: u32 = 4_000;

/// Every limit of one member, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct EffectiveLimits {
    pub request_timeout_ms: u64,
    pub max_concurrent_requests: u32,
    pub max_body_bytes: u64,
    pub event_timeout_ms: u64,
    pub event_backlog: u32,
}

impl Default for EffectiveLimits {
    fn default() -> Self {
        Self::resolve(&MemberLimits::DEFAULT)
    }
}

impl EffectiveLimits {
    /// The configured values, defaults where none was given. Zero is raised to the smallest working value (one
    /// request, one event, 1 ms): the bundle file refuses zeros, and a member that can never answer helps no one.
    pub(crate) fn resolve(configured: &MemberLimits) -> Self {
        Self {
            request_timeout_ms: configured.request_timeout_ms.unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS).max(1),
            max_concurrent_requests: configured
                .max_concurrent_requests
                .unwrap_or(DEFAULT_MAX_CONCURRENT_REQUESTS)
                .max(1),
            max_body_bytes: configured.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
            event_timeout_ms: configured.event_timeout_ms.unwrap_or(DEFAULT_EVENT_TIMEOUT_MS).max(1),
            event_backlog: configured.event_backlog.unwrap_or(DEFAULT_EVENT_BACKLOG).max(1),
        }
    }

    pub(crate) fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub(crate) fn event_timeout(&self) -> Duration {
        Duration::from_millis(self.event_timeout_ms)
    }

    /// The body limit as a `usize` (saturating on 32-bit targets).
    pub(crate) fn max_body(&self) -> usize {
        usize::try_from(self.max_body_bytes).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_what_is_not_configured() {
        let configured =
            MemberLimits { request_timeout_ms: Some(500), event_backlog: Some(0), ..MemberLimits::DEFAULT };
        let limits = EffectiveLimits::resolve(&configured);
        assert_eq!(limits.request_timeout_ms, 500);
        assert_eq!(limits.max_concurrent_requests, DEFAULT_MAX_CONCURRENT_REQUESTS);
        assert_eq!(limits.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert_eq!(limits.event_timeout_ms, DEFAULT_EVENT_TIMEOUT_MS);
        assert_eq!(limits.event_backlog, 1, "zero is raised to one");
    }
}
