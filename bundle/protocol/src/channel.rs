//! Frames of the platform channel (§7): one JSON message per WebSocket text frame.
//!
//! Gen B frames are typed (`call` / `outcome`); Gen A frames are the older untyped form (`method` / `result` / `error`).

use serde::{Deserialize, Serialize};

use crate::event::PluginEvent;

/// A Gen B channel frame, in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelFrame {
    /// plugin → host: a call.
    Request { id: u64, call: ChannelRequest },
    /// host → plugin: the answer to the request with the same id.
    Response { id: u64, outcome: Outcome },
    /// host → plugin: a pushed event.
    Event { event: PluginEvent },
}

/// A call: its method name and its parameters (always an object, `{}` when empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelRequest {
    pub method: String,
    pub params: serde_json::Value,
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok { method: String, result: serde_json::Value },
    Err(CallError),
}

/// A failed call as the host reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallError {
    pub code: ChannelErrorCode,
    pub message: String,
}

/// The error codes a host uses; anything newer reads as `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelErrorCode {
    MethodNotFound,
    InvalidParams,
    PermissionDenied,
    Unauthenticated,
    NotFound,
    Internal,
    #[serde(other)]
    Unknown,
}

impl ChannelErrorCode {
    /// The wire spelling of the code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MethodNotFound => "method_not_found",
            Self::InvalidParams => "invalid_params",
            Self::PermissionDenied => "permission_denied",
            Self::Unauthenticated => "unauthenticated",
            Self::NotFound => "not_found",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

/// A Gen A (untyped) channel frame, in either direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenAFrame {
    Request {
        id: u64,
        method: String,
        params: serde_json::Value,
    },
    Response {
        id: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<CallError>,
    },
    Event {
        event: PluginEvent,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn gen_b_shapes() {
        let request = ChannelFrame::Request {
            id: 1,
            call: ChannelRequest { method: "get_project".into(), params: json!({"project_id": 42}) },
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"type":"request","id":1,"call":{"method":"get_project","params":{"project_id":42}}})
        );
        let ok: ChannelFrame = serde_json::from_value(
            json!({"type":"response","id":1,"outcome":{"ok":{"method":"get_project","result":{"id":42}}}}),
        )
        .unwrap();
        assert!(matches!(ok, ChannelFrame::Response { id: 1, outcome: Outcome::Ok { .. } }));
        let err: ChannelFrame = serde_json::from_value(
            json!({"type":"response","id":2,"outcome":{"err":{"code":"brand_new","message":"m"}}}),
        )
        .unwrap();
        let ChannelFrame::Response { outcome: Outcome::Err(e), .. } = err else { panic!("{err:?}") };
        assert_eq!(e.code, ChannelErrorCode::Unknown);
    }

    #[test]
    fn gen_a_shapes() {
        let request = GenAFrame::Request { id: 3, method: "list_projects".into(), params: json!({}) };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"type":"request","id":3,"method":"list_projects","params":{}})
        );
        let err: GenAFrame =
            serde_json::from_value(json!({"type":"response","id":3,"error":{"code":"not_found","message":"gone"}}))
                .unwrap();
        assert!(matches!(
            err,
            GenAFrame::Response { error: Some(CallError { code: ChannelErrorCode::NotFound, .. }), .. }
        ));
    }
}
