//! What a member gets from the engine: its name, its own data directory, launch facts, and the shutdown signal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use temps_bundle_protocol::Generation;
use tokio::sync::watch;

use crate::channel::{ChannelHub, Scope, Temps};
use crate::isolation::MemberIsolation;
use crate::tasks::{Supervisor, TaskStatus, shutdown_begins};

/// A member's view of the running bundle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Context {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    member: String,
    data_dir: PathBuf,
    generation: Generation,
    database_url: Option<String>,
    host_data_dir: Option<PathBuf>,
    shutdown: watch::Receiver<bool>,
    temps: Temps,
    tasks: Supervisor,
}

/// The launch facts shared by every member of one process.
#[derive(Debug, Clone)]
pub(crate) struct LaunchFacts {
    pub(crate) generation: Generation,
    pub(crate) database_url: Option<String>,
    pub(crate) host_data_dir: Option<PathBuf>,
    pub(crate) shutdown: watch::Receiver<bool>,
    pub(crate) channel: Arc<ChannelHub>,
}

impl Context {
    /// A context for `member`, storing its files in `data_dir`, calling the channel within `scope`.
    /// The engine builds these; tests may too.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn new(member: &str, data_dir: PathBuf, facts: LaunchFacts, scope: Scope) -> Self {
        Self::for_member(data_dir, facts, scope, MemberIsolation::standalone(member))
    }

    /// The context of a member the engine hosts, under its limits and kill switch.
    pub(crate) fn for_member(
        data_dir: PathBuf,
        facts: LaunchFacts,
        scope: Scope,
        isolation: Arc<MemberIsolation>,
    ) -> Self {
        let member: &str = &isolation.name;
        let temps = Temps::new(member, scope, facts.channel);
        let tasks = Supervisor::new(isolation.clone(), facts.shutdown.clone());
        Self {
            inner: Arc::new(Inner {
                member: member.to_owned(),
                data_dir,
                generation: facts.generation,
                database_url: facts.database_url,
                host_data_dir: facts.host_data_dir,
                shutdown: facts.shutdown,
                temps,
                tasks,
            }),
        }
    }

    /// A context for tests: Gen B, no database, a shutdown signal that never fires, and a channel that never
    /// connects (calls fail with `NotConnected` after a short wait).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn for_tests(member: &str, data_dir: PathBuf, scope: Scope) -> Self {
        let (_tx, shutdown) = watch::channel(false);
        let wait = std::time::Duration::from_millis(50);
        let channel = Arc::new(ChannelHub::with_timeouts(Generation::B, wait, wait));
        let facts =
            LaunchFacts { generation: Generation::B, database_url: None, host_data_dir: None, shutdown, channel };
        Self::new(member, data_dir, facts, scope)
    }

    /// Runs a background task under supervision: `make_task` is called to (re)start it and gets nothing from the
    /// engine — capture what the task needs (usually a clone of your state). The task is stopped when the bundle
    /// shuts down or an administrator disables the member (its future is dropped at the next `.await`, so keep
    /// what must survive in your store), restarted with backoff if it panics, and reported in `/health`.
    ///
    /// ```text
    /// let state = state.clone();
    /// ctx.spawn("backfill", move || backfill(state.clone()));
    /// ```
    pub fn spawn<F, Fut>(&self, name: &str, make_task: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.inner.tasks.spawn(name, make_task);
    }

    /// The supervised tasks of this member and how they are doing.
    pub(crate) fn tasks(&self) -> Vec<TaskStatus> {
        self.inner.tasks.snapshot()
    }

    /// The platform channel, limited to the calls this member's manifest declares.
    pub fn temps(&self) -> &Temps {
        &self.inner.temps
    }

    /// The member's name (its mount point in the bundle).
    pub fn member(&self) -> &str {
        &self.inner.member
    }

    /// The member's own data directory (`<data-dir>/<member>/` in a bundle). It exists when `on_start` runs.
    /// Nothing outside it belongs to this member.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Which protocol generation the host speaks.
    pub fn generation(&self) -> Generation {
        self.inner.generation
    }

    /// The Temps database URL, when this member declared `requires_db` and the host disclosed it.
    pub fn database_url(&self) -> Option<&str> {
        self.inner.database_url.as_deref()
    }

    /// The host's data directory, when this member declared `requires_host_data_access`.
    pub fn host_data_dir(&self) -> Option<&Path> {
        self.inner.host_data_dir.as_deref()
    }

    /// Resolves when the bundle starts shutting down; background loops should select on it.
    pub async fn shutdown_requested(&self) {
        shutdown_begins(&self.inner.shutdown).await;
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }
}
