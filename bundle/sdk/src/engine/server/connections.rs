//! The open connections: a cap, the oldest idle connection closed to make room for a new one, and the drain at
//! shutdown.
//!
//! Closing the *oldest idle* connection (rather than refusing the new one) keeps the host served while clients
//! that connect and send nothing pile up: Temps opens a fresh connection per request, so its connection is always
//! the newest. A connection is busy from the moment its request reaches the service until the response head is
//! ready; busy connections are never closed for room.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

/// Every open connection, in accept order.
#[derive(Default)]
pub(crate) struct Connections {
    state: Mutex<State>,
    /// Woken when the last connection ends.
    drained: Notify,
}

#[derive(Default)]
struct State {
    next_id: u64,
    open: BTreeMap<u64, Arc<Connection>>,
    stopping: bool,
}

/// One connection's shared state: whether a request is in flight, and what it was told to do.
#[derive(Default)]
pub(crate) struct Connection {
    in_flight: AtomicUsize,
    evicted: AtomicBool,
    signal: Notify,
}

/// What a connection was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Close now: its room went to a newer connection.
    Close,
    /// Finish the request in flight, then close: the server is shutting down.
    Drain,
}

/// Why a new connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Every connection is busy at the cap.
    Full,
    /// The server is shutting down.
    Stopping,
}

impl Connections {
    /// Admits a new connection, closing the oldest idle one if the cap is reached. The returned handle removes
    /// the connection when dropped.
    pub(crate) fn admit(self: &Arc<Self>, cap: usize) -> Result<Admitted, Refused> {
        let mut state = self.lock();
        if state.stopping {
            return Err(Refused::Stopping);
        }
        if state.open.len() >= cap {
            let idle = state.open.iter().find(|(_, c)| c.in_flight.load(Ordering::Acquire) == 0).map(|(id, _)| *id);
            let victim = idle.and_then(|id| state.open.remove(&id)).ok_or(Refused::Full)?;
            victim.evicted.store(true, Ordering::Release);
            victim.signal.notify_one();
        }
        let id = state.next_id;
        state.next_id += 1;
        let connection = Arc::new(Connection::default());
        state.open.insert(id, connection.clone());
        Ok(Admitted { connections: self.clone(), id, connection })
    }

    /// Tells every connection to drain and stops admitting new ones.
    pub(crate) fn stop(&self) {
        let mut state = self.lock();
        state.stopping = true;
        for connection in state.open.values() {
            connection.signal.notify_one();
        }
    }

    /// Resolves when no connection is open any more.
    pub(crate) async fn drained(&self) {
        loop {
            let notified = self.drained.notified();
            if self.lock().open.is_empty() {
                return;
            }
            notified.await;
        }
    }

    /// How many connections are open.
    #[cfg(test)]
    pub(crate) fn open(&self) -> usize {
        self.lock().open.len()
    }

    fn remove(&self, id: u64) {
        let mut state = self.lock();
        state.open.remove(&id);
        if state.open.is_empty() {
            self.drained.notify_waiters();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a plain map: a panic while holding the lock cannot leave it half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An admitted connection; dropping it removes the connection from the registry.
pub(crate) struct Admitted {
    connections: Arc<Connections>,
    id: u64,
    connection: Arc<Connection>,
}

impl Admitted {
    /// The connection's shared state, for the per-request busy marks.
    pub(crate) fn connection(&self) -> &Arc<Connection> {
        &self.connection
    }

    /// Resolves with the next order for this connection.
    pub(crate) async fn order(&self) -> Order {
        self.connection.signal.notified().await;
        if self.connection.evicted.load(Ordering::Acquire) { Order::Close } else { Order::Drain }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.remove(self.id);
    }
}

impl Connection {
    /// Marks a request in flight until the returned guard is dropped.
    pub(crate) fn busy(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }
}

/// A request in flight on a connection.
pub(crate) struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let connections = Arc::new(Connections::default());
        let oldest = connections.admit(2).unwrap();
        let busy_one = connections.admit(2).unwrap();
        let _busy = busy_one.connection().busy();
        let _newest = connections.admit(2).unwrap();
        assert_eq!(oldest.order().await, Order::Close);
        assert_eq!(connections.open(), 2);
        // Now both open connections are the busy one and the newest; the newest is idle and goes next.
        let _another = connections.admit(2).unwrap();
        assert_eq!(connections.open(), 2);
    }

    #[tokio::test]
    async fn when_every_connection_is_busy_the_new_one_is_refused() {
        let connections = Arc::new(Connections::default());
        let only = connections.admit(1).unwrap();
        let _busy = only.connection().busy();
        assert_eq!(connections.admit(1).err(), Some(Refused::Full));
    }

    #[tokio::test]
    async fn stop_drains_and_refuses() {
        let connections = Arc::new(Connections::default());
        let open = connections.admit(4).unwrap();
        connections.stop();
        assert_eq!(open.order().await, Order::Drain);
        assert_eq!(connections.admit(4).err(), Some(Refused::Stopping));
        let waiter = tokio::spawn({
            let connections = connections.clone();
            async move { connections.drained().await }
        });
        drop(open);
        waiter.await.unwrap();
        assert_eq!(connections.open(), 0);
    }
}
