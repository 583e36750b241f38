//! The channel's settings, as values: the engine reads them from the operator's knobs and passes them in, so the
//! hub itself never looks at the environment (and tests build one with whatever waits they need).

use std::time::Duration;

use temps_bundle_protocol::Generation;

/// How long a call waits for the host to open the channel unless the engine says otherwise.
pub(crate) const DEFAULT_CONNECT_WAIT: Duration = Duration::from_secs(10);
/// How long a call waits for its answer unless the engine says otherwise.
pub(crate) const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// What a [`super::ChannelHub`] needs to know about the host and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChannelConfig {
    /// The protocol generation of the host: it decides the frames the hub writes.
    pub(crate) generation: Generation,
    /// How long a call waits for the host to open the channel.
    pub(crate) connect_wait: Duration,
    /// How long a call waits for its answer.
    pub(crate) call_timeout: Duration,
    /// The largest event (frame bytes) handed on; larger ones are dropped and logged.
    pub(crate) max_event_bytes: usize,
}

impl ChannelConfig {
    /// The defaults for a host of `generation` (what an empty environment gives).
    pub(crate) fn defaults(generation: Generation) -> Self {
        Self {
            generation,
            connect_wait: DEFAULT_CONNECT_WAIT,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            max_event_bytes: crate::events::DEFAULT_MAX_EVENT_BYTES,
        }
    }
}
