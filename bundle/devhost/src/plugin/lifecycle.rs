//! Stopping a plugin: SIGTERM then SIGKILL (the CLI dev runner), or SIGKILL straight away (Temps).

use std::process::ExitStatus;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::RunningPlugin;
use crate::error::DevHostError;

/// How a stopped plugin ended.
#[derive(Debug, Clone)]
pub struct StopReport {
    pub status: ExitStatus,
    /// True when the plugin exited without needing SIGKILL.
    pub graceful: bool,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

/// How long Temps waits after SIGKILL.
const KILL_WAIT: Duration = Duration::from_secs(5);

impl RunningPlugin {
    /// SIGTERM, wait up to the stop timeout (default 2 s), then SIGKILL.
    pub async fn stop(mut self) -> Result<StopReport, DevHostError> {
        self.signal(Signal::SIGTERM)?;
        match tokio::time::timeout(self.stop_timeout, self.child.wait()).await {
            Ok(waited) => {
                let status = waited.map_err(|e| process_error("wait for", &e))?;
                Ok(self.report(status, true).await)
            }
            Err(_) => {
                tracing::warn!(timeout = ?self.stop_timeout, "the plugin ignored SIGTERM; sending SIGKILL");
                self.kill().await
            }
        }
    }

    /// SIGKILL straight away (what Temps does), then wait up to 5 s.
    pub async fn kill(mut self) -> Result<StopReport, DevHostError> {
        if self.try_exit_status().is_none() {
            self.child.start_kill().map_err(|e| process_error("kill", &e))?;
        }
        let status = self.wait_exit(KILL_WAIT).await?;
        Ok(self.report(status, false).await)
    }

    /// Waits for the child to exit by itself.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus, DevHostError> {
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(waited) => waited.map_err(|e| process_error("wait for", &e)),
            Err(_) => Err(DevHostError::ExitTimeout(timeout)),
        }
    }

    /// The exit status if the child has exited, without waiting.
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn signal(&self, signal: Signal) -> Result<(), DevHostError> {
        let Some(pid) = self.child.id() else { return Ok(()) };
        let pid =
            i32::try_from(pid).map_err(|_| DevHostError::Process { action: "signal", detail: format!("pid {pid}") })?;
        match kill(Pid::from_raw(pid), signal) {
            Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
            Err(errno) => {
                Err(DevHostError::Process { action: "signal", detail: format!("{signal} to {pid}: {errno}") })
            }
        }
    }

    async fn report(mut self, status: ExitStatus, graceful: bool) -> StopReport {
        self.channel.take();
        self.stderr.wait_finished(Duration::from_secs(1)).await;
        StopReport { status, graceful, stderr: self.stderr.text() }
    }
}

fn process_error(action: &'static str, error: &std::io::Error) -> DevHostError {
    DevHostError::Process { action, detail: error.to_string() }
}
