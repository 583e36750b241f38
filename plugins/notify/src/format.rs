//! What a delivery's body looks like in each target format: Slack and Discord incoming-webhook messages, or the
//! event itself as JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::sea_orm::{self, DeriveActiveEnum, EnumIter};
use utoipa::ToSchema;

use crate::filter::event_project;

/// A target's payload format (stored as its snake_case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Format {
    /// A Slack incoming webhook: `{"text": ..., "blocks": [...]}`.
    #[sea_orm(string_value = "slack")]
    Slack,
    /// A Discord webhook: `{"content": ..., "embeds": [...]}`.
    #[sea_orm(string_value = "discord")]
    Discord,
    /// `{"event_type", "event", "test"}`, signed with the target's secret.
    #[sea_orm(string_value = "json")]
    Json,
}

impl Format {
    /// The request body for `event` (`test` marks a "send test" delivery).
    pub fn render(self, event: &PluginEvent, test: bool) -> String {
        let summary = summary(event, test);
        let body = match self {
            Self::Slack => json!({
                "text": summary.plain(),
                "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": summary.markdown() } }],
            }),
            Self::Discord => json!({
                "content": summary.plain(),
                "embeds": [{
                    "title": summary.title,
                    "description": summary.details.join("\n"),
                    "color": summary.color,
                    "url": summary.url,
                }],
            }),
            Self::Json => json!({ "event_type": event.event_type, "event": event, "test": test }),
        };
        body.to_string()
    }
}

/// A human summary of an event, shared by the chat formats.
struct Summary {
    title: String,
    details: Vec<String>,
    url: Option<String>,
    color: u32,
}

impl Summary {
    fn plain(&self) -> String {
        let mut line = self.title.clone();
        if let Some(url) = &self.url {
            line.push_str(&format!(" {url}"));
        }
        line
    }

    fn markdown(&self) -> String {
        let mut text = format!("*{}*", self.title);
        for detail in &self.details {
            text.push_str(&format!("\n{detail}"));
        }
        if let Some(url) = &self.url {
            text.push_str(&format!("\n<{url}|Open>"));
        }
        text
    }
}

fn summary(event: &PluginEvent, test: bool) -> Summary {
    let data = &event.data;
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let number = |key: &str| data.get(key).and_then(Value::as_i64);
    let (verb, icon, color) = match event.event_type.as_str() {
        "deployment.succeeded" => ("succeeded", "✅", 0x2e_b6_7d),
        "deployment.ready" => ("is ready", "🚀", 0x2e_b6_7d),
        "deployment.failed" => ("failed", "❌", 0xd9_3f_0b),
        "deployment.cancelled" => ("was cancelled", "⏹", 0x99_99_99),
        "deployment.created" => ("started", "🛠", 0x36_6f_d9),
        _ => ("", "🔔", 0x36_6f_d9),
    };
    let what = match number("deployment_id") {
        Some(id) => format!("Deployment #{id}"),
        None => event.event_type.clone(),
    };
    let project = event_project(event).map(|p| format!(" of project {p}")).unwrap_or_default();
    let environment = text("environment_name").map(|e| format!(" in {e}")).unwrap_or_default();
    let prefix = if test { "[test] " } else { "" };
    let title = format!("{prefix}{icon} {what}{project}{environment} {verb}").trim_end().to_owned();
    let details = [("Branch", text("branch")), ("Commit", text("commit_sha")), ("Error", text("error_message"))]
        .into_iter()
        .filter_map(|(label, value)| value.map(|v| format!("{label}: {v}")))
        .collect();
    Summary { title, details, url: text("url"), color }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed() -> PluginEvent {
        let data = json!({"deployment_id": 11, "project_id": 3, "environment_name": "production",
                          "error_message": "build failed"});
        PluginEvent {
            id: "e1".into(),
            event_type: "deployment.failed".into(),
            timestamp: "2026-01-01T00:00:00Z".into(),
            project_id: Some(3),
            data: data.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn chat_formats_summarize_and_json_carries_the_event() {
        let slack: Value = serde_json::from_str(&Format::Slack.render(&failed(), false)).unwrap_or_default();
        assert_eq!(slack["text"], "❌ Deployment #11 of project 3 in production failed");
        assert!(slack["blocks"][0]["text"]["text"].as_str().unwrap_or_default().contains("Error: build failed"));
        let discord: Value = serde_json::from_str(&Format::Discord.render(&failed(), true)).unwrap_or_default();
        assert_eq!(discord["content"], "[test] ❌ Deployment #11 of project 3 in production failed");
        assert_eq!(discord["embeds"][0]["color"], 0xd9_3f_0b);
        let json: Value = serde_json::from_str(&Format::Json.render(&failed(), false)).unwrap_or_default();
        assert_eq!(json["event"]["id"], "e1");
        assert_eq!(json["event_type"], "deployment.failed");
        assert_eq!(json["test"], false);
    }
}
