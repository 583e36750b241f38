//! Event delivery: on the channel and over `/_events`, only to subscribed members, once per id, isolated.

use serde_json::{Map, json};
use temps_bundle_devhost::{Caller, Delivery, Generation, RunningPlugin, new_event};

use crate::support::{assert_problem, event_ids, eventually, ok_json, options, spawn, spawn_with};

fn event(event_type: &str) -> temps_bundle_devhost::PluginEvent {
    let data = json!({ "deployment_id": 11, "project_id": 1, "environment_id": 1, "environment_name": "production", "project_name": "web" });
    let Some(map) = data.as_object() else { unreachable!() };
    new_event(event_type, Map::clone(map))
}

/// Fires a deployment and a project event and checks who got which: hello takes `deployment.*`, tally `project.*`,
/// and boom (also `deployment.*`) panics without stopping hello's delivery.
async fn check_fan_out(plugin: &RunningPlugin, expect_channel: bool) {
    let deployment = event("deployment.succeeded");
    let project = event("project.created");
    for e in [&deployment, &project] {
        let delivery = plugin.fire_event(e.clone()).await.unwrap();
        assert!(delivery.delivered(), "{delivery:?}");
        assert_eq!(matches!(delivery, Delivery::Channel), expect_channel, "{delivery:?}");
    }
    let hello = eventually(plugin, "/hello/events", |b| event_ids(b).contains(&deployment.id)).await;
    assert!(!event_ids(&hello).contains(&project.id), "hello is not subscribed to project events");
    let tally = eventually(plugin, "/tally/events", |b| event_ids(b).contains(&project.id)).await;
    assert!(!event_ids(&tally).contains(&deployment.id), "tally is not subscribed to deployment events");
    let stderr = plugin.stderr();
    assert!(stderr.contains("event handler panicked"), "boom's panic is logged: {stderr}");
}

#[tokio::test]
async fn events_on_the_channel_reach_only_subscribers() {
    let plugin = spawn(Generation::B).await;
    check_fan_out(&plugin, true).await;
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn events_over_http_reach_only_subscribers_once_per_id() {
    let plugin = spawn_with(options(Generation::B).connect_channel(false)).await;
    check_fan_out(&plugin, false).await;
    let repeated = event("deployment.failed");
    for _ in 0..3 {
        assert!(plugin.fire_event(repeated.clone()).await.unwrap().delivered());
    }
    let hello = eventually(&plugin, "/hello/events", |b| event_ids(b).contains(&repeated.id)).await;
    assert_eq!(event_ids(&hello).iter().filter(|id| **id == repeated.id).count(), 1, "delivered at most once");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn the_events_route_checks_the_secret_and_the_body() {
    let plugin = spawn_with(options(Generation::B).connect_channel(false)).await;
    let body = serde_json::to_string(&event("deployment.created")).unwrap();
    assert!(assert_problem(&plugin.post_event_http(&body, Some("wrong")).await.unwrap(), 401).contains("wrong"));
    assert!(assert_problem(&plugin.post_event_http(&body, None).await.unwrap(), 401).contains("missing"));
    let invalid = plugin.post_event_http(r#"{"id":"x"}"#, Some(plugin.secret())).await.unwrap();
    assert!(assert_problem(&invalid, 400).contains("missing field `event_type`"));
    let accepted = plugin.post_event_http(&body, Some(plugin.secret())).await.unwrap();
    assert_eq!(accepted.status.as_u16(), 202, "{}", accepted.text());
    assert_eq!(accepted.json().unwrap()["members"], json!(subscribers(&plugin, "deployment.created")));
    ok_json(&plugin.get("/hello/greeting", &Caller::admin()).await.unwrap());
    plugin.stop().await.unwrap();
}

/// The members whose manifest subscribes to `event_type` (sorted), from the composite manifest: the default
/// plugins change as plugins are added, the rule does not.
fn subscribers(plugin: &RunningPlugin, event_type: &str) -> Vec<String> {
    let prefix = event_type.split('.').next().unwrap_or_default();
    let members = plugin.manifest_json()["bundle"]["members"].as_array().unwrap().clone();
    let subscribed = |m: &serde_json::Value| {
        m["events"].as_array().unwrap().iter().any(|p| {
            let p = p.as_str().unwrap();
            p == "*" || p == event_type || p == format!("{prefix}.*")
        })
    };
    let mut names: Vec<String> =
        members.iter().filter(|m| subscribed(m)).map(|m| m["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    assert!(names.contains(&"boom".to_owned()) && names.contains(&"hello".to_owned()), "{names:?}");
    names
}
