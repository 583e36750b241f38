//! Supervised background tasks (`ctx.spawn`): named, stopped at shutdown, restarted with backoff after a panic,
//! and given up (and reported in `/health`) after too many panics. While an administrator has the member disabled
//! its tasks are stopped; enabling it starts them again.
//!
//! A task is a closure that makes a future; it gets nothing from the engine (it captures the state it needs).
//! Stopping it drops the future at its next `.await`, so a task keeps whatever must survive in its store. The
//! supervisor itself needs only the member's isolation state (name, kill switch, watchdog) and the shutdown flag.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;

use crate::isolation::MemberIsolation;
use crate::isolation::watchdog::{Activity, Watched};
use crate::panic::panic_message;

/// How many panics a task may have before the supervisor gives up on it.
pub(crate) const MAX_RESTARTS: u32 = 5;
/// The first restart delay; it doubles after each panic, up to [`MAX_BACKOFF`].
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest restart delay.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Where a supervised task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Running,
    /// Panicked; waiting to be restarted.
    Restarting,
    /// Returned, or stopped at shutdown.
    Finished,
    /// Panicked more than [`MAX_RESTARTS`] times; not restarted again.
    Failed,
    /// Stopped because an administrator disabled the member; starts again when it is enabled.
    Disabled,
}

/// A snapshot of one supervised task, as `/health` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    pub name: String,
    pub state: TaskState,
    pub restarts: u32,
    pub last_panic: Option<String>,
}

/// The statuses of one member's supervised tasks.
#[derive(Debug, Default)]
struct TaskRegistry {
    tasks: Mutex<Vec<TaskStatus>>,
}

impl TaskRegistry {
    fn snapshot(&self) -> Vec<TaskStatus> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn register(&self, name: &str) -> usize {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        tasks.push(TaskStatus { name: name.to_owned(), state: TaskState::Running, restarts: 0, last_panic: None });
        tasks.len() - 1
    }

    fn update(&self, index: usize, change: impl FnOnce(&mut TaskStatus)) {
        if let Some(status) = self.tasks.lock().unwrap_or_else(PoisonError::into_inner).get_mut(index) {
            change(status);
        }
    }
}

/// Starts and watches one member's background tasks.
#[derive(Debug)]
pub(crate) struct Supervisor {
    isolation: Arc<MemberIsolation>,
    shutdown: watch::Receiver<bool>,
    registry: Arc<TaskRegistry>,
}

impl Supervisor {
    /// A supervisor for the member `isolation` describes; its tasks stop when `shutdown` turns true.
    pub(crate) fn new(isolation: Arc<MemberIsolation>, shutdown: watch::Receiver<bool>) -> Self {
        Self { isolation, shutdown, registry: Arc::default() }
    }

    /// Every task's current status, in the order they were spawned.
    pub(crate) fn snapshot(&self) -> Vec<TaskStatus> {
        self.registry.snapshot()
    }

    /// Runs `make_task()` under supervision until it returns or the bundle shuts down.
    pub(crate) fn spawn<F, Fut>(&self, name: &str, make_task: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let index = self.registry.register(name);
        let run = Run {
            name: name.to_owned(),
            index,
            isolation: self.isolation.clone(),
            shutdown: self.shutdown.clone(),
            registry: self.registry.clone(),
        };
        tokio::spawn(run.supervise(Arc::new(make_task)));
    }
}

