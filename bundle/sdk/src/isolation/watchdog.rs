//! The stalled-runtime watchdog. A handler that blocks (a busy loop, `std::thread::sleep`, blocking I/O) holds its
//! runtime worker and every task queued on it; async code cannot interrupt it. What the bundle can do is *notice*
//! and *name* it: every poll of a member's request, event or background task records, in its worker thread's slot,
//! what runs and since when ([`enter`]); a plain OS thread ([`start`]) scans the slots and reports a poll that has
//! held a worker longer than the threshold, once per stall, as a JSON log line naming the member and the route,
//! event or task, and counts it (`temps_bundle_watchdog_stalls_total`).
//!
//! What it cannot do: stop the poll (Rust has no safe way to pre-empt a thread), or free the worker sooner;
//! the request deadline only fires when the handler yields. Other workers keep running and steal queued tasks, so
//! one stalled worker slows the bundle; as many stalls as workers stop it until they return.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::MemberIsolation;
use super::stats::{Stall, unix_ms};

/// A poll that holds a worker longer than this is a stall, unless `TEMPS_BUNDLE_STALL_THRESHOLD_MS` says otherwise.
pub(crate) const DEFAULT_STALL_THRESHOLD: Duration = Duration::from_secs(1);
/// How often the watchdog thread looks at the workers.
pub(crate) const SCAN_INTERVAL: Duration = Duration::from_millis(100);

/// What a poll is doing, for the report.
#[derive(Debug)]
pub(crate) struct Activity {
    pub member: Arc<str>,
    /// `route`, `event` or `task`.
    pub kind: &'static str,
    pub name: String,
    /// The member's isolation state, to count the stall on; set for events and tasks, looked up for routes.
    isolation: Mutex<Option<std::sync::Weak<MemberIsolation>>>,
}

impl Activity {
    pub(crate) fn route(member: &Arc<str>, template: &str) -> Self {
        Self::new(member, "route", template)
    }

    pub(crate) fn new(member: &Arc<str>, kind: &'static str, name: &str) -> Self {
        Self { member: member.clone(), kind, name: name.to_owned(), isolation: Mutex::new(None) }
    }

    /// An activity of `member` that counts its stalls there.
    pub(crate) fn of(member: &Arc<MemberIsolation>, kind: &'static str, name: &str) -> Arc<Self> {
        let activity = Self::new(&member.name, kind, name);
        activity.bind(member);
        Arc::new(activity)
    }

    /// Where this activity's stalls are counted.
    pub(crate) fn bind(&self, member: &Arc<MemberIsolation>) {
        *self.isolation.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::downgrade(member));
    }

    fn isolation(&self) -> Option<Arc<MemberIsolation>> {
        self.isolation.lock().unwrap_or_else(PoisonError::into_inner).as_ref().and_then(std::sync::Weak::upgrade)
    }
}

/// One worker thread's "what is being polled here" slot.
#[derive(Debug, Default)]
struct WorkerSlot {
    thread: String,
    /// Incremented at every poll start, so a report names one poll.
    seq: AtomicU64,
    /// When the current poll started (ns since [`EPOCH`], plus one); 0 while nothing instrumented runs.
    started: AtomicU64,
    /// The last `seq` that was reported, so each stall is reported once.
    reported: AtomicU64,
    current: Mutex<Option<Arc<Activity>>>,
}

static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
static SLOTS: Mutex<Vec<Arc<WorkerSlot>>> = Mutex::new(Vec::new());
static THRESHOLD_NS: AtomicU64 = AtomicU64::new(1_000_000_000);

thread_local! {
    static SLOT: RefCell<Option<Arc<WorkerSlot>>> = const { RefCell::new(None) };
}

fn now_ns() -> u64 {
    u64::try_from(EPOCH.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1
}

fn this_thread_slot() -> Arc<WorkerSlot> {
    SLOT.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let thread = std::thread::current();
                let name = thread.name().map_or_else(|| format!("{:?}", thread.id()), str::to_owned);
                let slot = Arc::new(WorkerSlot { thread: name, ..WorkerSlot::default() });
                SLOTS.lock().unwrap_or_else(PoisonError::into_inner).push(slot.clone());
                slot
            })
            .clone()
    })
}

/// Marks the current thread as polling `activity` until the guard drops (at the end of the poll). A poll that
/// ran past the threshold and was not reported by the watchdog yet is reported here, so none is missed.
pub(crate) fn enter(activity: &Arc<Activity>) -> PollGuard {
    let slot = this_thread_slot();
    let previous = slot.current.lock().unwrap_or_else(PoisonError::into_inner).replace(activity.clone());
    let seq = slot.seq.fetch_add(1, Ordering::AcqRel) + 1;
    let started = now_ns();
    let previous_started = slot.started.swap(started, Ordering::AcqRel);
    PollGuard { slot, seq, started, previous, previous_started }
}

