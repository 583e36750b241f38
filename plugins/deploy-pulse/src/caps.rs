//! How much deploy-pulse keeps of what the platform sends: events are stored for auditing, not replayed, so a
//! huge payload is stored as its envelope plus a note of its size rather than in full.

use serde_json::json;
use temps_bundle_sdk::PluginEvent;
use temps_bundle_store::cap;

/// The most bytes of one stored text field (commit messages, error messages, branch names, URLs).
pub const MAX_TEXT_BYTES: usize = 2 * 1024;
/// The most bytes of one stored event payload.
pub const MAX_PAYLOAD_BYTES: usize = 16 * 1024;

/// A text field as stored.
pub fn text(value: &str) -> String {
    cap::truncate(value, MAX_TEXT_BYTES)
}

/// The event as stored: its JSON when that fits in [`MAX_PAYLOAD_BYTES`], else the envelope (id, type,
/// timestamp, project) with `data` replaced by `{"truncated": true, "bytes": <size of the full event>}`.
pub fn payload(event: &PluginEvent) -> String {
    let full = serde_json::to_string(event).unwrap_or_default();
    if full.len() <= MAX_PAYLOAD_BYTES {
        return full;
    }
    let envelope = json!({
        "id": cap::truncate(&event.id, MAX_TEXT_BYTES),
        "event_type": cap::truncate(&event.event_type, MAX_TEXT_BYTES),
        "timestamp": cap::truncate(&event.timestamp, MAX_TEXT_BYTES),
        "project_id": event.project_id,
        "data": { "truncated": true, "bytes": full.len() },
    });
    envelope.to_string()
}
