//! Event delivery: on the channel when connected, else `POST /_events` with the secret; filtered like Temps.

use temps_bundle_devhost::{Delivery, Fixtures, Generation, sample_event};

use crate::support::{eventually, fake, fake_events, spawn_fake};

#[tokio::test]
async fn events_go_on_the_channel_when_it_is_open() {
    for generation in [Generation::A, Generation::B] {
        let plugin = spawn_fake(fake(generation)).await;
        let event = sample_event("deployment.failed", &Fixtures::builtin());
        assert_eq!(plugin.fire_event(event.clone()).await.unwrap(), Delivery::Channel);
        eventually("the event at the plugin", || async { !fake_events(&plugin).await.is_empty() }).await;
        let received = fake_events(&plugin).await;
        assert_eq!(received[0]["via"], "channel");
        assert_eq!(received[0]["event"], serde_json::to_value(&event).unwrap());
    }
}

#[tokio::test]
async fn events_are_posted_when_there_is_no_channel() {
    let plugin = spawn_fake(fake(Generation::B).connect_channel(false)).await;
    let event = sample_event("deployment.succeeded", &Fixtures::builtin());
    let delivery = plugin.fire_event(event.clone()).await.unwrap();
    assert_eq!(delivery, Delivery::Http { status: http::StatusCode::NO_CONTENT });
    assert!(delivery.delivered());
    let received = fake_events(&plugin).await;
    assert_eq!(
        (received[0]["via"].as_str(), received[0]["event"]["id"].as_str()),
        (Some("http"), Some(event.id.as_str()))
    );
}

#[tokio::test]
async fn raw_posts_to_events_check_secret_and_body() {
    let plugin = spawn_fake(fake(Generation::B).connect_channel(false)).await;
    let event = serde_json::to_string(&sample_event("deployment.created", &Fixtures::builtin())).unwrap();
    let check = async |body: &str, secret: Option<&str>, want: u16| {
        let response = plugin.post_event_http(body, secret).await.unwrap();
        assert_eq!(response.status, want, "{body} {secret:?}");
    };
    check(&event, None, 401).await;
    check(&event, Some("wrong"), 401).await;
    check("{not json", Some(plugin.secret()), 400).await;
    check(&event, Some(plugin.secret()), 204).await;
}

#[tokio::test]
async fn unsubscribed_or_ungranted_events_are_not_delivered() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let project_created = sample_event("project.created", &Fixtures::builtin());
    let delivery = plugin.fire_event(project_created).await.unwrap();
    assert!(matches!(&delivery, Delivery::Skipped { reason } if reason.contains("does not subscribe")), "{delivery:?}");

    let strict = spawn_fake(fake(Generation::B).granted_permissions(&["projects_read"])).await;
    let delivery = strict.fire_event(sample_event("deployment.ready", &Fixtures::builtin())).await.unwrap();
    assert!(matches!(&delivery, Delivery::Skipped { reason } if reason.contains("events_read")), "{delivery:?}");
    assert!(fake_events(&strict).await.is_empty());
}
