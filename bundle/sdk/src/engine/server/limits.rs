//! The socket server's timeouts and caps, from `TEMPS_BUNDLE_*` knobs, and the file-descriptor limit they need.

use std::time::Duration;

use crate::engine::knobs::{env_count, env_duration};

/// How long a client may take to send a request's headers, and how long a keep-alive connection may sit idle
/// between requests (hyper starts the same timer when it waits for the next request's head).
pub(crate) const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a request body may take to arrive whole, from the moment a handler starts reading it.
pub(crate) const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// How many connections are served at once; at the cap the oldest idle connection is closed for a new one.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// File descriptors kept free of connections: SQLite files, outbound HTTP sockets, the channel, logs.
pub(crate) const RESERVED_DESCRIPTORS: u64 = 128;
/// The smallest connection cap, whatever the descriptor limit says.
const MIN_CONNECTIONS: usize = 16;

/// What the accept loop enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl ServerLimits {
    /// The limits from `TEMPS_BUNDLE_HEADER_TIMEOUT_MS`, `TEMPS_BUNDLE_BODY_TIMEOUT_MS` and
    /// `TEMPS_BUNDLE_MAX_CONNECTIONS`, or their defaults.
    pub(crate) fn from_env() -> Self {
        Self {
            header_timeout: env_duration("TEMPS_BUNDLE_HEADER_TIMEOUT_MS", DEFAULT_HEADER_TIMEOUT),
            body_timeout: env_duration("TEMPS_BUNDLE_BODY_TIMEOUT_MS", DEFAULT_BODY_TIMEOUT),
            max_connections: env_count("TEMPS_BUNDLE_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS),
        }
    }

    /// The connection cap lowered, if need be, so connections never take the descriptors the rest of the process
    /// needs (`descriptors` is the soft `RLIMIT_NOFILE`).
    pub(crate) fn fitted_to(self, descriptors: u64) -> Self {
        let room = usize::try_from(descriptors.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX);
        Self { max_connections: self.max_connections.min(room).max(MIN_CONNECTIONS), ..self }
    }
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (1024 soft is the common default, and idle clients could
/// otherwise take every descriptor) and returns the soft limit now in force. Failure is logged, never fatal.
pub(crate) fn raise_descriptor_limit() -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok(limits) => limits,
        Err(error) => {
            tracing::warn!(%error, "cannot read RLIMIT_NOFILE; assuming 1024");
            return 1024;
        }
    };
    if soft >= hard {
        return soft;
    }
    match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
        Ok(()) => {
            tracing::debug!(from = soft, to = hard, "raised the soft RLIMIT_NOFILE to the hard limit");
            hard
        }
        Err(error) => {
            tracing::warn!(%error, soft, hard, "cannot raise the soft RLIMIT_NOFILE");
            soft
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_other_descriptors() {
        let limits = ServerLimits::default();
        assert_eq!(limits.fitted_to(1_048_576).max_connections, DEFAULT_MAX_CONNECTIONS);
        assert_eq!(limits.fitted_to(1024).max_connections, 1024 - 128);
        assert_eq!(limits.fitted_to(20).max_connections, MIN_CONNECTIONS);
    }

    #[test]
    fn raising_reaches_the_hard_limit() {
        use nix::sys::resource::{Resource, getrlimit};
        let soft = raise_descriptor_limit();
        let (now_soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        assert_eq!((soft, now_soft), (hard, hard));
    }
}
