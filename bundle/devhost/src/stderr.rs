//! Continuous draining of the child's stderr into a buffer (optionally echoed), so it never blocks on a full pipe.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::ChildStderr;
use tokio::sync::watch;

/// The most stderr kept; older output is dropped first.
const MAX_KEPT: usize = 8 * 1024 * 1024;

/// Everything the child wrote to stderr so far.
#[derive(Debug, Clone)]
pub(crate) struct StderrBuffer {
    bytes: Arc<Mutex<Vec<u8>>>,
    finished: watch::Receiver<bool>,
}

impl StderrBuffer {
    /// Starts draining `stderr` on a task.
    pub(crate) fn start(stderr: Option<ChildStderr>, echo: bool) -> Self {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let (finish, finished) = watch::channel(false);
        let buffer = Self { bytes: Arc::clone(&bytes), finished };
        if let Some(stderr) = stderr {
            tokio::spawn(drain(stderr, bytes, echo, finish));
        } else {
            let _ = finish.send(true);
        }
        buffer
    }

    /// The output so far, invalid UTF-8 replaced.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }

    /// Waits (bounded) until the pipe reached EOF, so the text includes the child's last words.
    pub(crate) async fn wait_finished(&self, timeout: Duration) {
        let mut finished = self.finished.clone();
        let _ = tokio::time::timeout(timeout, finished.wait_for(|done| *done)).await;
    }
}

async fn drain(mut stderr: ChildStderr, bytes: Arc<Mutex<Vec<u8>>>, echo: bool, finish: watch::Sender<bool>) {
    let mut chunk = vec![0u8; 8192];
    let mut our_stderr = tokio::io::stderr();
    while let Ok(n) = stderr.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let read = &chunk[..n];
        {
            let mut kept = bytes.lock().unwrap_or_else(PoisonError::into_inner);
            kept.extend_from_slice(read);
            if kept.len() > MAX_KEPT {
                let excess = kept.len() - MAX_KEPT;
                kept.drain(..excess);
            }
        }
        if echo {
            let _ = our_stderr.write_all(read).await;
        }
    }
    let _ = finish.send(true);
}
