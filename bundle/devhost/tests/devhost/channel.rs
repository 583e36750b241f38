//! Channel calls made by the plugin, answered from fixtures in the plugin's generation, and recorded in order.

use serde_json::{Value, json};
use temps_bundle_devhost::{Caller, ChannelErrorCode, Generation};

use crate::support::{eventually, fake, fake_call, request, spawn_fake};

/// A call, and what the Gen B response frame's outcome must be: `Ok(len of an array result or 0)` or the error code.
fn gen_b_outcome(frame: &Value) -> Result<usize, String> {
    let outcome = &frame["outcome"];
    match (outcome.get("ok"), outcome.get("err")) {
        (Some(ok), None) => Ok(ok["result"].as_array().map_or(0, Vec::len)),
        (None, Some(err)) => Err(err["code"].as_str().unwrap_or_default().to_owned()),
        _ => panic!("not a Gen B response: {frame}"),
    }
}

#[tokio::test]
async fn gen_b_calls_are_answered_and_recorded_in_order() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let cases: [(&str, Value, Result<usize, &str>); 7] = [
        ("list_projects", json!({}), Ok(3)),
        ("get_project", json!({"project_id": 2}), Ok(0)),
        ("get_project", json!({"project_id": 999}), Err("not_found")),
        ("get_project", json!({"project_id": "two"}), Err("invalid_params")),
        ("list_deployments", json!({"project_id": 1, "limit": 3}), Ok(3)),
        ("get_host_capabilities", json!({}), Ok(0)),
        ("drop_all_tables", json!({}), Err("method_not_found")),
    ];
    for (method, params, want) in &cases {
        let frame = fake_call(&plugin, method, params.clone()).await;
        assert_eq!(frame["type"], "response");
        assert_eq!(gen_b_outcome(&frame), want.map_err(str::to_owned), "{method} {params}");
        if want.is_ok() {
            assert_eq!(frame["outcome"]["ok"]["method"], *method);
        }
    }
    let calls = plugin.channel_calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, cases.iter().map(|c| c.0).collect::<Vec<_>>());
    assert_eq!(calls[2].answered.as_ref().unwrap_err().code, ChannelErrorCode::NotFound);
    assert_eq!(calls[1].answered.as_ref().unwrap()["name"], "billing-api");
    assert_eq!(calls.iter().map(|c| c.id).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
}

#[tokio::test]
async fn gen_a_calls_get_untyped_answers() {
    let plugin = spawn_fake(fake(Generation::A)).await;
    let ok = fake_call(&plugin, "get_environment", json!({"environment_id": 3})).await;
    assert_eq!(ok["result"]["name"], "production", "{ok}");
    assert!(ok.get("outcome").is_none());
    let err = fake_call(&plugin, "get_deployment", json!({"deployment_id": 1})).await;
    assert_eq!(err["error"]["code"], "not_found", "{err}");
}

#[tokio::test]
async fn api_call_accepts_the_actor_token_minted_for_a_proxied_request() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let echo = plugin.get("/whoami", &Caller::admin()).await.unwrap().json().unwrap();
    let actor = echo["headers"]["x-temps-actor-token"].as_str().unwrap().to_owned();
    let frame = fake_call(&plugin, "api_call", json!({"method": "GET", "path": "/projects/1", "actor": actor})).await;
    let result = &frame["outcome"]["ok"]["result"];
    assert_eq!(result["status"], 200, "{frame}");
    let body: Value = serde_json::from_str(result["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["name"], "storefront");
    let forged =
        fake_call(&plugin, "api_call", json!({"method": "GET", "path": "/projects", "actor": "act_forged"})).await;
    assert_eq!(gen_b_outcome(&forged), Err("unauthenticated".to_owned()));
}

#[tokio::test]
async fn newest_hosts_deny_calls_without_a_granted_permission() {
    // The fake declares projects_read, deployments_read and events_read; only projects_read is granted.
    let plugin = spawn_fake(fake(Generation::B).granted_permissions(&["projects_read", "environments_read"])).await;
    assert_eq!(gen_b_outcome(&fake_call(&plugin, "list_projects", json!({})).await), Ok(3));
    let denied = fake_call(&plugin, "list_deployments", json!({"project_id": 1})).await;
    assert_eq!(gen_b_outcome(&denied), Err("permission_denied".to_owned()));
    let undeclared = fake_call(&plugin, "get_environment", json!({"environment_id": 1})).await;
    assert_eq!(gen_b_outcome(&undeclared), Err("permission_denied".to_owned()));
}

#[tokio::test]
async fn frames_of_the_wrong_shape_are_recorded_as_protocol_errors() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let gen_a_frame = r#"{"type":"request","id":99,"method":"list_projects","params":{}}"#;
    let sent = plugin.send(request("POST", "/_fake/raw-frame", gen_a_frame)).await.unwrap();
    assert_eq!(sent.status, 202);
    eventually("a protocol error", || async { !plugin.channel_protocol_errors().is_empty() }).await;
    assert!(plugin.channel_protocol_errors()[0].starts_with("not a Gen B channel frame"));
    assert!(plugin.channel_calls().is_empty());
}
