//! The last deployment events hello received, newest first, kept in memory only.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use temps_bundle_sdk::PluginEvent;

/// How many recent events `GET /events` remembers.
pub const RECENT_EVENTS: usize = 50;

/// A bounded, shared list of events. Cheap to clone.
#[derive(Clone, Default)]
pub struct RecentEvents(Arc<Mutex<VecDeque<PluginEvent>>>);

impl RecentEvents {
    /// Remembers `event`, forgetting the oldest beyond [`RECENT_EVENTS`].
    pub fn push(&self, event: PluginEvent) {
        // A poisoned lock only means another push panicked mid-way; the deque is still a valid deque.
        let mut recent = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        recent.push_front(event);
        recent.truncate(RECENT_EVENTS);
    }

    /// The remembered events, newest first.
    pub fn list(&self) -> Vec<PluginEvent> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).iter().cloned().collect()
    }
}
