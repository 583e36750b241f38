//! Delivery metrics over a time window, computed from deployment rows. Pure: no I/O, no clock.
//!
//! Definitions (all times UTC; a deployment's moment is [`Deployment::at`], its creation when known):
//! - **deployments**: deployments whose moment falls in the window; **frequency_per_day** = deployments ÷ window days
//!   (every deployment counts, whatever its outcome).
//! - **change_failure_rate** = failed ÷ (succeeded + failed) in the window; cancelled and running deployments are
//!   not finished changes and do not count. `null` when nothing finished.
//! - **time_to_restore**: per environment, an *incident* starts at a failure that follows a success (or starts the
//!   history) and ends at the next success in the same environment; consecutive failures belong to one incident.
//!   Incidents starting in the window count; `mean_seconds` and `median_seconds` cover the restored ones (median of
//!   an even count = mean of the two middle values); `open` counts the ones not restored by the window's end.
//! - **lead_time**: created → succeeded for succeeded deployments in the window; `p50_seconds` and `p90_seconds`
//!   use the **nearest-rank** method: the value at rank ⌈p/100 × n⌉ (1-based) of the sorted samples.
//! - **current**: the newest deployment up to the window's end (whatever the window's start); **streak**: how many
//!   of the newest finished (succeeded/failed) deployments in a row share the newest one's outcome.

use std::collections::BTreeMap;

use serde::Serialize;
use temps_bundle_store::timestamp::{self, DAY_MS};
use utoipa::ToSchema;

use crate::lifecycle::{CANCELLED, Deployment, DeploymentState, EnvironmentKey, FAILED, SUCCEEDED};

/// A window of `days` days ending at `end` (Unix ms, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub days: u32,
    pub start: i64,
    pub end: i64,
}

impl Window {
    pub fn ending(end: i64, days: u32) -> Self {
        Self { days, start: end - i64::from(days) * DAY_MS, end }
    }

    pub fn contains(&self, at: i64) -> bool {
        self.start <= at && at <= self.end
    }
}

/// The metrics of one project or one environment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Metrics {
    pub deployments: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub running: u32,
    pub frequency_per_day: f64,
    pub change_failure_rate: Option<f64>,
    pub time_to_restore: RestoreStats,
    pub lead_time: LeadTimeStats,
    pub current: Option<Current>,
    pub streak: Option<Streak>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RestoreStats {
    pub incidents: u32,
    pub restored: u32,
    pub open: u32,
    pub mean_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LeadTimeStats {
    pub samples: u32,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

/// The newest deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Current {
    pub deployment_id: i64,
    #[schema(value_type = DeploymentState)]
    pub state: String,
    pub at: String,
}

/// The newest run of equal outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Streak {
    #[schema(value_type = DeploymentState)]
    pub outcome: String,
    pub length: u32,
}

/// One UTC day of the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Day {
    pub date: String,
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub running: u32,
}

/// Computes [`Metrics`] for `deployments` (one project or one environment) over `window`.
pub fn metrics(deployments: &[&Deployment], window: &Window) -> Metrics {
    let visible: Vec<&Deployment> =
        deployments.iter().copied().filter(|d| d.at().is_some_and(|at| at <= window.end)).collect();
    let in_window: Vec<&Deployment> =
        visible.iter().copied().filter(|d| d.at().is_some_and(|at| window.contains(at))).collect();
    let count = |state: &str| count_u32(in_window.iter().filter(|d| d.state == state).count());
    let (succeeded, failed, cancelled) = (count(SUCCEEDED), count(FAILED), count(CANCELLED));
    let deployments = count_u32(in_window.len());
    let finished = succeeded + failed;
    Metrics {
        deployments,
        succeeded,
        failed,
        cancelled,
        running: deployments - succeeded - failed - cancelled,
        frequency_per_day: f64::from(deployments) / f64::from(window.days.max(1)),
        change_failure_rate: (finished > 0).then(|| f64::from(failed) / f64::from(finished)),
        time_to_restore: time_to_restore(&visible, window),
        lead_time: lead_time(&in_window),
        current: current(&visible),
        streak: streak(&visible),
    }
}

