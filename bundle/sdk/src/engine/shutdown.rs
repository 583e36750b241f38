//! Signals and the graceful-shutdown deadline. Hosts usually SIGKILL (protocol §9), so this is a courtesy:
//! committed data must never depend on it.

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

use super::error::EngineError;

/// How long in-flight requests may take after a signal unless `TEMPS_BUNDLE_SHUTDOWN_GRACE_MS` says otherwise.
/// Tools send SIGKILL 2 s after SIGTERM (protocol §9), so the drain and the members' `on_shutdown` must fit in that.
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_millis(1500);

/// How long one member's `on_shutdown` may take.
pub(crate) const MEMBER_SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(500);

/// A future resolving on the first SIGTERM or SIGINT, with the signal's name.
pub(crate) fn termination() -> Result<impl Future<Output = &'static str>, EngineError> {
    let mut term = signal(SignalKind::terminate()).map_err(EngineError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(EngineError::Signals)?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}

/// The grace period for in-flight requests.
pub(crate) fn grace() -> Duration {
    super::knobs::env_duration("TEMPS_BUNDLE_SHUTDOWN_GRACE_MS", DEFAULT_GRACE)
}
