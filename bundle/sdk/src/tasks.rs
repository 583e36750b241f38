//! Supervised background tasks (`ctx.spawn`): named, stopped at shutdown, restarted with backoff after a panic,
//! and given up (and reported in `/health`) after too many panics. While an administrator has the member disabled
//! its tasks are stopped; enabling it starts them again.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;

use crate::context::Context;
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

/// The supervised tasks of one member.
#[derive(Debug, Default)]
pub(crate) struct TaskRegistry {
    tasks: Mutex<Vec<TaskStatus>>,
}

impl TaskRegistry {
    /// Every task's current status.
    pub(crate) fn snapshot(&self) -> Vec<TaskStatus> {
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

/// How one run of a task ended without a panic.
enum Ended {
    /// It returned, or shutdown stopped it.
    Returned,
    /// The member was disabled.
    Disabled,
}

/// Runs `make_task(ctx)` under supervision until it returns or the bundle shuts down.
pub(crate) fn supervise<F, Fut>(ctx: Context, registry: Arc<TaskRegistry>, name: &str, make_task: F)
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let index = registry.register(name);
    let name = name.to_owned();
    let make_task = Arc::new(make_task);
    tokio::spawn(async move {
        let mut backoff = FIRST_BACKOFF;
        let switch = ctx.isolation().switch.clone();
        let activity = Activity::of(ctx.isolation(), "task", &name);
        loop {
            if switch.is_disabled() {
                registry.update(index, |s| s.state = TaskState::Disabled);
                tokio::select! {
                    () = switch.enabled() => registry.update(index, |s| s.state = TaskState::Running),
                    () = ctx.shutdown_requested() => break,
                }
            }
            let (make, run_ctx, stop, off) = (make_task.clone(), ctx.clone(), ctx.clone(), switch.clone());
            // `make_task` runs inside the attempt too, so a panic while building the future is caught as well.
            let attempt = tokio::spawn(Watched::new(
                async move {
                    tokio::select! {
                        () = make(run_ctx) => Ended::Returned,
                        () = stop.shutdown_requested() => Ended::Returned,
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
            let member = ctx.member().to_owned();
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
                () = ctx.shutdown_requested() => break,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
            registry.update(index, |s| s.state = TaskState::Running);
        }
        registry.update(index, |s| s.state = TaskState::Finished);
    });
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::channel::Scope;

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_restarted_then_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::for_tests("m", dir.path().to_owned(), Scope::default());
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        ctx.spawn("flaky", move |_ctx| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                panic!("flaky task");
            }
        });
        tokio::time::sleep(Duration::from_secs(120)).await;
        assert_eq!(runs.load(Ordering::SeqCst), MAX_RESTARTS + 1);
        let status = &ctx.tasks()[0];
        assert_eq!((status.state, status.restarts), (TaskState::Failed, MAX_RESTARTS + 1));
        assert_eq!(status.last_panic.as_deref(), Some("flaky task"));
    }

    #[tokio::test]
    async fn a_disabled_member_stops_its_tasks_and_enabling_restarts_them() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::for_tests("m", dir.path().to_owned(), Scope::default());
        let runs = Arc::new(AtomicU32::new(0));
        let counter = runs.clone();
        ctx.spawn("forever", move |_ctx| {
            counter.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>()
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        ctx.isolation().set_disabled(true);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(ctx.tasks()[0].state, TaskState::Disabled);
        ctx.isolation().set_disabled(false);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!((ctx.tasks()[0].state, runs.load(Ordering::SeqCst)), (TaskState::Running, 2));
    }

    #[tokio::test]
    async fn a_task_that_returns_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = Context::for_tests("m", dir.path().to_owned(), Scope::default());
        ctx.spawn("once", |_ctx| async {});
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(ctx.tasks()[0].state, TaskState::Finished);
    }
}
