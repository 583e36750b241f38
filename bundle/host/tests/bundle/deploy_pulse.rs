//! deploy-pulse over the real binary: events become deployment rows (once per event id), backfill over the
//! platform channel is idempotent, and only admins may start it.

use bytes::Bytes;
use serde_json::{Map, Value, json};
use temps_bundle_devhost::{Caller, Generation, PluginEvent, Response, RunningPlugin, new_event};

use crate::support::{assert_problem, ok_json, options, spawn, spawn_with};

/// `POST path` through the simulated Temps proxy.
async fn post(plugin: &RunningPlugin, path: &str, caller: &Caller) -> Response {
    let request = http::Request::post(path).body(Bytes::new()).unwrap();
    plugin.proxy(request, caller).await.unwrap()
}

fn deployment_event(event_type: &str, deployment_id: i64, extra: Value) -> PluginEvent {
    let mut data =
        json!({"deployment_id": deployment_id, "project_id": 1, "environment_id": 1, "environment_name": "production"});
    data.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    new_event(event_type, Map::clone(data.as_object().unwrap()))
}

/// Polls project 1's deployments until deployment `id` passes `done`, up to 5 s (events are stored on their own
/// tasks, and the project is unknown, 404, until the first event or backfill mentions it).
async fn eventually_row(plugin: &RunningPlugin, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    let path = "/deploy-pulse/projects/1/deployments?limit=200";
    let mut last = String::new();
    for _ in 0..100 {
        let response = plugin.get(path, &Caller::admin()).await.unwrap();
        if response.status.as_u16() == 200 {
            let page = response.json().unwrap();
            if let Some(row) = find(&page, id).filter(|row| done(row)) {
                return row.clone();
            }
        }
        last = response.text();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("deployment {id} never reached the expected state; last answer: {last}");
}

/// The deployment with `id` in project 1's first page, if listed.
fn find(page: &Value, id: i64) -> Option<&Value> {
    page["deployments"].as_array()?.iter().find(|d| d["deployment_id"] == id)
}

#[tokio::test]
async fn deployment_events_become_rows_once_per_event_id() {
    let work = tempfile::tempdir().unwrap();
    let plugin = spawn_with(options(Generation::B).work_dir(work.path())).await;
    let created = deployment_event("deployment.created", 9001, json!({"branch": "main", "commit_sha": "abc123"}));
    let failed = deployment_event("deployment.failed", 9001, json!({"error_message": "Build failed: exit 1"}));
    for event in [&created, &failed, &failed, &created] {
        assert!(plugin.fire_event(event.clone()).await.unwrap().delivered());
    }
    let body = serde_json::to_string(&failed).unwrap();
    let again = plugin.post_event_http(&body, Some(plugin.secret())).await.unwrap();
    assert!(again.status.is_success(), "{}", again.text());
    let row = eventually_row(&plugin, 9001, |d| d["event_count"] == 2).await;
    assert_eq!(row["state"], "failed");
    assert_eq!(row["error_message"], "Build failed: exit 1");
    assert_eq!((row["branch"].as_str(), row["commit_sha"].as_str()), (Some("main"), Some("abc123")));
    assert_eq!(row["environment_name"], "production");
    assert!(row["created_at"].is_string() && row["failed_at"].is_string(), "{row}");
    assert_eq!(row["event_count"], 2, "each event id is stored once: {row}");
    let overview = ok_json(&plugin.get("/deploy-pulse/overview?window=7d", &Caller::user("reader")).await.unwrap());
    let project = overview["projects"].as_array().unwrap().iter().find(|p| p["project_id"] == 1).unwrap().clone();
    assert_eq!(project["health"], "failing", "{project}");
    assert_eq!(overview["projects"][0]["project_id"], 1, "failing projects come first");

    // The engine forgets delivered ids when the process dies; the store does not. After a SIGKILL and a restart
    // on the same data dir, a redelivered event is still a no-op.
    plugin.kill().await.unwrap();
    let restarted = spawn_with(options(Generation::B).work_dir(work.path())).await;
    let ready = deployment_event("deployment.ready", 9001, json!({"url": "https://storefront.example.com"}));
    for event in [&failed, &ready] {
        assert!(restarted.fire_event(event.clone()).await.unwrap().delivered());
    }
    eventually_row(&restarted, 9001, |d| d["ready_at"].is_string()).await;
    // Both events were fired before the ready one showed up; give the duplicate's handler time to finish too.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let row = eventually_row(&restarted, 9001, |_| true).await;
    assert_eq!(row["event_count"], 3, "the redelivered event was not stored again: {row}");
    assert_eq!((row["state"].as_str(), row["url"].as_str()), (Some("failed"), Some("https://storefront.example.com")));
    restarted.stop().await.unwrap();
}

#[tokio::test]
async fn backfill_over_the_channel_is_idempotent_and_admin_only() {
    let plugin = spawn(Generation::B).await;
    let refused = post(&plugin, "/deploy-pulse/backfill", &Caller::user("reader")).await;
    assert!(assert_problem(&refused, 403).contains("reader"));
    let first = ok_json(&post(&plugin, "/deploy-pulse/backfill", &Caller::admin()).await);
    let counts = project_counts(&plugin).await;
    let second = ok_json(&post(&plugin, "/deploy-pulse/backfill", &Caller::admin()).await);
    let fixtures = plugin.fixtures();
    assert_eq!(second["projects"], fixtures.projects.len());
    assert_eq!(second["deployments_seen"], fixtures.deployments.len());
    assert_eq!((second["inserted"].as_u64(), second["updated"].as_u64()), (Some(0), Some(0)), "{second}");
    assert_eq!(second["unchanged"], fixtures.deployments.len());
    assert_eq!(first["deployments_seen"], second["deployments_seen"]);
    assert_eq!(project_counts(&plugin).await, counts, "the second backfill changed nothing");
    for project in &fixtures.projects {
        let expected = fixtures.deployments.iter().filter(|d| d.project_id == project.id).count();
        assert_eq!(counts.iter().find(|(id, _)| *id == i64::from(project.id)).map(|c| c.1), Some(expected));
    }
    let calls = plugin.channel_calls();
    let listed_projects = calls.iter().filter(|c| c.method == "list_projects").count();
    assert_eq!(listed_projects, 3, "once on start, once per POST /backfill");
    let listed_deployments: Vec<_> = calls.iter().filter(|c| c.method == "list_deployments").collect();
    assert_eq!(listed_deployments.len(), 3 * fixtures.projects.len());
    assert!(
        listed_deployments.iter().all(|c| c.params["limit"] == 100 && c.answered.is_ok()),
        "{listed_deployments:?}"
    );
    let fixtures_window = "/deploy-pulse/projects/1?window=30d&until=2026-03-12T00:00:00Z";
    let detail = ok_json(&plugin.get(fixtures_window, &Caller::user("reader")).await.unwrap());
    assert_eq!(detail["name"], "storefront");
    assert_eq!((detail["metrics"]["deployments"].as_u64(), detail["metrics"]["failed"].as_u64()), (Some(7), Some(2)));
    plugin.stop().await.unwrap();
}

/// `(project id, number of deployments)` for every project in the overview.
async fn project_counts(plugin: &RunningPlugin) -> Vec<(i64, usize)> {
    let overview = ok_json(&plugin.get("/deploy-pulse/overview", &Caller::admin()).await.unwrap());
    let mut counts = Vec::new();
    for project in overview["projects"].as_array().unwrap() {
        let id = project["project_id"].as_i64().unwrap();
        let page = ok_json(
            &plugin.get(&format!("/deploy-pulse/projects/{id}/deployments?limit=200"), &Caller::admin()).await.unwrap(),
        );
        counts.push((id, page["deployments"].as_array().unwrap().len()));
    }
    counts.sort_unstable();
    counts
}
