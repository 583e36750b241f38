//! `/_bundle/metrics` over the real binary: Prometheus text a scraper can parse, with every per-member series,
//! bounded labels, and admin-only access.

use std::collections::BTreeSet;

use temps_bundle_devhost::{Caller, Generation, PluginEvent, new_event};

use crate::support::{assert_problem, ok_json, spawn};

fn domain_event() -> PluginEvent {
    let Some(data) = serde_json::json!({ "domain_id": 1 }).as_object().cloned() else { unreachable!() };
    new_event("domain.created", data)
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_have_every_series() {
    let plugin = spawn(Generation::B).await;
    let admin = Caller::admin();
    ok_json(&plugin.get("/boom/ok", &admin).await.unwrap());
    assert_eq!(plugin.get("/boom/panic", &admin).await.unwrap().status.as_u16(), 500);
    ok_json(&plugin.get("/tally/projects", &admin).await.unwrap());
    ok_json(&plugin.get("/tally/environments", &admin).await.unwrap());
    assert!(plugin.fire_event(domain_event()).await.unwrap().delivered());
    crate::support::eventually(&plugin, "/laggard/handled", |b| b["handled"] == 1).await;

    let response = plugin.get("/_bundle/metrics", &admin).await.unwrap();
    assert_eq!(response.status.as_u16(), 200, "{}", response.text());
    assert!(response.header("content-type").unwrap().starts_with("application/openmetrics-text"));
    let text = response.text();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let names: BTreeSet<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for series in [
        "temps_bundle_requests_total",
        "temps_bundle_request_duration_seconds",
        "temps_bundle_requests_in_flight",
        "temps_bundle_request_rejections_total",
        "temps_bundle_event_deliveries_total",
        "temps_bundle_event_duration_seconds",
        "temps_bundle_event_backlog",
        "temps_bundle_channel_calls_total",
        "temps_bundle_watchdog_stalls_total",
        "temps_bundle_member_disabled",
    ] {
        assert!(names.contains(series), "{series} missing; parsed {names:?}");
    }
    let value = |metric: &str, labels: &[(&str, &str)]| {
        scrape
            .samples
            .iter()
            .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            })
    };
    let requests = "temps_bundle_requests_total";
    assert_eq!(value(requests, &[("member", "boom"), ("route", "/ok"), ("class", "2xx")]), Some(1.0));
    assert_eq!(value(requests, &[("member", "boom"), ("route", "/panic"), ("class", "5xx")]), Some(1.0));
    let calls = "temps_bundle_channel_calls_total";
    assert_eq!(value(calls, &[("member", "tally"), ("method", "list_projects"), ("outcome", "ok")]), Some(1.0));
    let denied = [("member", "tally"), ("method", "list_environments"), ("outcome", "permission_denied")];
    assert_eq!(value(calls, &denied), Some(1.0));
    let deliveries = "temps_bundle_event_deliveries_total";
    assert_eq!(value(deliveries, &[("member", "laggard"), ("outcome", "ok")]), Some(1.0));
    // Labels are bounded: route templates only, never raw paths.
    let routes: BTreeSet<&str> = scrape.samples.iter().filter_map(|s| s.labels.get("route")).collect();
    assert!(routes.iter().all(|r| !r.contains("?")), "{routes:?}");
    // The JSON view counts the same requests (its totals are the routes' series summed).
    let view = ok_json(&plugin.get("/_bundle/metrics.json", &admin).await.unwrap());
    let boom = view["members"].as_array().unwrap().iter().find(|m| m["member"] == "boom").unwrap().clone();
    let last = &boom["last_minute"];
    assert_eq!(
        (
            boom["requests_total"].as_u64(),
            boom["errors_total"].as_u64(),
            last["requests"].as_u64(),
            last["errors"].as_u64()
        ),
        (Some(2), Some(1), Some(2), Some(1)),
        "{boom}"
    );
    assert!(last["p99_ms"].as_f64().is_some(), "{boom}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn metrics_and_the_kill_switch_are_for_admins_only() {
    let plugin = spawn(Generation::B).await;
    for path in ["/_bundle/metrics", "/_bundle/metrics.json"] {
        assert_problem(&plugin.get(path, &Caller::user("user")).await.unwrap(), 403);
        assert_problem(&plugin.get(path, &Caller::NoSecret).await.unwrap(), 401);
        assert_problem(&plugin.get(path, &Caller::Anonymous).await.unwrap(), 401);
    }
    let disable = || {
        let mut request = http::Request::new(bytes::Bytes::new());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = http::Uri::from_static("/_bundle/members/hello/disable");
        request
    };
    assert_problem(&plugin.proxy(disable(), &Caller::user("user")).await.unwrap(), 403);
    assert_problem(&plugin.proxy(disable(), &Caller::NoSecret).await.unwrap(), 401);
    ok_json(&plugin.get("/hello/health", &Caller::admin()).await.unwrap());
    plugin.stop().await.unwrap();
}