/// Deployments per UTC day of the window, by outcome (for the per-day chart).
pub fn daily(deployments: &[&Deployment], window: &Window) -> Vec<Day> {
    let first = window.start.div_euclid(DAY_MS);
    let last = window.end.div_euclid(DAY_MS);
    let mut days: Vec<Day> = (first..=last)
        .map(|day| Day {
            date: timestamp::day_label(day * DAY_MS),
            total: 0,
            succeeded: 0,
            failed: 0,
            cancelled: 0,
            running: 0,
        })
        .collect();
    for deployment in deployments {
        let Some(at) = deployment.at().filter(|at| window.contains(*at)) else { continue };
        let Some(day) = usize::try_from(at.div_euclid(DAY_MS) - first).ok().and_then(|i| days.get_mut(i)) else {
            continue;
        };
        day.total += 1;
        match deployment.state.as_str() {
            SUCCEEDED => day.succeeded += 1,
            FAILED => day.failed += 1,
            CANCELLED => day.cancelled += 1,
            _ => day.running += 1,
        }
    }
    days
}

/// The value at nearest rank ⌈p/100 × n⌉ of `sorted` (ascending).
pub fn nearest_rank(sorted: &[f64], percentile: u32) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (usize::try_from(percentile).unwrap_or(100) * n).div_ceil(100).clamp(1, n);
    sorted.get(rank - 1).copied()
}

fn time_to_restore(visible: &[&Deployment], window: &Window) -> RestoreStats {
    let mut by_environment: BTreeMap<EnvironmentKey<'_>, Vec<(i64, bool)>> = BTreeMap::new();
    for d in visible {
        let Some(finished) = d.finished_at().filter(|at| *at <= window.end) else { continue };
        if d.state == SUCCEEDED || d.state == FAILED {
            by_environment.entry(d.environment_key()).or_default().push((finished, d.state == SUCCEEDED));
        }
    }
    let (mut restored, mut open) = (Vec::new(), 0u32);
    for outcomes in by_environment.values_mut() {
        outcomes.sort_unstable();
        let mut incident_start: Option<i64> = None;
        for (at, success) in outcomes.iter().copied() {
            match (incident_start, success) {
                (None, false) => incident_start = Some(at),
                (Some(start), true) => {
                    if window.contains(start) {
                        restored.push(ms_to_seconds(at - start));
                    }
                    incident_start = None;
                }
                _ => {}
            }
        }
        open += u32::from(incident_start.is_some_and(|start| window.contains(start)));
    }
    restored.sort_by(f64::total_cmp);
    let n_restored = count_u32(restored.len());
    RestoreStats {
        incidents: n_restored + open,
        restored: n_restored,
        open,
        mean_seconds: (!restored.is_empty()).then(|| restored.iter().sum::<f64>() / f64::from(n_restored)),
        median_seconds: median(&restored),
    }
}

fn lead_time(in_window: &[&Deployment]) -> LeadTimeStats {
    let mut samples: Vec<f64> = in_window.iter().filter_map(|d| d.lead_time_ms()).map(ms_to_seconds).collect();
    samples.sort_by(f64::total_cmp);
    LeadTimeStats {
        samples: count_u32(samples.len()),
        p50_seconds: nearest_rank(&samples, 50),
        p90_seconds: nearest_rank(&samples, 90),
    }
}

fn current(visible: &[&Deployment]) -> Option<Current> {
    let newest = visible.iter().max_by_key(|d| (d.at(), d.deployment_id))?;
    Some(Current {
        deployment_id: newest.deployment_id,
        state: newest.state.clone(),
        at: newest.at().map(timestamp::format).unwrap_or_default(),
    })
}

fn streak(visible: &[&Deployment]) -> Option<Streak> {
    let mut finished: Vec<(i64, i64, &str)> = visible
        .iter()
        .filter(|d| d.state == SUCCEEDED || d.state == FAILED)
        .filter_map(|d| Some((d.finished_at()?, d.deployment_id, d.state.as_str())))
        .collect();
    finished.sort_unstable_by(|a, b| b.cmp(a));
    let outcome = finished.first()?.2;
    let length = finished.iter().take_while(|(_, _, state)| *state == outcome).count();
    Some(Streak { outcome: outcome.to_owned(), length: count_u32(length) })
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(n / 2).copied(),
        _ => Some((sorted.get(n / 2 - 1)? + sorted.get(n / 2)?) / 2.0),
    }
}

