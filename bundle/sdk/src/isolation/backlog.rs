//! A member's event backlog: the events routed to it and not yet handed to its handler, bounded. When it is full
//! the oldest undelivered event is dropped (the caller counts it), so a member that cannot keep up costs bounded
//! memory and the newest events win.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

/// A bounded FIFO of events (or deliveries) with an async pop.
#[derive(Debug)]
pub(crate) struct Backlog<T> {
    queue: Mutex<VecDeque<T>>,
    capacity: usize,
    ready: Notify,
}

impl<T> Backlog<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { queue: Mutex::new(VecDeque::new()), capacity: capacity.max(1), ready: Notify::new() }
    }

    /// Queues `event`; returns the event dropped to make room, if the backlog was full, and the new length.
    pub(crate) fn push(&self, event: T) -> (Option<T>, usize) {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let dropped = if queue.len() >= self.capacity { queue.pop_front() } else { None };
        queue.push_back(event);
        let len = queue.len();
        drop(queue);
        self.ready.notify_one();
        (dropped, len)
    }

    /// Takes the oldest event, waiting for one.
    pub(crate) async fn pop(&self) -> T {
        loop {
            if let Some(event) = self.queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front() {
                return event;
            }
            self.ready.notified().await;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use temps_bundle_protocol::PluginEvent;

    use super::*;

    fn event(id: &str) -> PluginEvent {
        serde_json::from_value(serde_json::json!({ "id": id, "event_type": "project.created", "timestamp": "2026-01-01T00:00:00Z", "data": {} }))
            .unwrap()
    }

    #[tokio::test]
    async fn a_full_backlog_drops_the_oldest() {
        let backlog = Backlog::new(2);
        assert!(backlog.push(event("a")).0.is_none());
        assert!(backlog.push(event("b")).0.is_none());
        let (dropped, len) = backlog.push(event("c"));
        assert_eq!((dropped.map(|e| e.id), len), (Some("a".to_owned()), 2));
        assert_eq!(backlog.pop().await.id, "b");
        assert_eq!(backlog.pop().await.id, "c");
        assert_eq!(backlog.len(), 0);
    }
}
