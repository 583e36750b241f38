//! The bounded per-member event backlog over the real binary: 10 000 events to a member whose handler never
//! returns and to one that is slow keep memory bounded, drops are counted, and the other subscriber gets all.
//! (`stuck`: backlog 100; `laggard`: backlog 50, 20 ms per event; `counter` keeps up, keeping only ids.)

use serde_json::json;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin, new_event};

use crate::support::{ok_json, options, spawn_with};

const EVENTS: usize = 10_000;
/// What 10 000 events of ≈ 1 KiB may add to the bundle's resident memory: the two members that cannot keep up hold
/// at most their backlogs (150 events) and 16 handlers; unbounded, they would hold ≈ 20 000 events (≈ 20 MiB and
/// a task each).
const RSS_GROWTH_BOUND_KIB: u64 = 16 * 1024;

fn rss_kib(plugin: &RunningPlugin) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", plugin.pid().unwrap())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn member<'a>(view: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    view["members"].as_array().unwrap().iter().find(|m| m["member"] == name).unwrap()
}

#[tokio::test]
async fn a_member_that_cannot_keep_up_costs_bounded_memory_and_the_others_get_every_event() {
    let plugin = spawn_with(options(Generation::B).request_timeout(std::time::Duration::from_secs(60))).await;
    let admin = Caller::admin();
    let before = rss_kib(&plugin);
    let padding = "x".repeat(1024);
    for i in 0..EVENTS {
        let Some(data) = json!({ "domain_id": i, "padding": padding }).as_object().cloned() else { unreachable!() };
        assert!(plugin.fire_event(new_event("domain.created", data)).await.unwrap().delivered());
    }
    let mut counted = 0;
    for _ in 0..200 {
        counted = ok_json(&plugin.get("/counter/count", &admin).await.unwrap())["count"].as_u64().unwrap();
        if counted == EVENTS as u64 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(counted, EVENTS as u64, "the subscriber that keeps up gets every event");
    let grown = rss_kib(&plugin).saturating_sub(before);
    eprintln!("RSS before {before} KiB, after {EVENTS} events +{grown} KiB");
    assert!(grown < RSS_GROWTH_BOUND_KIB, "RSS grew by {grown} KiB");

    let view = ok_json(&plugin.get("/_bundle/metrics.json", &admin).await.unwrap());
    let stuck = &member(&view, "stuck")["events"];
    let dropped = stuck["dropped"].as_u64().unwrap();
    // 8 handlers hang, 100 wait in the backlog: everything else was dropped (and counted).
    assert_eq!(dropped, (EVENTS - 100 - 8) as u64, "{stuck}");
    let mut laggard = (0, 0);
    for _ in 0..100 {
        let view = ok_json(&plugin.get("/_bundle/metrics.json", &admin).await.unwrap());
        let events = &member(&view, "laggard")["events"];
        laggard = (events["ok"].as_u64().unwrap(), events["dropped"].as_u64().unwrap());
        if laggard.0 + laggard.1 == EVENTS as u64 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        laggard.0 + laggard.1,
        EVENTS as u64,
        "every laggard event is handled or counted as dropped: {laggard:?}"
    );
    assert!(laggard.1 > 0, "laggard could not keep up, so some were dropped");
    let handled = ok_json(&plugin.get("/laggard/handled", &admin).await.unwrap());
    assert_eq!(handled["handled"].as_u64(), Some(laggard.0));
    assert!(plugin.stderr().contains("event backlog full: dropped the oldest undelivered event"));
    plugin.stop().await.unwrap();
}
