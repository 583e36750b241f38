//! Event fan-out: every event (pushed on the channel or posted to `/_events`) goes to each member whose
//! subscriptions match, at most once per event id within a window, through that member's bounded backlog.
//!
//! **Invariant:** a slow, stuck or panicking handler delays or affects no other member: each member has its own
//! backlog (bounded: the oldest undelivered event is dropped and counted when it is full), its own concurrency
//! bound and its own handler deadline. A `202` from `/_events` means "queued in memory for these members", not
//! "handled": a member that must not lose events persists them in its handler.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use temps_bundle_protocol::PluginEvent;
use temps_bundle_protocol::event::subscription_matches;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::isolation::MemberIsolation;
use crate::isolation::backlog::Backlog;
use crate::isolation::metrics::EventOutcome;
use crate::isolation::watchdog::{Activity, Watched};
use crate::panic::panic_message;
use crate::plugin::Started;

/// How many deliveries of one member may run at once.
pub(crate) const PER_MEMBER_CONCURRENCY: usize = 8;
/// How long an event id is remembered for de-duplication.
pub(crate) const DEDUPE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How many event ids one member remembers at most.
pub(crate) const DEDUPE_CAPACITY: usize = 10_000;
/// The largest event accepted (JSON bytes) unless `TEMPS_BUNDLE_MAX_EVENT_BYTES` says otherwise. Platform events
/// carry a few ids and names; a larger one is refused rather than copied to every subscriber and kept.
pub(crate) const DEFAULT_MAX_EVENT_BYTES: usize = 256 * 1024;

/// The event size cap in force (read once).
pub(crate) fn max_event_bytes() -> usize {
    static MAX: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *MAX.get_or_init(|| crate::engine::knobs::env_count("TEMPS_BUNDLE_MAX_EVENT_BYTES", DEFAULT_MAX_EVENT_BYTES))
}

/// One running member's subscription: its patterns, the member, its isolation state.
pub(crate) type Subscription = (Vec<String>, Arc<dyn Started>, Arc<MemberIsolation>);

/// The subscribers of one process.
pub(crate) struct EventBus {
    subscribers: Vec<Arc<Subscriber>>,
}

struct Subscriber {
    patterns: Vec<String>,
    started: Arc<dyn Started>,
    isolation: Arc<MemberIsolation>,
    backlog: Backlog<Delivery>,
    seen: Mutex<SeenIds>,
}

impl EventBus {
    /// A bus over the running members: `(subscription patterns, started member, its isolation state)`. Starts one
    /// delivery loop per subscribing member.
    pub(crate) fn new(members: Vec<Subscription>) -> Self {
        let subscribers: Vec<Arc<Subscriber>> = members
            .into_iter()
            .filter(|(patterns, _, _)| !patterns.is_empty())
            .map(|(patterns, started, isolation)| {
                Arc::new(Subscriber {
                    patterns,
                    started,
                    backlog: Backlog::new(isolation.limits.event_backlog as usize),
                    isolation,
                    seen: Mutex::new(SeenIds::default()),
                })
            })
            .collect();
        for subscriber in &subscribers {
            tokio::spawn(deliver_loop(subscriber.clone()));
        }
        Self { subscribers }
    }

    /// Queues `event` for every matching, enabled member and returns their names. Returns at once.
    pub(crate) fn dispatch(&self, event: PluginEvent) -> Vec<String> {
        self.fan_out(event, false).into_iter().map(|(member, _)| member).collect()
    }

    /// [`Self::dispatch`], with a task per delivery that ends when the handler finished (or the event was dropped
    /// from a full backlog), so a caller can wait for the handlers.
    #[cfg_attr(not(feature = "testing"), allow(dead_code, reason = "only the testing harness waits for deliveries"))]
    pub(crate) fn dispatch_tracked(&self, event: PluginEvent) -> Vec<(String, tokio::task::JoinHandle<()>)> {
        self.fan_out(event, true).into_iter().filter_map(|(member, task)| Some((member, task?))).collect()
    }

    fn fan_out(&self, event: PluginEvent, track: bool) -> Vec<(String, Option<tokio::task::JoinHandle<()>>)> {
        let mut delivered = Vec::new();
        for subscriber in &self.subscribers {
            let member = &subscriber.isolation.name;
            if !subscriber.patterns.iter().any(|p| subscription_matches(p, &event.event_type)) {
                continue;
            }
            if subscriber.isolation.switch.is_disabled() {
                tracing::debug!(%member, event_id = %event.id, "member disabled by an administrator; event not delivered");
                continue;
            }
            let first_time = subscriber.seen.lock().map(|mut seen| seen.insert(&event.id)).unwrap_or(true);
            if !first_time {
                tracing::debug!(%member, event_id = %event.id, "duplicate event skipped");
                continue;
            }
            let (done, task) = match track {
                false => (None, None),
                true => {
                    let (done, finished) = tokio::sync::oneshot::channel::<()>();
                    (Some(done), Some(tokio::spawn(async move { drop(finished.await) })))
                }
            };
            subscriber.enqueue(Delivery { event: event.clone(), done });
            delivered.push((member.to_string(), task));
        }
        delivered
    }
}