/// Ends a poll started with [`enter`].
pub(crate) struct PollGuard {
    slot: Arc<WorkerSlot>,
    seq: u64,
    started: u64,
    previous: Option<Arc<Activity>>,
    previous_started: u64,
}

impl Drop for PollGuard {
    fn drop(&mut self) {
        let elapsed = now_ns().saturating_sub(self.started);
        if elapsed > THRESHOLD_NS.load(Ordering::Relaxed)
            && self.slot.reported.swap(self.seq, Ordering::AcqRel) != self.seq
        {
            let activity = self.slot.current.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if let Some(activity) = activity {
                report(&activity, &self.slot.thread, elapsed);
            }
        }
        *self.slot.current.lock().unwrap_or_else(PoisonError::into_inner) = self.previous.take();
        self.slot.started.store(self.previous_started, Ordering::Release);
    }
}

/// A future whose every poll is recorded for the watchdog.
pub(crate) struct Watched<F> {
    inner: std::pin::Pin<Box<F>>,
    activity: Arc<Activity>,
}

impl<F: Future> Watched<F> {
    pub(crate) fn new(inner: F, activity: Arc<Activity>) -> Self {
        Self { inner: Box::pin(inner), activity }
    }
}

impl<F: Future> Future for Watched<F> {
    type Output = F::Output;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
        let _guard = enter(&self.activity);
        self.inner.as_mut().poll(cx)
    }
}

/// Starts the watchdog thread (once per process; later calls do nothing).
pub(crate) fn start() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let threshold = crate::engine::knobs::env_duration("TEMPS_BUNDLE_STALL_THRESHOLD_MS", DEFAULT_STALL_THRESHOLD);
        THRESHOLD_NS.store(u64::try_from(threshold.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
        let spawned = std::thread::Builder::new().name("temps-bundle-watchdog".to_owned()).spawn(|| {
            loop {
                std::thread::sleep(SCAN_INTERVAL);
                scan();
            }
        });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the stalled-runtime watchdog thread; stalls will be reported only when they end");
        }
    });
}

fn scan() {
    let slots: Vec<Arc<WorkerSlot>> = SLOTS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let threshold = THRESHOLD_NS.load(Ordering::Relaxed);
    let now = now_ns();
    for slot in slots {
        let seq = slot.seq.load(Ordering::Acquire);
        let started = slot.started.load(Ordering::Acquire);
        if started == 0 || now.saturating_sub(started) <= threshold {
            continue;
        }
        let activity = slot.current.lock().unwrap_or_else(PoisonError::into_inner).clone();
        // Still the same poll? (It may have ended between the loads.)
        if slot.seq.load(Ordering::Acquire) != seq || slot.reported.swap(seq, Ordering::AcqRel) == seq {
            continue;
        }
        if let Some(activity) = activity {
            report(&activity, &slot.thread, now.saturating_sub(started));
        }
    }
}

fn report(activity: &Activity, thread: &str, elapsed_ns: u64) {
    let stalled_ms = elapsed_ns / 1_000_000;
    tracing::warn!(
        member = %activity.member,
        kind = activity.kind,
        name = %activity.name,
        stalled_ms,
        thread,
        "a runtime worker is stalled: member {:?} has held it in one poll of {} {:?} for {stalled_ms} ms (blocking code in an async handler)",
        activity.member, activity.kind, activity.name,
    );
    if let Some(member) = activity.isolation() {
        member.metrics.stalls.inc();
        member.metrics.stats.record_stall(Stall {
            at_unix_ms: unix_ms(),
            kind: activity.kind,
            name: activity.name.clone(),
            stalled_ms,
            thread: thread.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_poll_is_reported_once_with_its_member() {
        THRESHOLD_NS.store(20_000_000, Ordering::Relaxed);
        let member = MemberIsolation::standalone("spinner");
        let activity = Activity::of(&member, "route", "/spin");
        {
            let _guard = enter(&activity);
            std::thread::sleep(Duration::from_millis(60));
            scan();
            scan();
        }
        assert_eq!(member.metrics.stalls.get(), 1, "the watchdog and the guard report it once between them");
        let stalls = member.metrics.stats.recent_stalls();
        assert_eq!((stalls[0].kind, stalls[0].name.as_str()), ("route", "/spin"));
        assert!(stalls[0].stalled_ms >= 20, "{stalls:?}");
        {
            let _guard = enter(&activity);
        }
        assert_eq!(member.metrics.stalls.get(), 1, "a short poll is no stall");
    }
}
