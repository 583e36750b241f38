//! A member's concurrent-request permits: a counter, not a queue. A request that finds every permit taken is
//! refused at once (503, never queued), so nothing ever waits for a permit and a semaphore's wait list (and the
//! lock its release takes on every request) would only cost time.

use std::sync::atomic::Ordering;

use prometheus_client::metrics::gauge::Gauge;

/// The permits of one member, shared by every route of it.
#[derive(Debug)]
pub(crate) struct Permits {
    max: i64,
    /// How many are taken: the member's `requests_in_flight` gauge itself, so a request updates one counter.
    taken: Gauge,
}

impl Permits {
    pub(crate) fn new(max: u32, taken: Gauge) -> Self {
        Self { max: i64::from(max), taken }
    }

    /// A permit, or `None` when `max` requests hold one already.
    pub(crate) fn try_take(&'static self) -> Option<Permit> {
        let counter = self.taken.inner();
        let mut taken = counter.load(Ordering::Relaxed);
        loop {
            if taken >= self.max {
                return None;
            }
            match counter.compare_exchange_weak(taken, taken + 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return Some(Permit { permits: self }),
                Err(now) => taken = now,
            }
        }
    }

    /// Permits held right now.
    #[cfg(test)]
    pub(crate) fn taken(&self) -> i64 {
        self.taken.get()
    }
}

/// One request's permit; dropping it gives it back.
#[derive(Debug)]
pub(crate) struct Permit {
    permits: &'static Permits,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.permits.taken.inner().fetch_sub(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicI64;

    use super::*;

    fn permits(max: u32) -> &'static Permits {
        Box::leak(Box::new(Permits::new(max, Gauge::default())))
    }

    #[test]
    fn at_most_max_permits_are_held_and_dropping_returns_them() {
        let permits = permits(2);
        let (a, b) = (permits.try_take(), permits.try_take());
        assert!(a.is_some() && b.is_some());
        assert!(permits.try_take().is_none(), "the third is refused");
        drop(a);
        assert_eq!(permits.taken(), 1);
        let c = permits.try_take();
        assert!(c.is_some(), "a returned permit is taken again");
        drop((b, c));
        assert_eq!(permits.taken(), 0);
    }

    #[test]
    fn concurrent_takers_never_exceed_the_limit() {
        let permits = permits(3);
        let peak = Arc::new(AtomicI64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let peak = peak.clone();
                std::thread::spawn(move || {
                    for _ in 0..2_000 {
                        if let Some(permit) = permits.try_take() {
                            peak.fetch_max(permits.taken(), Ordering::Relaxed);
                            drop(permit);
                        }
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(peak.load(Ordering::Relaxed) <= 3, "peak {}", peak.load(Ordering::Relaxed));
        assert_eq!(permits.taken(), 0);
    }
}
