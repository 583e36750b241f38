//! Wall-clock times as the store keeps them (Unix milliseconds) and as the API shows them (RFC 3339, UTC).

pub use temps_bundle_store::timestamp::{format as rfc3339, now_ms};
