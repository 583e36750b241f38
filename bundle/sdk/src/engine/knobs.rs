//! Operator knobs: durations and counts read from `TEMPS_BUNDLE_*` environment variables, with defaults that are
//! right when the environment is empty (newest hosts clear it).

use std::time::Duration;

use temps_bundle_protocol::Generation;

use crate::channel::ChannelConfig;

/// The platform channel's settings for a host of `generation`: `TEMPS_BUNDLE_CHANNEL_WAIT_MS`,
/// `TEMPS_BUNDLE_CALL_TIMEOUT_MS` and the event size cap (`TEMPS_BUNDLE_MAX_EVENT_BYTES`, as on `/_events`).
pub(crate) fn channel_config(generation: Generation) -> ChannelConfig {
    let defaults = ChannelConfig::defaults(generation);
    ChannelConfig {
        connect_wait: env_duration("TEMPS_BUNDLE_CHANNEL_WAIT_MS", defaults.connect_wait),
        call_timeout: env_duration("TEMPS_BUNDLE_CALL_TIMEOUT_MS", defaults.call_timeout),
        max_event_bytes: crate::events::max_event_bytes(),
        ..defaults
    }
}

/// The duration in milliseconds in `name`, or `default` when it is unset or not a number.
pub(crate) fn env_duration(name: &str, default: Duration) -> Duration {
    std::env::var(name).ok().and_then(|ms| ms.trim().parse().ok()).map_or(default, Duration::from_millis)
}

/// The count in `name`, or `default` when it is unset or not a number.
pub(crate) fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|n| n.trim().parse().ok()).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_garbage_falls_back_to_the_default() {
        let default = Duration::from_secs(3);
        assert_eq!(env_duration("TEMPS_BUNDLE_SURELY_UNSET_KNOB_MS", default), default);
    }
}
