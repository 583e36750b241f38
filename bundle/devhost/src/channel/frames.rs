//! Encoding and decoding of channel frames in the plugin's generation (typed Gen B, untyped Gen A).

use serde_json::Value;
use temps_bundle_protocol::{CallError, ChannelFrame, GenAFrame, Generation, Outcome, PluginEvent};

/// A call the plugin made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IncomingRequest {
    pub(crate) id: u64,
    pub(crate) method: String,
    pub(crate) params: Value,
}

/// Decodes a text frame from the plugin; anything but a well-formed request of its generation is a protocol error.
pub(crate) fn decode_request(generation: Generation, text: &str) -> Result<IncomingRequest, String> {
    let decoded = match generation {
        Generation::B => match serde_json::from_str::<ChannelFrame>(text) {
            Ok(ChannelFrame::Request { id, call }) => {
                Ok(IncomingRequest { id, method: call.method, params: call.params })
            }
            Ok(other) => Err(format!("a plugin may only send `request` frames, got {other:?}")),
            Err(e) => Err(format!("not a Gen B channel frame ({e})")),
        },
        Generation::A => match serde_json::from_str::<GenAFrame>(text) {
            Ok(GenAFrame::Request { id, method, params }) => Ok(IncomingRequest { id, method, params }),
            Ok(other) => Err(format!("a plugin may only send `request` frames, got {other:?}")),
            Err(e) => Err(format!("not a Gen A channel frame ({e})")),
        },
    };
    decoded.map_err(|reason| format!("{reason}: {}", truncate(text, 300)))
}

/// The response frame to a call.
pub(crate) fn encode_response(
    generation: Generation,
    id: u64,
    method: &str,
    answer: &Result<Value, CallError>,
) -> Result<String, serde_json::Error> {
    match generation {
        Generation::B => {
            let outcome = match answer {
                Ok(result) => Outcome::Ok { method: method.to_owned(), result: result.clone() },
                Err(error) => Outcome::Err(error.clone()),
            };
            serde_json::to_string(&ChannelFrame::Response { id, outcome })
        }
        Generation::A => {
            let (result, error) = match answer {
                Ok(result) => (Some(result.clone()), None),
                Err(error) => (None, Some(error.clone())),
            };
            serde_json::to_string(&GenAFrame::Response { id, result, error })
        }
    }
}

/// The event frame (same shape in both generations).
pub(crate) fn encode_event(generation: Generation, event: &PluginEvent) -> Result<String, serde_json::Error> {
    match generation {
        Generation::B => serde_json::to_string(&ChannelFrame::Event { event: event.clone() }),
        Generation::A => serde_json::to_string(&GenAFrame::Event { event: event.clone() }),
    }
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use temps_bundle_protocol::ChannelErrorCode;

    #[test]
    fn gen_b_round_trip() {
        let request = decode_request(
            Generation::B,
            r#"{"type":"request","id":7,"call":{"method":"get_project","params":{"project_id":1}}}"#,
        )
        .unwrap();
        assert_eq!(request, IncomingRequest { id: 7, method: "get_project".into(), params: json!({"project_id": 1}) });
        let ok = encode_response(Generation::B, 7, "get_project", &Ok(json!({"id": 1}))).unwrap();
        assert_eq!(ok, r#"{"type":"response","id":7,"outcome":{"ok":{"method":"get_project","result":{"id":1}}}}"#);
        let err = CallError { code: ChannelErrorCode::NotFound, message: "gone".into() };
        let err = encode_response(Generation::B, 8, "get_project", &Err(err)).unwrap();
        assert_eq!(err, r#"{"type":"response","id":8,"outcome":{"err":{"code":"not_found","message":"gone"}}}"#);
    }

    #[test]
    fn gen_a_round_trip() {
        let request =
            decode_request(Generation::A, r#"{"type":"request","id":1,"method":"list_projects","params":{}}"#).unwrap();
        assert_eq!(request.method, "list_projects");
        let ok = encode_response(Generation::A, 1, "list_projects", &Ok(json!([]))).unwrap();
        assert_eq!(ok, r#"{"type":"response","id":1,"result":[]}"#);
    }

    #[test]
    fn other_generation_frames_are_protocol_errors() {
        let gen_a = r#"{"type":"request","id":1,"method":"list_projects","params":{}}"#;
        assert!(decode_request(Generation::B, gen_a).unwrap_err().starts_with("not a Gen B channel frame"));
        let missing_params = r#"{"type":"request","id":1,"method":"list_projects"}"#;
        assert!(decode_request(Generation::A, missing_params).is_err());
    }
}
