//! The JSON shapes the API answers, built from rows and metrics. Times are RFC 3339 UTC strings.

use std::collections::BTreeMap;

use serde::Serialize;
use temps_bundle_store::timestamp;
use utoipa::ToSchema;

use crate::lifecycle::{Deployment, DeploymentState, EnvironmentKey, FAILED};
use crate::metrics::{self, Day, Metrics, Window};
use crate::repository::{Listed, Project};
use crate::settings::PulseSettings;

/// How a project or environment is doing, from its newest finished deployments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Failing,
    Healthy,
    Unknown,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Window)]
pub struct WindowView {
    pub days: u32,
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Deployment)]
pub struct DeploymentView {
    pub deployment_id: i64,
    pub project_id: i64,
    pub environment_id: Option<i64>,
    pub environment_name: Option<String>,
    #[schema(value_type = DeploymentState)]
    pub state: String,
    pub host_state: Option<String>,
    pub branch: Option<String>,
    pub commit_sha: Option<String>,
    pub commit_message: Option<String>,
    pub commit_author: Option<String>,
    pub url: Option<String>,
    pub error_message: Option<String>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub succeeded_at: Option<String>,
    pub failed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub ready_at: Option<String>,
    pub finished_at: Option<String>,
    pub lead_time_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_count: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Environment)]
pub struct EnvironmentView {
    pub environment_id: Option<i64>,
    pub environment_name: Option<String>,
    /// `failing` when its newest finished deployment failed, `healthy` when it succeeded, else `unknown`.
    pub health: Health,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Project)]
