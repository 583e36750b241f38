//! The baseline of the request-cost comparison: a bare axum handler (`GET /ping` → `pong`, what a synthetic
//! member answers) on a Unix socket, with no signature check, no identity parsing, no dispatch and no panic guard.
//!
//! It runs in its own process (this binary's hidden `bare-server` command) on a tokio runtime built exactly like the
//! engine's (`new_multi_thread().enable_all()`, one worker per core), so it competes with the load generator for
//! the cores the same way the bundle does.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::routing::get;
use tokio::net::{UnixListener, UnixStream};
use tokio::process::{Child, Command};

/// `temps-bundle-bench bare-server --socket P`: serves until killed.
pub fn serve(socket: &Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("building the runtime")?;
    runtime.block_on(async {
        let listener = UnixListener::bind(socket).with_context(|| format!("binding {}", socket.display()))?;
        axum::serve(listener, router()).await.context("serving")
    })
}

fn router() -> Router {
    Router::new().route("/ping", get(|| async { "pong" }))
}

/// The bare server's process, killed when dropped.
pub struct BareServer {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl BareServer {
    /// Starts `bare-server` and waits until its socket accepts connections.
    pub async fn start() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("tpb-").tempdir_in("/tmp").context("creating a socket dir")?;
        let socket = dir.path().join("bare.sock");
        let exe = std::env::current_exe().context("locating this binary")?;
        let child = Command::new(exe)
            .arg("bare-server")
            .arg("--socket")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting the bare axum server")?;
        let server = Self { child, socket, _dir: dir };
        server.wait_listening(Duration::from_secs(10)).await?;
        Ok(server)
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the bare server has exited")
    }

    /// SIGKILL and reap.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }

    async fn wait_listening(&self, timeout: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        while UnixStream::connect(&self.socket).await.is_err() {
            if started.elapsed() > timeout {
                bail!("the bare server did not listen on {} within {timeout:?}", self.socket.display());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }
}
