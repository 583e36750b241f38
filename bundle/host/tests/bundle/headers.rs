//! Requests as an attacker or an odd host would send them: UTF-8 and invalid identities, repeated auth headers,
//! member 404/405s, and unsigned probes for the member list.

use bytes::Bytes;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin};

use crate::support::{assert_problem, ok_json, spawn};

/// A raw request to the socket with `headers` exactly as given (byte values, repeats kept).
async fn send_raw(
    plugin: &RunningPlugin,
    method: &str,
    path: &str,
    headers: &[(&str, &[u8])],
) -> temps_bundle_devhost::Response {
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, http::HeaderValue::from_bytes(value).unwrap());
    }
    plugin.send(request.body(Bytes::new()).unwrap()).await.unwrap()
}

/// The host's signature and a full admin identity, with `email` as its raw bytes.
fn signed_admin<'a>(plugin: &'a RunningPlugin, email: &'a [u8]) -> Vec<(&'static str, &'a [u8])> {
    vec![
        ("x-temps-auth-signature", plugin.secret().as_bytes()),
        ("x-temps-user-id", b"1"),
        ("x-temps-user-email", email),
        ("x-temps-user-role", b"admin"),
    ]
}

#[tokio::test]
async fn identities_are_read_as_utf8_and_invalid_utf8_is_refused_saying_so() {
    let plugin = spawn(Generation::B).await;
    let email = "zoë@exämple.com";
    let caller = Caller::User { id: 9, email: email.into(), role: "user".into(), permissions: vec![] };
    let greeting = ok_json(&plugin.get("/hello/greeting", &caller).await.unwrap());
    assert_eq!(greeting["message"], format!("Hello, {email}!"), "{greeting}");
    let invalid = send_raw(&plugin, "GET", "/hello/greeting", &signed_admin(&plugin, b"zo\xff@example.com")).await;
    let detail = assert_problem(&invalid, 401);
    assert!(detail.contains("x-temps-user-email") && detail.contains("not valid UTF-8"), "{detail}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_repeated_signature_or_identity_header_is_refused() {
    let plugin = spawn(Generation::B).await;
    let mut right_then_wrong = signed_admin(&plugin, b"a@example.com");
    right_then_wrong.push(("x-temps-auth-signature", b"wrong"));
    let detail = assert_problem(&send_raw(&plugin, "GET", "/hello/greeting", &right_then_wrong).await, 401);
    assert!(detail.contains("x-temps-auth-signature header appears 2 times"), "{detail}");
    let mut user_then_admin = signed_admin(&plugin, b"a@example.com");
    user_then_admin.retain(|(name, _)| *name != "x-temps-user-role");
    user_then_admin.extend([("x-temps-user-role", &b"user"[..]), ("x-temps-user-role", b"admin")]);
    let detail = assert_problem(&send_raw(&plugin, "GET", "/hello/greeting", &user_then_admin).await, 401);
    assert!(detail.contains("x-temps-user-role appears 2 times"), "{detail}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_member_routers_own_404_and_405_are_problems() {
    let plugin = spawn(Generation::B).await;
    let missing = plugin.get("/hello/no-such-route", &Caller::admin()).await.unwrap();
    assert!(assert_problem(&missing, 404).contains("member \"hello\" has no route GET /no-such-route"));
    let wrong_method = send_raw(&plugin, "DELETE", "/hello/greeting", &signed_admin(&plugin, b"a@example.com")).await;
    assert!(assert_problem(&wrong_method, 405).contains("does not accept DELETE on /greeting"));
    assert!(wrong_method.header("allow").unwrap_or_default().contains("GET"));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn unsigned_probes_get_401_and_never_the_member_list() {
    let plugin = spawn(Generation::B).await;
    for path in ["/", "/nobody", "/nobody/x", "/.env"] {
        let response = send_raw(&plugin, "GET", path, &[]).await;
        assert_problem(&response, 401);
        assert!(!response.text().contains("hello"), "{path} enumerates members: {}", response.text());
    }
    ok_json(&send_raw(&plugin, "GET", "/health", &[]).await);
    let signed = plugin.get("/", &Caller::admin()).await.unwrap();
    assert!(assert_problem(&signed, 404).contains("hello"), "a signed-in caller is told where members are");
    plugin.stop().await.unwrap();
}
