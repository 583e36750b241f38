//! Isolation of members inside one process: per-member request limits (deadline, concurrency, body size), the
//! bounded event backlog, the stalled-runtime watchdog, per-member metrics and the operator's kill switch.
//!
//! Everything a member is limited or measured by hangs off its [`MemberIsolation`], built once at start-up; the
//! request path only touches atomics, one semaphore and one timer per request.

pub(crate) mod backlog;
pub(crate) mod histogram;
pub(crate) mod limits;
pub(crate) mod metrics;
pub(crate) mod observe;
pub(crate) mod panic_guard;
pub(crate) mod permits;
pub(crate) mod stack;
pub(crate) mod stats;
pub(crate) mod switch;
pub(crate) mod watchdog;

use std::sync::{Arc, OnceLock};

pub(crate) use limits::EffectiveLimits;
pub(crate) use metrics::MemberMetrics;
use permits::Permits;
pub(crate) use switch::Switch;

/// One member's limits, counters and switch. Shared by its request stack, its event subscriber, its context
/// (background tasks, channel calls) and the bundle's admin routes.
#[derive(Debug)]
pub(crate) struct MemberIsolation {
    pub name: Arc<str>,
    pub limits: EffectiveLimits,
    pub metrics: MemberMetrics,
    pub switch: Switch,
    /// The member's concurrent-request permits (shared by every route of the member); their count is the
    /// member's in-flight gauge.
    pub(crate) requests: Permits,
    /// The `'static` handle [`MemberIsolation::forever`] hands out (made once).
    kept: OnceLock<&'static Arc<MemberIsolation>>,
}

impl MemberIsolation {
    /// The isolation state of `name` with these limits, disabled or not (the persisted kill switch).
    pub(crate) fn new(name: &str, limits: EffectiveLimits, disabled: bool) -> Arc<Self> {
        let name: Arc<str> = Arc::from(name);
        let metrics = MemberMetrics::new(&name);
        metrics.set_disabled(disabled);
        Arc::new(Self {
            requests: Permits::new(limits.max_concurrent_requests, metrics.in_flight.clone()),
            name,
            limits,
            metrics,
            switch: Switch::new(disabled),
            kept: OnceLock::new(),
        })
    }

    /// Default limits, enabled: for contexts built outside a bundle (tests).
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn standalone(name: &str) -> Arc<Self> {
        Self::new(name, EffectiveLimits::default(), false)
    }

    /// A `'static` handle on the member, for its request stack: a member lives as long as the process, and a
    /// request that borrows its member instead of cloning an `Arc` spares every request the reference-count
    /// updates on a cache line that every core writes (`cargo xtask bench`, section 3). The handle is made on
    /// the first call (one small allocation per member, never freed) and the same one is returned after that.
    pub(crate) fn forever(self: &Arc<Self>) -> &'static Arc<Self> {
        self.kept.get_or_init(|| forever(self))
    }

    /// Turns the member off or on; returns whether that changed anything.
    pub(crate) fn set_disabled(&self, disabled: bool) -> bool {
        let changed = self.switch.set(disabled);
        self.metrics.set_disabled(disabled);
        changed
    }
}

/// `shared`, kept alive for the rest of the process and borrowed for it (see [`MemberIsolation::forever`]).
fn forever<T: Send + Sync + 'static>(shared: &Arc<T>) -> &'static Arc<T> {
    Box::leak(Box::new(shared.clone()))
}
