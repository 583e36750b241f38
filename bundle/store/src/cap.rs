//! Capping what a member stores: a text field never grows past its limit, whatever the platform or a remote
//! server sent.

use serde_json::{Value, json};

/// What a capped text ends with, so a reader sees it was cut.
pub const ELLIPSIS: char = '…';

/// `text` unchanged when it fits in `max_bytes`, else its longest prefix that fits together with [`ELLIPSIS`],
/// cut at a character boundary.
pub fn truncate(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut end = max_bytes.saturating_sub(ELLIPSIS.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut capped = text[..end].to_owned();
    capped.push(ELLIPSIS);
    capped
}

/// `value` with every string longer than `max_bytes` [`truncate`]d and every array or object whose JSON is
/// longer than `max_bytes` replaced by `{"truncated": true, "bytes": <its JSON size>}`; the top-level object keeps
/// its keys, so a reader still finds each field.
pub fn json(value: &Value, max_bytes: usize) -> Value {
    match value {
        Value::String(text) => Value::String(truncate(text, max_bytes)),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), field(v, max_bytes))).collect()),
        other => field(other, max_bytes),
    }
}

fn field(value: &Value, max_bytes: usize) -> Value {
    match value {
        Value::String(text) => Value::String(truncate(text, max_bytes)),
        Value::Array(_) | Value::Object(_) => {
            let bytes = value.to_string().len();
            if bytes <= max_bytes { value.clone() } else { json!({ "truncated": true, "bytes": bytes }) }
        }
        scalar => scalar.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_keys_and_caps_each_field() {
        let long = "x".repeat(100);
        let value = json!({"n": 1, "short": "ok", "long": long, "list": [long], "small": {"a": 1}});
        let capped = json(&value, 10);
        assert_eq!(
            capped,
            json!({"n": 1, "short": "ok", "long": "xxxxxxx…", "list": {"truncated": true, "bytes": 104}, "small": {"a": 1}})
        );
    }

    #[test]
    fn cuts_at_a_character_boundary_within_the_limit() {
        let check = |text: &str, max: usize, expected: &str| {
            let capped = truncate(text, max);
            assert_eq!(capped, expected, "{text:?} capped at {max}");
            assert!(capped.len() <= max.max(ELLIPSIS.len_utf8()), "{capped:?} is longer than {max}");
        };
        check("short", 10, "short");
        check("exactly10!", 10, "exactly10!");
        check("abcdefghijkl", 10, "abcdefg…");
        check("ééééé", 8, "éé…");
        check("ééééé", 9, "ééé…");
        check("abc", 0, "…");
    }
}
