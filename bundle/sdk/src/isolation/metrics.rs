//! Per-member metrics in one process-wide Prometheus registry (`/_bundle/metrics`). Labels are bounded: the member
//! name, the route *template* (axum's `MatchedPath`, never the raw path), and small fixed vocabularies (status
//! class, rejection reason, event outcome, channel method and outcome, task name).
//!
//! One registry per process: Prometheus scrapes a process, and the SDK's hooks (channel calls, task restarts, the
//! watchdog thread) run far from any handle that could be threaded through.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::histogram::LatencyHistogram;
use super::stats::{MemberStats, Totals};
use super::watchdog::Activity;

/// Histogram bounds in seconds, for request and event handler latency.
pub(crate) const LATENCY_BUCKETS: [f64; 16] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// The label value of requests no route of the member matched.
pub(crate) const UNMATCHED_ROUTE: &str = "(unmatched)";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MemberLabel {
    member: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    member: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteClassLabels {
    member: String,
    route: String,
    class: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    member: String,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    member: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    member: String,
    method: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskLabels {
    member: String,
    task: String,
}

type HistogramFamily<L> = Family<L, LatencyHistogram>;

/// Every metric family of the process, registered once.
struct Families {
    registry: Registry,
    requests: Family<RouteClassLabels, Counter>,
    request_duration: HistogramFamily<RouteLabels>,
    in_flight: Family<MemberLabel, Gauge>,
    rejections: Family<ReasonLabels, Counter>,
    event_deliveries: Family<OutcomeLabels, Counter>,
    event_duration: HistogramFamily<MemberLabel>,
    event_backlog: Family<MemberLabel, Gauge>,
    channel_calls: Family<CallLabels, Counter>,
    task_restarts: Family<TaskLabels, Counter>,
    stalls: Family<MemberLabel, Counter>,
    disabled: Family<MemberLabel, Gauge>,
}

static FAMILIES: LazyLock<Families> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("temps_bundle");
    let families = Families {
        registry: Registry::default(),
        requests: Family::default(),
        request_duration: Family::default(),
        in_flight: Family::default(),
        rejections: Family::default(),
        event_deliveries: Family::default(),
        event_duration: Family::default(),
        event_backlog: Family::default(),
        channel_calls: Family::default(),
        task_restarts: Family::default(),
        stalls: Family::default(),
        disabled: Family::default(),
    };
    registry.register(
        "requests",
        "Member requests answered, by route template and status class",
        families.requests.clone(),
    );
    registry.register(
        "request_duration_seconds",
        "Time to the response head of member requests, by route template",
        families.request_duration.clone(),
    );
    registry.register("requests_in_flight", "Member requests being handled now", families.in_flight.clone());
    registry.register(
        "request_rejections",
        "Member requests refused by a limit (deadline 504, overload 503, body 413)",
        families.rejections.clone(),
    );
    registry.register(
        "event_deliveries",
        "Event deliveries by outcome (ok, timeout, panicked, dropped from a full backlog)",
        families.event_deliveries.clone(),
    );
    registry.register("event_duration_seconds", "Event handler run time", families.event_duration.clone());
    registry.register(
        "event_backlog",
        "Events queued for the member, not yet handed to it",
        families.event_backlog.clone(),
    );
    registry.register("channel_calls", "Platform channel calls by method and outcome", families.channel_calls.clone());
    registry.register("task_restarts", "Background task restarts after a panic", families.task_restarts.clone());
    registry.register(
        "watchdog_stalls",
        "Times a runtime worker was held by one poll of this member for longer than the stall threshold",
        families.stalls.clone(),
    );
    registry.register("member_disabled", "1 while an administrator has disabled the member", families.disabled.clone());
    Families { registry, ..families }
});

/// The whole registry in the OpenMetrics text format (what Prometheus scrapes).
pub(crate) fn encode() -> String {
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &FAMILIES.registry) {
        tracing::error!(%error, "cannot encode the metrics registry");
    }
    text
}

/// The media type of [`encode`]'s output.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Status classes, the `class` label of `requests_total`.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Why a request was refused before or instead of the member answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    Deadline,
    Overload,
    Body,
}

/// How an event delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventOutcome {
    Ok,
    Timeout,
    Panicked,
    Dropped,
}

impl EventOutcome {
    pub(crate) const ALL: [EventOutcome; 4] = [Self::Ok, Self::Timeout, Self::Panicked, Self::Dropped];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Timeout => "timeout",
            Self::Panicked => "panicked",
            Self::Dropped => "dropped",
        }
    }
}

/// The metric handles of one route template, fetched once, cached by the member and kept by the route's stack.
#[derive(Debug)]
pub(crate) struct RouteMetrics {
    template: Box<str>,
    classes: [Counter; 5],
    latency: LatencyHistogram,
    /// What the watchdog reports when a poll of this route stalls a worker.
    pub activity: Arc<Activity>,
}

impl RouteMetrics {
    /// The route template these handles count.
    pub(crate) fn template(&self) -> &str {
        &self.template
    }

    /// Records one answered request.
    pub(crate) fn record(&self, status: u16, seconds: f64) {
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        if let Some(counter) = self.classes.get(class) {
            counter.inc();
        }
        self.latency.observe(seconds);
    }

