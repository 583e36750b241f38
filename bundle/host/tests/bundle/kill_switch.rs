//! The operator's kill switch over the real binary: a disabled member answers 503, gets no events, its background
//! tasks stop, the state shows in `/health` and the manifest view, and it survives a restart.

use std::time::Duration;

use temps_bundle_devhost::{Caller, Generation, RunningPlugin, new_event};

use crate::support::{assert_problem, eventually, ok_json, options, spawn_with};

async fn switch(plugin: &RunningPlugin, member: &str, action: &str) -> serde_json::Value {
    let mut request = http::Request::new(bytes::Bytes::new());
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = format!("/_bundle/members/{member}/{action}").parse().unwrap();
    ok_json(&plugin.proxy(request, &Caller::admin()).await.unwrap())
}

fn member_health(health: &serde_json::Value, name: &str) -> serde_json::Value {
    health["members"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap().clone()
}

async fn ticks(plugin: &RunningPlugin) -> u64 {
    ok_json(&plugin.get("/laggard/ticks", &Caller::admin()).await.unwrap())["ticks"].as_u64().unwrap()
}

fn domain_event() -> temps_bundle_devhost::PluginEvent {
    let Some(data) = serde_json::json!({ "domain_id": 3 }).as_object().cloned() else { unreachable!() };
    new_event("domain.created", data)
}

#[tokio::test]
async fn a_disabled_member_is_off_until_enabled_even_across_a_restart() {
    let work = tempfile::tempdir().unwrap();
    let plugin = spawn_with(options(Generation::B).work_dir(work.path())).await;
    let admin = Caller::admin();
    assert_eq!(switch(&plugin, "laggard", "disable").await["status"], "disabled");

    let refused = plugin.get("/laggard/handled", &admin).await.unwrap();
    assert!(assert_problem(&refused, 503).contains("disabled by an administrator"));
    assert_problem(&plugin.get("/laggard/health", &Caller::NoSecret).await.unwrap(), 503);
    let health = ok_json(&plugin.get("/health", &Caller::NoSecret).await.unwrap());
    let laggard = member_health(&health, "laggard");
    assert_eq!((laggard["status"].as_str(), laggard["disabled"].as_bool()), (Some("disabled"), Some(true)));
    assert_eq!(laggard["tasks"][0]["state"], "disabled", "its background task is stopped: {laggard}");
    let manifest = ok_json(&plugin.get("/_bundle/manifest", &admin).await.unwrap());
    assert_eq!(member_health(&manifest["bundle"], "laggard")["status"], "disabled");

    // Events: the other subscriber gets it, the disabled member does not.
    assert!(plugin.fire_event(domain_event()).await.unwrap().delivered());
    eventually(&plugin, "/counter/count", |b| b["count"] == 1).await;
    plugin.stop().await.unwrap();

    let plugin = spawn_with(options(Generation::B).work_dir(work.path())).await;
    let health = ok_json(&plugin.get("/health", &Caller::NoSecret).await.unwrap());
    assert_eq!(member_health(&health, "laggard")["status"], "disabled", "the switch survives a restart");
    assert_problem(&plugin.get("/laggard/ticks", &admin).await.unwrap(), 503);

    assert_eq!(switch(&plugin, "laggard", "enable").await["status"], "running");
    let first = ticks(&plugin).await;
    let deadline = std::time::Instant::now() + crate::support::EVENTUALLY;
    while ticks(&plugin).await <= first {
        assert!(std::time::Instant::now() < deadline, "the background task runs again once enabled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        ok_json(&plugin.get("/laggard/handled", &admin).await.unwrap())["handled"],
        0,
        "no event while disabled"
    );
    assert!(
        std::fs::read_to_string(work.path().join("plugin-data/temps-bundle/_bundle/disabled-members.json"))
            .unwrap()
            .contains("[]")
    );
    let unknown =
        plugin.proxy(http::Request::post("/_bundle/members/nobody/disable").body(bytes::Bytes::new()).unwrap(), &admin);
    assert!(assert_problem(&unknown.await.unwrap(), 404).contains("no member named \"nobody\""));
    plugin.stop().await.unwrap();
}
