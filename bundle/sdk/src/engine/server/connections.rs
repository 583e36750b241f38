//! The open connections: a cap, the oldest idle connection closed to make room for a new one, idle connections
//! closed after the header timeout ([`Connections::sweep`], see `super::idle`), and the drain at shutdown.
//!
//! Closing the *oldest idle* connection (rather than refusing the new one) keeps the host served while clients
//! that connect and send nothing pile up: Temps opens a fresh connection per request, so its connection is always
//! the newest. A connection is busy from the moment its request reaches the service until the response head is
//! ready (until the last body frame for a streamed body); busy connections are never closed, neither for room nor
//! by the sweep.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;
use tokio::sync::Notify;

use super::idle::{CoarseClock, LastProgress};

/// Every open connection, in accept order.
#[derive(Default)]
pub(crate) struct Connections {
    state: Mutex<State>,
    /// The sweep's clock, which connections read to mark their progress.
    clock: Arc<CoarseClock>,
    /// Woken when the last connection ends.
    drained: Notify,
}

#[derive(Default)]
struct State {
    next_id: u64,
    open: BTreeMap<u64, Arc<Connection>>,
    stopping: bool,
}

/// One connection's shared state: whether a request is in flight, when it last made progress, and what it was
/// told to do. The order is an atomic and a waker rather than a `Notify`: the connection's task checks it on
/// every poll, and a `Notify` waiter takes a lock each time it is polled.
pub(crate) struct Connection {
    in_flight: AtomicUsize,
    progress: LastProgress,
    clock: Arc<CoarseClock>,
    /// `NO_ORDER`, or an [`Order`] as `u8`.
    order: AtomicU8,
    task: AtomicWaker,
}

const NO_ORDER: u8 = 0;

/// What a connection was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Order {
    /// Close now: its room went to a newer connection, or it sat idle past the header timeout.
    Close = 1,
    /// Finish the request in flight, then close: the server is shutting down.
    Drain = 2,
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
            victim.evict();
        }
        let id = state.next_id;
        state.next_id += 1;
        let connection = Arc::new(Connection {
            in_flight: AtomicUsize::new(0),
            progress: LastProgress::default(),
            clock: self.clock.clone(),
            order: AtomicU8::new(NO_ORDER),
            task: AtomicWaker::new(),
        });
        connection.progress.mark(&self.clock);
        state.open.insert(id, connection.clone());
        Ok(Admitted { connections: self.clone(), id, connection })
    }

    /// Advances the clock and closes every connection that handled no request and wrote nothing for more than
    /// `timeout` (a slow or missing request head, or a keep-alive connection left idle). Returns how many.
    pub(crate) fn sweep(&self, timeout: std::time::Duration) -> usize {
        let now = self.clock.tick();
        self.close_idle_at(now, u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX))
    }

    fn close_idle_at(&self, now_ms: u64, timeout_ms: u64) -> usize {
        let mut state = self.lock();
        let before = state.open.len();
        state.open.retain(|_, connection| {
            let idle =
                connection.in_flight.load(Ordering::Acquire) == 0 && connection.progress.expired(now_ms, timeout_ms);
            if idle {
                connection.evict();
            }
            !idle
        });
        let closed = before - state.open.len();
        if closed > 0 && state.open.is_empty() {
            self.drained.notify_waiters();
        }
        closed
    }

    /// Tells every connection to drain and stops admitting new ones.
    pub(crate) fn stop(&self) {
        let mut state = self.lock();
        state.stopping = true;
        for connection in state.open.values() {
            connection.tell(Order::Drain);
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

    /// The order this connection was given, if any; otherwise the polling task is woken when one comes.
    pub(crate) fn poll_order(&self, cx: &mut Context<'_>) -> Poll<Order> {
        self.connection.task.register(cx.waker());
        match self.connection.order.load(Ordering::Acquire) {
            NO_ORDER => Poll::Pending,
            order if order == Order::Close as u8 => Poll::Ready(Order::Close),
            _ => Poll::Ready(Order::Drain),
        }
    }

    /// Resolves with the order for this connection.
    #[cfg(test)]
    pub(crate) async fn order(&self) -> Order {
        std::future::poll_fn(|cx| self.poll_order(cx)).await
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

    /// Response bytes went out: the connection is making progress.
    pub(crate) fn wrote(&self) {
        self.progress.mark(&self.clock);
    }

    fn evict(&self) {
        self.tell(Order::Close);
    }

    /// Gives the connection `order` (closing overrides draining) and wakes its task.
    fn tell(&self, order: Order) {
        match order {
            Order::Close => self.order.store(Order::Close as u8, Ordering::Release),
            Order::Drain => {
                let _ = self.order.compare_exchange(NO_ORDER, Order::Drain as u8, Ordering::AcqRel, Ordering::Acquire);
            }
        }
        self.task.wake();
    }
}

/// A request in flight on a connection.
pub(crate) struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        // Marked before the request stops counting, so the sweep never sees it idle since before it started.
        self.0.progress.mark(&self.0.clock);
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
    async fn the_sweep_closes_connections_idle_past_the_timeout_and_never_a_busy_one() {
        let connections = Arc::new(Connections::default());
        connections.clock.set(1_000);
        let idle = connections.admit(8).unwrap();
        let busy_one = connections.admit(8).unwrap();
        let busy = busy_one.connection().busy();
        let writing = connections.admit(8).unwrap();
        assert_eq!(connections.close_idle_at(1_300, 300), 0, "nothing is idle for more than 300 ms yet");
        connections.clock.set(1_250);
        writing.connection().wrote();
        assert_eq!(connections.close_idle_at(1_301, 300), 1);
        assert_eq!(idle.order().await, Order::Close);
        assert_eq!(connections.close_idle_at(60_000, 300), 1, "the one that wrote goes later, the busy one never");
        assert_eq!(writing.order().await, Order::Close);
        assert_eq!(connections.open(), 1);
        // A request that ends restarts the connection's idle time.
        connections.clock.set(60_000);
        drop(busy);
        assert_eq!(connections.close_idle_at(60_300, 300), 0);
        assert_eq!(connections.close_idle_at(60_301, 300), 1);
        assert_eq!(busy_one.order().await, Order::Close);
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