#[expect(clippy::cast_precision_loss, reason = "durations in ms are far below 2^52")]
fn ms_to_seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::lifecycle::RUNNING;

    /// One deployment of the fixture history: environment, created, outcome and when it finished.
    fn deployment(id: i64, environment: i64, created: &str, state: &str, finished: Option<&str>) -> Deployment {
        let at = |text: &str| timestamp::parse(text).unwrap();
        let finished = finished.map(at);
        Deployment {
            deployment_id: id,
            project_id: 1,
            environment_id: Some(environment),
            state: state.into(),
            created_at: Some(at(created)),
            succeeded_at: if state == SUCCEEDED { finished } else { None },
            failed_at: if state == FAILED { finished } else { None },
            cancelled_at: if state == CANCELLED { finished } else { None },
            ..Deployment::default()
        }
    }

    /// The hand-computed history (window: the 10 days 2026-03-01T00:00Z – 2026-03-11T00:00Z):
    ///
    /// | id | env | created          | outcome   | finished | lead  | note                                   |
    /// |----|-----|------------------|-----------|----------|-------|----------------------------------------|
    /// | 1  | 1   | 03-01 10:00      | succeeded | 10:10    | 10 m  |                                        |
    /// | 2  | 1   | 03-02 09:00      | failed    | 09:05    |       | incident A starts                      |
    /// | 3  | 1   | 03-02 10:00      | failed    | 10:04    |       | same incident                          |
    /// | 4  | 1   | 03-02 11:00      | succeeded | 11:20    | 20 m  | A restored: 09:05 → 11:20 = 8 100 s    |
    /// | 5  | 1   | 03-05 08:00      | succeeded | 08:30    | 30 m  |                                        |
    /// | 6  | 1   | 03-07 12:00      | failed    | 12:10    |       | incident B starts                      |
    /// | 7  | 1   | 03-08 12:00      | succeeded | 12:40    | 40 m  | B restored: 24 h 30 m = 88 200 s       |
    /// | 8  | 1   | 03-10 09:00      | running   |          |       | newest deployment                      |
    /// | 9  | 2   | 02-27 10:00      | succeeded | 10:05    |       | before the window                      |
    /// | 10 | 2   | 03-03 14:00      | succeeded | 14:50    | 50 m  |                                        |
    /// | 11 | 2   | 03-04 15:00      | cancelled | 15:01    |       |                                        |
    /// | 12 | 2   | 03-06 09:00      | failed    | 09:10    |       | incident C starts                      |
    /// | 13 | 2   | 03-06 09:30      | succeeded | 10:10    | 40 m  | C restored: 3 600 s                    |
    /// | 14 | 2   | 03-09 16:00      | failed    | 16:02    |       | incident D, still open                 |
    ///
    /// Project: 13 deployments in the window → 1.3 per day; 6 succeeded, 5 failed → CFR 5/11; restored incidents
    /// 3 600, 8 100, 88 200 s → mean 33 300 s, median 8 100 s, one open; lead times 10, 20, 30, 40, 40, 50 min →
    /// p50 = rank ⌈3⌉ = 30 min = 1 800 s, p90 = rank ⌈5.4⌉ = 6 → 50 min = 3 000 s.
    fn history() -> Vec<Deployment> {
        vec![
            deployment(1, 1, "2026-03-01T10:00:00Z", SUCCEEDED, Some("2026-03-01T10:10:00Z")),
            deployment(2, 1, "2026-03-02T09:00:00Z", FAILED, Some("2026-03-02T09:05:00Z")),
            deployment(3, 1, "2026-03-02T10:00:00Z", FAILED, Some("2026-03-02T10:04:00Z")),
            deployment(4, 1, "2026-03-02T11:00:00Z", SUCCEEDED, Some("2026-03-02T11:20:00Z")),
            deployment(5, 1, "2026-03-05T08:00:00Z", SUCCEEDED, Some("2026-03-05T08:30:00Z")),
            deployment(6, 1, "2026-03-07T12:00:00Z", FAILED, Some("2026-03-07T12:10:00Z")),
            deployment(7, 1, "2026-03-08T12:00:00Z", SUCCEEDED, Some("2026-03-08T12:40:00Z")),
            deployment(8, 1, "2026-03-10T09:00:00Z", RUNNING, None),
            deployment(9, 2, "2026-02-27T10:00:00Z", SUCCEEDED, Some("2026-02-27T10:05:00Z")),
            deployment(10, 2, "2026-03-03T14:00:00Z", SUCCEEDED, Some("2026-03-03T14:50:00Z")),
            deployment(11, 2, "2026-03-04T15:00:00Z", CANCELLED, Some("2026-03-04T15:01:00Z")),
            deployment(12, 2, "2026-03-06T09:00:00Z", FAILED, Some("2026-03-06T09:10:00Z")),
            deployment(13, 2, "2026-03-06T09:30:00Z", SUCCEEDED, Some("2026-03-06T10:10:00Z")),
            deployment(14, 2, "2026-03-09T16:00:00Z", FAILED, Some("2026-03-09T16:02:00Z")),
        ]
    }

    fn window() -> Window {
        Window::ending(timestamp::parse("2026-03-11T00:00:00Z").unwrap(), 10)
    }

    #[test]
    fn project_metrics_match_the_hand_computed_values() {
        let history = history();
        let all: Vec<&Deployment> = history.iter().collect();
        let m = metrics(&all, &window());
        assert_eq!((m.deployments, m.succeeded, m.failed, m.cancelled, m.running), (13, 6, 5, 1, 1));
        assert_eq!(m.frequency_per_day, 1.3);
        assert_eq!(m.change_failure_rate, Some(5.0 / 11.0));
        assert_eq!(
            m.time_to_restore,
            RestoreStats {
                incidents: 4,
                restored: 3,
                open: 1,
                mean_seconds: Some(33_300.0),
                median_seconds: Some(8_100.0)
            }
        );
        assert_eq!(m.lead_time, LeadTimeStats { samples: 6, p50_seconds: Some(1_800.0), p90_seconds: Some(3_000.0) });
        assert_eq!(m.current.map(|c| (c.deployment_id, c.state)), Some((8, RUNNING.to_owned())));
        assert_eq!(m.streak, Some(Streak { outcome: FAILED.into(), length: 1 }));
    }

    #[test]
    fn environment_metrics_match_the_hand_computed_values() {
        let history = history();
        let production: Vec<&Deployment> = history.iter().filter(|d| d.environment_id == Some(1)).collect();
        let m = metrics(&production, &window());
        assert_eq!((m.deployments, m.frequency_per_day), (8, 0.8));
        assert_eq!(m.change_failure_rate, Some(3.0 / 7.0));
        assert_eq!(
            (m.time_to_restore.mean_seconds, m.time_to_restore.median_seconds),
            (Some(48_150.0), Some(48_150.0))
        );
        assert_eq!((m.lead_time.p50_seconds, m.lead_time.p90_seconds), (Some(1_200.0), Some(2_400.0)));
        assert_eq!(m.streak, Some(Streak { outcome: SUCCEEDED.into(), length: 1 }));
        let staging: Vec<&Deployment> = history.iter().filter(|d| d.environment_id == Some(2)).collect();
        let m = metrics(&staging, &window());
        assert_eq!((m.deployments, m.cancelled, m.time_to_restore.open), (5, 1, 1));
        assert_eq!(m.current.map(|c| c.deployment_id), Some(14));
    }

    #[test]
    fn a_window_ending_earlier_hides_later_deployments() {
        let history = history();
        let all: Vec<&Deployment> = history.iter().collect();
        let early = Window::ending(timestamp::parse("2026-03-02T12:00:00Z").unwrap(), 7);
        let m = metrics(&all, &early);
        assert_eq!((m.deployments, m.succeeded, m.failed), (5, 3, 2), "ids 9, 1, 2, 3, 4");
        assert_eq!(m.time_to_restore.median_seconds, Some(8_100.0));
        assert_eq!(m.streak, Some(Streak { outcome: SUCCEEDED.into(), length: 1 }));
        assert_eq!(m.current.map(|c| c.deployment_id), Some(4));
    }

    #[test]
    fn daily_buckets_and_nearest_rank() {
        let history = history();
        let all: Vec<&Deployment> = history.iter().collect();
        let days = daily(&all, &window());
        assert_eq!(days.len(), 11, "03-01 … 03-11, both ends included");
        let march_2 = days.iter().find(|d| d.date == "2026-03-02").unwrap();
        assert_eq!((march_2.total, march_2.succeeded, march_2.failed), (3, 1, 2));
        assert_eq!(days.iter().map(|d| d.total).sum::<u32>(), 13);
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0, 4.0], 50), Some(2.0));
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0, 4.0], 90), Some(4.0));
        assert_eq!(nearest_rank(&[7.0], 90), Some(7.0));
        assert_eq!(nearest_rank(&[], 50), None);
        let empty = metrics(&[], &window());
        assert_eq!((empty.change_failure_rate, empty.current, empty.streak), (None, None, None));
    }
}