    /// What this route answered so far (errors: the 5xx class).
    fn totals(&self) -> Totals {
        Totals {
            requests: self.classes.iter().map(Counter::get).sum(),
            errors: self.classes.last().map_or(0, Counter::get),
            buckets: self.latency.bucket_counts(),
        }
    }
}

/// One member's metric handles (cheap clones of the registry's series) and its own figures for the JSON view.
#[derive(Debug)]
pub(crate) struct MemberMetrics {
    member: Arc<str>,
    /// Kept for the process's life (bounded by the member's route templates), so a route borrows them.
    routes: RwLock<HashMap<Box<str>, &'static RouteMetrics>>,
    pub in_flight: Gauge,
    rejections: [Counter; 3],
    events: [Counter; 4],
    pub event_duration: LatencyHistogram,
    pub event_backlog: Gauge,
    pub stalls: Counter,
    disabled: Gauge,
    pub stats: MemberStats,
}

impl MemberMetrics {
    pub(crate) fn new(member: &Arc<str>) -> Self {
        let families = &*FAMILIES;
        let label = MemberLabel { member: member.to_string() };
        let reason =
            |reason| families.rejections.get_or_create_owned(&ReasonLabels { member: label.member.clone(), reason });
        let outcome = |outcome: EventOutcome| {
            families
                .event_deliveries
                .get_or_create_owned(&OutcomeLabels { member: label.member.clone(), outcome: outcome.as_str() })
        };
        Self {
            member: member.clone(),
            routes: RwLock::default(),
            in_flight: families.in_flight.get_or_create_owned(&label),
            rejections: [reason("deadline"), reason("overload"), reason("body")],
            events: EventOutcome::ALL.map(outcome),
            event_duration: families.event_duration.get_or_create_owned(&label),
            event_backlog: families.event_backlog.get_or_create_owned(&label),
            stalls: families.stalls.get_or_create_owned(&label),
            disabled: families.disabled.get_or_create_owned(&label),
            stats: MemberStats::default(),
        }
    }

    /// The handles of `route` (a template), created on first use. Templates are bounded by the member's router.
    /// `owner` is the member these metrics belong to (where the watchdog counts the route's stalls).
    pub(crate) fn route(&self, route: &str, owner: &Arc<super::MemberIsolation>) -> &'static RouteMetrics {
        if let Some(found) = self.routes.read().ok().and_then(|routes| routes.get(route).copied()) {
            return found;
        }
        let families = &*FAMILIES;
        let class = |class| {
            families.requests.get_or_create_owned(&RouteClassLabels {
                member: self.member.to_string(),
                route: route.to_owned(),
                class,
            })
        };
        let created: &'static RouteMetrics = Box::leak(Box::new(RouteMetrics {
            template: route.into(),
            classes: CLASSES.map(class),
            latency: families
                .request_duration
                .get_or_create_owned(&RouteLabels { member: self.member.to_string(), route: route.to_owned() }),
            activity: {
                let activity = Activity::route(&self.member, route);
                activity.bind(owner);
                Arc::new(activity)
            },
        }));
        match self.routes.write() {
            Ok(mut routes) => routes.entry(route.into()).or_insert(created),
            Err(_) => created,
        }
    }

    /// The member's request totals: its routes' counts summed (each request is counted once, by its route).
    pub(crate) fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        if let Ok(routes) = self.routes.read() {
            for route in routes.values() {
                totals.add(&route.totals());
            }
        }
        totals
    }

    pub(crate) fn reject(&self, rejection: Rejection) {
        let index = match rejection {
            Rejection::Deadline => 0,
            Rejection::Overload => 1,
            Rejection::Body => 2,
        };
        if let Some(counter) = self.rejections.get(index) {
            counter.inc();
        }
    }

    pub(crate) fn event(&self, outcome: EventOutcome) {
        if let Some(counter) = EventOutcome::ALL.iter().position(|o| *o == outcome).and_then(|i| self.events.get(i)) {
            counter.inc();
        }
    }

    /// How many deliveries ended with `outcome` so far.
    pub(crate) fn events(&self, outcome: EventOutcome) -> u64 {
        EventOutcome::ALL.iter().position(|o| *o == outcome).and_then(|i| self.events.get(i)).map_or(0, Counter::get)
    }

    pub(crate) fn set_disabled(&self, disabled: bool) {
        self.disabled.set(i64::from(disabled));
    }
}

/// Counts one platform channel call of `member`. `outcome` is `ok` or the error kind.
pub(crate) fn channel_call(member: &str, method: &str, outcome: &'static str) {
    // Method names come from member code, not from callers; still, anything odd is folded into one value.
    let method = if method.len() <= 64 && method.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        method.to_owned()
    } else {
        "other".to_owned()
    };
    FAMILIES.channel_calls.get_or_create(&CallLabels { member: member.to_owned(), method, outcome }).inc();
}

/// Counts one restart of a background task after a panic.
pub(crate) fn task_restart(member: &str, task: &str) {
    FAMILIES.task_restarts.get_or_create(&TaskLabels { member: member.to_owned(), task: task.to_owned() }).inc();
}