/// Resolves when shutdown begins; never, when the sender is gone without one (a test context).
pub(crate) async fn shutdown_begins(shutdown: &watch::Receiver<bool>) {
    let mut rx = shutdown.clone();
    if rx.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// How one run of a task ended without a panic.
enum Ended {
    /// It returned, or shutdown stopped it.
    Returned,
    /// The member was disabled.
    Disabled,
}

/// One supervised task: what its loop needs.
struct Run {
    name: String,
    index: usize,
    isolation: Arc<MemberIsolation>,
    shutdown: watch::Receiver<bool>,
    registry: Arc<TaskRegistry>,
}

impl Run {
    async fn supervise<F, Fut>(self, make_task: Arc<F>)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Self { name, index, isolation, shutdown, registry } = self;
        let mut backoff = FIRST_BACKOFF;
        let switch = isolation.switch.clone();
        let activity = Activity::of(&isolation, "task", &name);
        let member = isolation.name.to_string();
        loop {
            if switch.is_disabled() {
                registry.update(index, |s| s.state = TaskState::Disabled);
                tokio::select! {
                    () = switch.enabled() => registry.update(index, |s| s.state = TaskState::Running),
                    () = shutdown_begins(&shutdown) => break,
                }
            }
            let (make, stop, off) = (make_task.clone(), shutdown.clone(), switch.clone());
            // `make_task` runs inside the attempt too, so a panic while building the future is caught as well.
            let attempt = tokio::spawn(Watched::new(
                async move {
                    tokio::select! {
                        () = make() => Ended::Returned,
                        () = shutdown_begins(&stop) => Ended::Returned,
                        () = off.disabled() => Ended::Disabled,
                    }
                },
                activity.clone(),
            ));
            let panic = match attempt.await {
                Ok(Ended::Returned) => break,
                Ok(Ended::Disabled) => continue,
                Err(join) if join.is_panic() => panic_message(join.into_panic().as_ref()),
                Err(_) => break,
            };
            tracing::error!(%member, task = %name, %panic, "background task panicked");
            crate::isolation::metrics::task_restart(&member, &name);
            let mut gave_up = false;
            registry.update(index, |s| {
                s.restarts += 1;
                s.last_panic = Some(panic.clone());
                gave_up = s.restarts > MAX_RESTARTS;
                s.state = if gave_up { TaskState::Failed } else { TaskState::Restarting };
            });
            if gave_up {
                tracing::error!(%member, task = %name, "background task panicked too often; not restarting it");
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = shutdown_begins(&shutdown) => break,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            registry.update(index, |s| s.state = TaskState::Running);
        }
        registry.update(index, |s| s.state = TaskState::Finished);
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "tests")]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A supervisor for member `m` with no Context around it, and the sender of its shutdown flag.
    fn supervisor() -> (Supervisor, watch::Sender<bool>) {
        let (stop, shutdown) = watch::channel(false);
        (Supervisor::new(MemberIsolation::standalone("m"), shutdown), stop)
    }

    /// Polls `check` until it holds or a generous deadline passes (the machine may be loaded).
    async fn eventually(what: &str, check: impl Fn() -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !check() {
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Spawns a task that never returns and counts its starts.
    fn spawn_counted_forever(tasks: &Supervisor) -> Arc<AtomicU32> {
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        tasks.spawn("forever", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>()
        });
        runs
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_restarted_then_given_up() {
        let (tasks, _stop) = supervisor();
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        tasks.spawn("flaky", move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                panic!("flaky task");
            }
        });
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(runs.load(Ordering::SeqCst), MAX_RESTARTS + 1);
        let status = &tasks.snapshot()[0];
        assert_eq!((status.state, status.restarts), (TaskState::Failed, MAX_RESTARTS + 1));
        assert_eq!(status.last_panic.as_deref(), Some("flaky task"));
    }

    // Paused time: the pauses below end only once every task is idle, not after a wall-clock time a loaded
    // machine may outlast.
    #[tokio::test(start_paused = true)]
    async fn a_disabled_member_stops_its_tasks_and_enabling_restarts_them() {
        let (tasks, _stop) = supervisor();
        let runs = spawn_counted_forever(&tasks);
        eventually("the task ran once", || runs.load(Ordering::SeqCst) == 1).await;
        tasks.isolation.set_disabled(true);
        eventually("the task is disabled", || tasks.snapshot()[0].state == TaskState::Disabled).await;
        tasks.isolation.set_disabled(false);
        eventually("the task ran again", || runs.load(Ordering::SeqCst) == 2).await;
        assert_eq!(tasks.snapshot()[0].state, TaskState::Running);
    }

    // Paused time: the pauses below end only once every task is idle, not after a wall-clock time a loaded
    // machine may outlast.
    #[tokio::test(start_paused = true)]
    async fn a_task_that_returns_is_finished() {
        let (tasks, _stop) = supervisor();
        tasks.spawn("once", || async {});
        eventually("the task finished", || tasks.snapshot()[0].state == TaskState::Finished).await;
    }

    #[tokio::test]
    async fn shutdown_stops_a_running_task_and_reports_it_finished() {
        let (tasks, stop) = supervisor();
        tasks.spawn("forever", std::future::pending::<()>);
        tokio::task::yield_now().await;
        assert_eq!(tasks.snapshot()[0].state, TaskState::Running);
        stop.send_replace(true);
        eventually("shutdown stopped the task", || tasks.snapshot()[0].state == TaskState::Finished).await;
    }

    #[tokio::test]
    async fn a_dropped_shutdown_sender_never_stops_a_task() {
        let (tasks, stop) = supervisor();
        let runs = spawn_counted_forever(&tasks);
        drop(stop);
        eventually("the task ran", || runs.load(Ordering::SeqCst) == 1).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(tasks.snapshot()[0].state, TaskState::Running, "a test context's tasks keep running");
    }
}
