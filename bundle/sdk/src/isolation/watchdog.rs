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

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// One worker thread's "what is being polled here" slot. Only its own thread writes `polls`, `seq` and `started`
/// (plain loads and stores, no read-modify-write on the request path); the watchdog thread reads them.
#[derive(Debug, Default)]
struct WorkerSlot {
    thread: String,
    /// Polls started on this worker so far: each poll's number, so a report names one poll.
    polls: AtomicU64,
    /// The number of the poll running now (an outer poll's again once a nested one ends).
    seq: AtomicU64,
    /// When the current poll started (ns since [`EPOCH`], plus one); 0 while nothing instrumented runs.
    started: AtomicU64,
    /// The last `seq` that was reported, so each stall is reported once.
    reported: AtomicU64,
    /// What the current (or, while `started` is 0, the last) poll runs. Left in place after a poll, so the next
    /// poll of the same activity on this worker (the common case) changes nothing here.
    current: Mutex<Option<Arc<Activity>>>,
    /// The address of `current`'s activity, to see without the lock whether it is already the right one (an
    /// activity in `current` is alive, so its address cannot be reused by another while it is there).
    current_addr: AtomicUsize,
}

impl WorkerSlot {
    /// Puts `activity` in `current` unless it is there already; returns what was there if it was replaced.
    fn set_current(&self, activity: &Arc<Activity>) -> Option<Arc<Activity>> {
        let addr = Arc::as_ptr(activity).addr();
        if self.current_addr.load(Ordering::Acquire) == addr {
            return None;
        }
        let replaced = self.current.lock().unwrap_or_else(PoisonError::into_inner).replace(activity.clone());
        self.current_addr.store(addr, Ordering::Release);
        replaced
    }

    fn restore(&self, activity: Arc<Activity>) {
        let addr = Arc::as_ptr(&activity).addr();
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(activity);
        self.current_addr.store(addr, Ordering::Release);
    }
}

static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
/// Every worker's slot. A slot lives as long as the process (one per thread that ever polled a member's future).
static SLOTS: Mutex<Vec<&'static WorkerSlot>> = Mutex::new(Vec::new());
static THRESHOLD_NS: AtomicU64 = AtomicU64::new(1_000_000_000);

thread_local! {
    static SLOT: Cell<Option<&'static WorkerSlot>> = const { Cell::new(None) };
}

/// `at` as ns since [`EPOCH`], plus one (0 means "nothing runs").
fn ns(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(*EPOCH).as_nanos()).unwrap_or(u64::MAX - 1) + 1
}

fn this_thread_slot() -> &'static WorkerSlot {
    SLOT.with(|cell| {
        if let Some(slot) = cell.get() {
            return slot;
        }
        let thread = std::thread::current();
        let name = thread.name().map_or_else(|| format!("{:?}", thread.id()), str::to_owned);
        let slot: &'static WorkerSlot = Box::leak(Box::new(WorkerSlot { thread: name, ..WorkerSlot::default() }));
        SLOTS.lock().unwrap_or_else(PoisonError::into_inner).push(slot);
        cell.set(Some(slot));
        slot
    })
}

/// Marks the current thread as polling `activity` until the guard drops (at the end of the poll). A poll that
/// ran past the threshold and was not reported by the watchdog yet is reported here, so none is missed.
pub(crate) fn enter(activity: &Arc<Activity>) -> PollGuard {
    enter_at(activity, Instant::now())
}

/// [`enter`] for a poll that started at `started` (a caller that has just read the clock passes that reading).
pub(crate) fn enter_at(activity: &Arc<Activity>, started: Instant) -> PollGuard {
    let slot = this_thread_slot();
    let previous_started = slot.started.load(Ordering::Acquire);
    let replaced = slot.set_current(activity);
    let seq = slot.polls.load(Ordering::Relaxed) + 1;
    slot.polls.store(seq, Ordering::Relaxed);
    let previous_seq = slot.seq.load(Ordering::Relaxed);
    slot.seq.store(seq, Ordering::Release);
    let started = ns(started);
    slot.started.store(started, Ordering::Release);
    // Only a poll nested in another instrumented poll has to put the outer activity back at its end.
    let previous = if previous_started == 0 { None } else { replaced };
    PollGuard { slot, seq, started, previous, previous_seq, previous_started, ended: None }
}

/// Ends a poll started with [`enter`].
pub(crate) struct PollGuard {
    slot: &'static WorkerSlot,
    seq: u64,
    started: u64,
    previous: Option<Arc<Activity>>,
    previous_seq: u64,
    previous_started: u64,
    /// When the poll ended, if the caller read the clock already ([`PollGuard::leave_at`]).
    ended: Option<Instant>,
}

impl PollGuard {
    /// Ends the poll at `ended` (a clock reading the caller needs anyway), instead of reading the clock again.
    pub(crate) fn leave_at(mut self, ended: Instant) {
        self.ended = Some(ended);
    }
}

impl Drop for PollGuard {
    fn drop(&mut self) {
        let ended = self.ended.map_or_else(|| ns(Instant::now()), ns);
        let elapsed = ended.saturating_sub(self.started);
        if elapsed > THRESHOLD_NS.load(Ordering::Relaxed)
            && self.slot.reported.swap(self.seq, Ordering::AcqRel) != self.seq
        {
            let activity = self.slot.current.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if let Some(activity) = activity {
                report(&activity, &self.slot.thread, elapsed);
            }
        }
        if let Some(previous) = self.previous.take() {
            self.slot.restore(previous);
        }
        self.slot.seq.store(self.previous_seq, Ordering::Release);
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
        LazyLock::force(&EPOCH);
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
    let slots: Vec<&'static WorkerSlot> = SLOTS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let threshold = THRESHOLD_NS.load(Ordering::Relaxed);
    let now = ns(Instant::now());
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

    #[test]
    fn a_nested_poll_hands_the_slot_back_to_the_outer_one() {
        THRESHOLD_NS.store(20_000_000, Ordering::Relaxed);
        let member = MemberIsolation::standalone("nester");
        let (outer, inner) = (Activity::of(&member, "task", "outer"), Activity::of(&member, "route", "/inner"));
        {
            let _outer = enter(&outer);
            {
                let _inner = enter(&inner);
            }
            std::thread::sleep(Duration::from_millis(60));
            scan();
        }
        let stalls = member.metrics.stats.recent_stalls();
        assert_eq!(stalls.len(), 1, "{stalls:?}");
        assert_eq!((stalls[0].kind, stalls[0].name.as_str()), ("task", "outer"), "the stall is the outer poll's");
        // The same activity polled again on this worker, with the time given by the caller.
        let started = Instant::now() - Duration::from_millis(40);
        enter_at(&inner, started).leave_at(Instant::now());
        let stalls = member.metrics.stats.recent_stalls();
        assert_eq!(stalls.last().map(|s| s.name.as_str()), Some("/inner"), "{stalls:?}");
    }
}