pub struct ProjectView {
    pub project_id: i64,
    pub name: String,
    pub slug: String,
    /// The project's page in the Temps console (open it in the top window).
    pub temps_url: Option<String>,
    /// `failing` when any environment is failing, `healthy` when some environment succeeded last, else `unknown`.
    pub health: Health,
    pub metrics: Metrics,
    pub environments: Vec<EnvironmentView>,
    pub last_deployment: Option<DeploymentView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub window: WindowView,
    pub totals: Totals,
    /// Failing projects first, then by change failure rate (highest first), then by name.
    pub projects: Vec<ProjectView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Totals {
    pub projects: u32,
    pub failing: u32,
    pub deployments: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectDetail {
    pub window: WindowView,
    #[serde(flatten)]
    pub project: ProjectView,
    /// Deployments per UTC day of the window, by outcome.
    pub daily: Vec<Day>,
    /// Lead time of each succeeded deployment in the window, oldest first.
    pub lead_times: Vec<LeadTimePoint>,
    /// Every deployment of the window, oldest first.
    pub timeline: Vec<DeploymentView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeadTimePoint {
    pub deployment_id: i64,
    pub at: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeploymentPage {
    pub deployments: Vec<DeploymentView>,
    /// Pass as `before` for the next (older) page; `null` on the last page.
    pub next_before: Option<i64>,
}

pub fn window_view(window: &Window) -> WindowView {
    WindowView { days: window.days, start: timestamp::format(window.start), end: timestamp::format(window.end) }
}

pub fn deployment_view(d: &Deployment, event_count: Option<i64>) -> DeploymentView {
    let time = |ms: Option<i64>| ms.map(timestamp::format);
    DeploymentView {
        deployment_id: d.deployment_id,
        project_id: d.project_id,
        environment_id: d.environment_id,
        environment_name: d.environment_name.clone(),
        state: d.state.clone(),
        host_state: d.host_state.clone(),
        branch: d.branch.clone(),
        commit_sha: d.commit_sha.clone(),
        commit_message: d.commit_message.clone(),
        commit_author: d.commit_author.clone(),
        url: d.url.clone(),
        error_message: d.error_message.clone(),
        created_at: time(d.created_at),
        started_at: time(d.started_at),
        succeeded_at: time(d.succeeded_at),
        failed_at: time(d.failed_at),
        cancelled_at: time(d.cancelled_at),
        ready_at: time(d.ready_at),
        finished_at: time(d.finished_at()),
        lead_time_seconds: d.lead_time_ms().map(seconds),
        event_count,
    }
}

pub fn page(listed: &[Listed], limit: u32) -> DeploymentPage {
    let full = listed.len() >= usize::try_from(limit).unwrap_or(usize::MAX);
    DeploymentPage {
        deployments: listed.iter().map(|l| deployment_view(&l.deployment, Some(l.event_count))).collect(),
        next_before: listed.last().filter(|_| full).map(|l| l.deployment.deployment_id),
    }
}

/// Every project's summary, failing first.
pub fn overview(
    projects: &[Project],
    deployments: &[Deployment],
    window: &Window,
    settings: &PulseSettings,
) -> Overview {
    let mut by_project: BTreeMap<i64, Vec<&Deployment>> = BTreeMap::new();
    for d in deployments {
        by_project.entry(d.project_id).or_default().push(d);
    }
    let mut views: Vec<ProjectView> = projects
        .iter()
        .map(|p| project_view(p, by_project.get(&p.project_id).map_or(&[][..], Vec::as_slice), window, settings))
        .collect();
    views.sort_by(|a, b| {
        let failing = |v: &ProjectView| v.health != Health::Failing;
        let rate = |v: &ProjectView| v.metrics.change_failure_rate.unwrap_or(-1.0);
        failing(a).cmp(&failing(b)).then(rate(b).total_cmp(&rate(a))).then_with(|| a.name.cmp(&b.name))
    });
    Overview {
        window: window_view(window),
        totals: Totals {
            projects: count(views.len()),
            failing: count(views.iter().filter(|v| v.health == Health::Failing).count()),
            deployments: views.iter().map(|v| v.metrics.deployments).sum(),
        },
        projects: views,
    }
}

/// One project in detail: its summary plus the series the charts draw.
pub fn project_detail(
    project: &Project,
    deployments: &[&Deployment],
    window: &Window,
    settings: &PulseSettings,
) -> ProjectDetail {
    let mut in_window: Vec<&Deployment> =
        deployments.iter().copied().filter(|d| d.at().is_some_and(|at| window.contains(at))).collect();
    in_window.sort_by_key(|d| (d.at(), d.deployment_id));
    ProjectDetail {
        window: window_view(window),
        project: project_view(project, deployments, window, settings),
        daily: metrics::daily(deployments, window),
        lead_times: in_window
            .iter()
            .filter_map(|d| {
                let lead = d.lead_time_ms()?;
                Some(LeadTimePoint {
                    deployment_id: d.deployment_id,
                    at: timestamp::format(d.at()?),
                    seconds: seconds(lead),
                })
            })
            .collect(),
        timeline: in_window.iter().map(|d| deployment_view(d, None)).collect(),
    }
}

fn project_view(
    project: &Project,
    deployments: &[&Deployment],
    window: &Window,
    settings: &PulseSettings,
) -> ProjectView {
    let mut by_environment: BTreeMap<EnvironmentKey<'_>, Vec<&Deployment>> = BTreeMap::new();
    for d in deployments {
        by_environment.entry(d.environment_key()).or_default().push(d);
    }
    let environments: Vec<EnvironmentView> = by_environment
        .values()
        .map(|group| {
            let metrics = metrics::metrics(group, window);
            EnvironmentView {
                environment_id: group.first().and_then(|d| d.environment_id),
                environment_name: group.iter().find_map(|d| d.environment_name.clone()),
                health: health(&metrics),
                metrics,
            }
        })
        .collect();
    let health = if environments.iter().any(|e| e.health == Health::Failing) {
        Health::Failing
    } else if environments.iter().any(|e| e.health == Health::Healthy) {
        Health::Healthy
    } else {
        Health::Unknown
    };
    let last = deployments
        .iter()
        .copied()
        .filter(|d| d.at().is_some_and(|at| at <= window.end))
        .max_by_key(|d| (d.at(), d.deployment_id));
    ProjectView {
        project_id: project.project_id,
        name: project.name.clone(),
        slug: project.slug.clone(),
        temps_url: settings.project_url(project.project_id, &project.slug),
        health,
        metrics: metrics::metrics(deployments, window),
        environments,
        last_deployment: last.map(|d| deployment_view(d, None)),
    }
}

fn health(metrics: &Metrics) -> Health {
    match metrics.streak.as_ref().map(|s| s.outcome.as_str()) {
        Some(FAILED) => Health::Failing,
        Some(_) => Health::Healthy,
        None => Health::Unknown,
    }
}

#[expect(clippy::cast_precision_loss, reason = "durations in ms are far below 2^52")]
fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
