//! Event fan-out: every event (pushed on the channel or posted to `/_events`) goes to each member whose
//! subscriptions match, on its own task, at most once per event id within a window.
//!
//! **Invariant:** a slow or panicking handler delays or affects no other member: deliveries never wait on each
//! other, and each member has its own concurrency bound.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use temps_bundle_protocol::PluginEvent;
use temps_bundle_protocol::event::subscription_matches;
use tokio::sync::Semaphore;

use crate::panic::panic_message;
use crate::plugin::Started;

/// How many deliveries of one member may run at once.
pub const PER_MEMBER_CONCURRENCY: usize = 8;
/// How long an event id is remembered for de-duplication.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How many event ids one member remembers at most.
pub const DEDUPE_CAPACITY: usize = 10_000;
/// The largest event accepted (JSON bytes) unless `TEMPS_BUNDLE_MAX_EVENT_BYTES` says otherwise. Platform events
/// carry a few ids and names; a larger one is refused rather than copied to every subscriber and kept.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 256 * 1024;

/// The event size cap in force (read once).
pub fn max_event_bytes() -> usize {
    static MAX: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *MAX.get_or_init(|| crate::engine::knobs::env_count("TEMPS_BUNDLE_MAX_EVENT_BYTES", DEFAULT_MAX_EVENT_BYTES))
}

/// The subscribers of one process.
pub struct EventBus {
    subscribers: Vec<Subscriber>,
}

struct Subscriber {
    member: String,
    patterns: Vec<String>,
    started: Arc<dyn Started>,
    permits: Arc<Semaphore>,
    seen: Mutex<SeenIds>,
}

impl EventBus {
    /// A bus over the running members: `(name, subscription patterns, started member)`.
    pub fn new(members: Vec<(String, Vec<String>, Arc<dyn Started>)>) -> Self {
        let subscribers = members
            .into_iter()
            .filter(|(_, patterns, _)| !patterns.is_empty())
            .map(|(member, patterns, started)| Subscriber {
                member,
                patterns,
                started,
                permits: Arc::new(Semaphore::new(PER_MEMBER_CONCURRENCY)),
                seen: Mutex::new(SeenIds::default()),
            })
            .collect();
        Self { subscribers }
    }

    /// Starts delivering `event` to every matching member and returns their names. Returns at once.
    pub fn dispatch(&self, event: PluginEvent) -> Vec<String> {
        self.dispatch_tracked(event).into_iter().map(|(member, _)| member).collect()
    }

    /// [`Self::dispatch`], with each delivery's task, so a caller can wait for the handlers to finish.
    pub(crate) fn dispatch_tracked(&self, event: PluginEvent) -> Vec<(String, tokio::task::JoinHandle<()>)> {
        let mut delivered = Vec::new();
        for subscriber in &self.subscribers {
            if !subscriber.patterns.iter().any(|p| subscription_matches(p, &event.event_type)) {
                continue;
            }
            let first_time = subscriber.seen.lock().map(|mut seen| seen.insert(&event.id)).unwrap_or(true);
            if !first_time {
                tracing::debug!(member = %subscriber.member, event_id = %event.id, "duplicate event skipped");
                continue;
            }
            let task = tokio::spawn(deliver(
                subscriber.member.clone(),
                subscriber.started.clone(),
                subscriber.permits.clone(),
                event.clone(),
            ));
            delivered.push((subscriber.member.clone(), task));
        }
        delivered
    }
}

async fn deliver(member: String, started: Arc<dyn Started>, permits: Arc<Semaphore>, event: PluginEvent) {
    let Ok(_permit) = permits.acquire_owned().await else { return };
    let event_id = event.id.clone();
    // The handler runs on its own task so a panic is contained and reported here.
    if let Err(join) = tokio::spawn(started.on_event(event)).await
        && join.is_panic()
    {
        tracing::error!(%member, %event_id, panic = %panic_message(join.into_panic().as_ref()), "event handler panicked");
    }
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
