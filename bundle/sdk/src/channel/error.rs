//! Errors of channel calls, one variant per way a call can fail.

use std::time::Duration;

use temps_bundle_protocol::ChannelErrorCode;

/// Why a channel call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// Refused locally: the member's manifest does not declare what the call needs. The host was not asked.
    #[error("permission_denied: member {member:?} may not call {method} (declare {needs} in its manifest)")]
    PermissionDenied { member: String, method: String, needs: String },
    /// The host did not open the channel within the wait (it opens it right after `ready`; some Gen A hosts never do).
    #[error(
        "the platform channel is not connected (waited {} ms; the host opens it right after ready, some Gen A hosts never do)",
        .waited.as_millis()
    )]
    NotConnected { waited: Duration },
    /// The call was awaited before `ready` was written, i.e. inside `on_start`: the host cannot open the channel yet.
    #[error(
        "the platform channel opens only after start-up: a call awaited inside on_start cannot be answered (make it from a handler or a ctx.spawn task)"
    )]
    BeforeReady,
    /// The host did not answer in time.
    #[error("{method}: no answer from the host within {} ms", .after.as_millis())]
    Timeout { method: String, after: Duration },
    /// The host answered with an error.
    #[error("{method} failed on the host: {} ({message})", .code.as_str())]
    Host { method: String, code: ChannelErrorCode, message: String },
    /// The channel closed while the call was in flight.
    #[error("{method}: the platform channel is closed (hosts reopen it only by restarting the plugin)")]
    Closed { method: String },
    /// The host's answer did not have the expected shape.
    #[error("{method}: unexpected result from the host: {detail}")]
    Decode { method: String, detail: String },
    /// Refused locally: the call is larger than the protocol carries. The host was not asked.
    #[error("{method}: {what} is {size} bytes; the platform channel carries at most {limit} bytes")]
    TooLarge { method: String, what: &'static str, size: usize, limit: usize },
    /// `api_call` needs the caller's actor token, which the host sends only when the member declares capabilities.
    #[error("api_call needs the caller's actor token; the request carried none (declare a capability in the manifest)")]
    NoActorToken,
}

impl ChannelError {
    /// The protocol error code this error corresponds to, when it has one.
    pub fn code(&self) -> Option<ChannelErrorCode> {
        match self {
            Self::PermissionDenied { .. } => Some(ChannelErrorCode::PermissionDenied),
            Self::Host { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A short name of the variant (the `outcome` label of the channel call metric).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PermissionDenied { .. } => "permission_denied",
            Self::NotConnected { .. } => "not_connected",
            Self::BeforeReady => "before_ready",
            Self::Timeout { .. } => "timeout",
            Self::Host { .. } => "host_error",
            Self::Closed { .. } => "closed",
            Self::Decode { .. } => "decode",
            Self::NoActorToken => "no_actor_token",
            Self::TooLarge { .. } => "too_large",
        }
    }

    /// Whether the host said the thing does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(ChannelErrorCode::NotFound)
    }
}