/// One event on its way to one member; `done` (tracked deliveries) is told when the handler finished.
struct Delivery {
    event: PluginEvent,
    done: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Subscriber {
    fn enqueue(&self, delivery: Delivery) {
        let metrics = &self.isolation.metrics;
        let (dropped, len) = self.backlog.push(delivery);
        metrics.event_backlog.set(i64::try_from(len).unwrap_or(i64::MAX));
        if let Some(dropped) = dropped {
            metrics.event(EventOutcome::Dropped);
            let total = metrics.events(EventOutcome::Dropped);
            // Logged at 1, 10, 100, … drops: enough to notice, never a flood.
            if is_power_of_ten(total) {
                tracing::warn!(
                    member = %self.isolation.name,
                    dropped_event_id = %dropped.event.id,
                    dropped_total = total,
                    backlog = self.isolation.limits.event_backlog,
                    "event backlog full: dropped the oldest undelivered event"
                );
            }
        }
    }
}

/// Hands the member's queued events to its handler, at most [`PER_MEMBER_CONCURRENCY`] at once.
async fn deliver_loop(subscriber: Arc<Subscriber>) {
    let permits = Arc::new(Semaphore::new(PER_MEMBER_CONCURRENCY));
    loop {
        // The permit first: events wait in the bounded backlog, never in an unbounded set of tasks.
        let Ok(permit) = permits.clone().acquire_owned().await else { return };
        let delivery = subscriber.backlog.pop().await;
        subscriber.isolation.metrics.event_backlog.set(i64::try_from(subscriber.backlog.len()).unwrap_or(i64::MAX));
        tokio::spawn(deliver(subscriber.clone(), permit, delivery));
    }
}

async fn deliver(subscriber: Arc<Subscriber>, _permit: OwnedSemaphorePermit, delivery: Delivery) {
    let Delivery { event, done } = delivery;
    let isolation = &subscriber.isolation;
    let (member, event_id) = (&isolation.name, event.id.clone());
    let activity = Activity::of(isolation, "event", &event.event_type);
    let start = Instant::now();
    // The handler runs on its own task so a panic is contained and a deadline can cancel it.
    let mut handler = tokio::spawn(Watched::new(subscriber.started.on_event(event), activity));
    let deadline = isolation.limits.event_timeout();
    let outcome = match tokio::time::timeout(deadline, &mut handler).await {
        Err(_) => {
            handler.abort();
            tracing::warn!(%member, %event_id, timeout_ms = isolation.limits.event_timeout_ms, "event handler exceeded its deadline; cancelled");
            EventOutcome::Timeout
        }
        Ok(Err(join)) if join.is_panic() => {
            tracing::error!(%member, %event_id, panic = %panic_message(join.into_panic().as_ref()), "event handler panicked");
            EventOutcome::Panicked
        }
        Ok(Err(_)) => EventOutcome::Timeout,
        Ok(Ok(())) => EventOutcome::Ok,
    };
    isolation.metrics.event(outcome);
    isolation.metrics.event_duration.observe(start.elapsed().as_secs_f64());
    if let Some(done) = done {
        let _ = done.send(());
    }
}

/// 1, 10, 100, …
fn is_power_of_ten(mut n: u64) -> bool {
    while n >= 10 && n.is_multiple_of(10) {
        n /= 10;
    }
    n == 1
}

/// Event ids seen recently, forgotten after [`DEDUPE_WINDOW`] or beyond [`DEDUPE_CAPACITY`].
#[derive(Default)]
struct SeenIds {
    ids: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl SeenIds {
    /// Records `id`; false if it was already seen within the window.
    fn insert(&mut self, id: &str) -> bool {
        let now = Instant::now();
        while let Some((at, old)) = self.order.front() {
            if now.duration_since(*at) < DEDUPE_WINDOW && self.order.len() < DEDUPE_CAPACITY {
                break;
            }
            self.ids.remove(old);
            self.order.pop_front();
        }
        if self.ids.contains_key(id) {
            return false;
        }
        self.ids.insert(id.to_owned(), now);
        self.order.push_back((now, id.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_ids_dedupe() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("a"));
        assert!(!seen.insert("a"));
        assert!(seen.insert("b"));
    }
}
