//! Section 10, events lost at SIGKILL: `/_events` answers 202 once an event is queued in memory, so a SIGKILL loses
//! what is still queued. [`POSTED`] `deployment.created` events are posted to the composite's `/_events` (as a
//! Gen A host delivers them), the process is killed [`KILL_AFTER`] after the last one, and deploy-pulse's SQLite
//! file (its handler stores every event before anything else) is read once the process is gone.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use serde_json::json;
use temps_bundle_devhost::{Caller, RunningPlugin, new_event};

use crate::bins::MemberInfo;
use crate::plugin::Launch;
use crate::report::{Row, millis, thousands};

/// Events posted before the kill.
pub const POSTED: u64 = 5_000;
/// How long after the last accepted event the process is killed.
const KILL_AFTER: Duration = Duration::from_millis(500);
/// The project every posted event belongs to (so its rows are told apart from anything else in the file).
const PROJECT: i64 = 4_242;

/// What deploy-pulse had written when the process died.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SigkillResult {
    pub posted: u64,
    pub posting_ms: f64,
    pub persisted: u64,
    /// Dropped from deploy-pulse's full backlog before the kill, and counted (`/_bundle/metrics.json`).
    pub dropped: Option<u64>,
}

/// Runs the measurement; `None` if the bundle has no deploy-pulse.
pub async fn measure(bin: &Path, members: &[MemberInfo]) -> anyhow::Result<Option<SigkillResult>> {
    if !members.iter().any(|m| m.name == "deploy-pulse") {
        return Ok(None);
    }
    // A data dir of our own: the dev host removes its temporary one with the process.
    let work = tempfile::tempdir().context("creating a work dir")?;
    let options = Launch::composite("composite", bin).options(false).work_dir(work.path());
    let plugin = RunningPlugin::spawn(options).await.context("starting the composite")?;
    let started = Instant::now();
    for id in 1..=POSTED {
        let data = json!({ "deployment_id": id, "project_id": PROJECT, "environment_id": 1, "environment_name": "production" });
        let Some(data) = data.as_object().cloned() else { bail!("an event's data is not an object") };
        let body = serde_json::to_string(&new_event("deployment.created", data))?;
        let accepted = plugin.post_event_http(&body, Some(plugin.secret())).await?;
        if accepted.status.as_u16() != 202 {
            bail!("event {id}: /_events answered {}: {}", accepted.status, accepted.text());
        }
    }
    let posting_ms = started.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(KILL_AFTER).await;
    let view = plugin.get("/_bundle/metrics.json", &Caller::admin()).await?;
    let dropped = view.json().ok().and_then(|view| dropped_of(&view, "deploy-pulse"));
    let file = plugin.data_dir().join("deploy-pulse").join("deploy-pulse.sqlite3");
    let _ = plugin.kill().await;
    let persisted = persisted(&file).await?;
    Ok(Some(SigkillResult { posted: POSTED, posting_ms, persisted, dropped }))
}

/// `events.dropped` of `member` in the bundle's metrics view.
fn dropped_of(view: &serde_json::Value, member: &str) -> Option<u64> {
    let members = view["members"].as_array()?;
    members.iter().find(|m| m["member"] == member)?["events"]["dropped"].as_u64()
}

/// Events of [`PROJECT`] in deploy-pulse's file, opened after its process died (SQLite recovers the WAL on open).
async fn persisted(file: &Path) -> anyhow::Result<u64> {
    let options = SqliteConnectOptions::new().filename(file);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", file.display()))?;
    let (count,): (i64,) = sea_orm::sqlx::query_as("SELECT count(*) FROM events WHERE project_id = ?")
        .bind(PROJECT)
        .fetch_one(&pool)
        .await
        .with_context(|| format!("counting the events in {}", file.display()))?;
    pool.close().await;
    Ok(u64::try_from(count).unwrap_or(0))
}

impl SigkillResult {
    pub fn rows(&self) -> Vec<Row> {
        let lost = self.posted.saturating_sub(self.persisted);
        let dropped = self.dropped.map_or_else(|| "not reported".to_owned(), thousands);
        vec![Row::plain(
            "10",
            format!(
                "events lost at SIGKILL: {} deployment.created posted to /_events, SIGKILL {} ms after the last",
                thousands(self.posted),
                KILL_AFTER.as_millis()
            ),
            format!(
                "deploy-pulse had stored {}, lost {} (of which dropped from its full backlog and counted before the kill: {dropped}); posting took {}",
                thousands(self.persisted),
                thousands(lost),
                millis(self.posting_ms)
            ),
        )]
    }
}
