//! The composite OpenAPI description: every member's document merged under its mount point, so the `ready`
//! line (and `GET /_bundle/openapi.json`) describe the whole bundle the way Temps sees it.

use axum::body::Bytes;
use serde_json::{Map, Value, json};

use super::composite::nested_path;

/// A document as the compact JSON `GET /_bundle/openapi.json` serves: kept as bytes, since a `Value` tree of the
/// same document takes several times the memory, for the life of the process.
pub(crate) fn openapi_json(document: &Value) -> Bytes {
    Bytes::from(document.to_string())
}

/// Merges `(member, document)` pairs into one OpenAPI 3.1 document titled `title`. Paths are prefixed with
/// `/<member>`, operations tagged with the member name, and components renamed `<member>.<name>` (references
/// rewritten) so two members' schemas can never clash. `None` when no member describes itself.
pub(crate) fn composite_openapi(title: &str, version: &str, members: &[(String, Value)]) -> Option<Value> {
    if members.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut components: Map<String, Value> = Map::new();
    let mut tags = Vec::new();
    for (member, document) in members {
        let document = rename_components(member, document);
        tags.push(
            json!({ "name": member, "description": document.pointer("/info/title").cloned().unwrap_or(Value::Null) }),
        );
        for (path, item) in document.get("paths").and_then(Value::as_object).into_iter().flatten() {
            paths.insert(nested_path(member, path), tag_operations(member, item.clone()));
        }
        for (kind, entries) in document.get("components").and_then(Value::as_object).into_iter().flatten() {
            let merged = components.entry(kind.clone()).or_insert_with(|| Value::Object(Map::new()));
            if let (Some(merged), Some(entries)) = (merged.as_object_mut(), entries.as_object()) {
                for (name, entry) in entries {
                    merged.insert(format!("{member}.{name}"), entry.clone());
                }
            }
        }
    }
    Some(json!({
        "openapi": "3.1.0",
        "info": { "title": title, "version": version },
        "tags": tags,
        "paths": paths,
        "components": components,
    }))
}

/// Rewrites `#/components/<kind>/<name>` references to the renamed `<member>.<name>`.
fn rename_components(member: &str, document: &Value) -> Value {
    let text = document.to_string();
    let kinds = document.get("components").and_then(Value::as_object).map(|c| c.keys().cloned().collect::<Vec<_>>());
    let renamed = kinds.unwrap_or_default().iter().fold(text, |text, kind| {
        text.replace(&format!("\"#/components/{kind}/"), &format!("\"#/components/{kind}/{member}."))
    });
    serde_json::from_str(&renamed).unwrap_or_else(|_| document.clone())
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn tag_operations(member: &str, mut item: Value) -> Value {
    for method in METHODS {
        if let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) {
            let tags = operation.entry("tags").or_insert_with(|| Value::Array(Vec::new()));
            if let Some(tags) = tags.as_array_mut() {
                tags.push(Value::String(member.to_owned()));
            }
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_under_mount_points_with_renamed_components() {
        let alpha = json!({
            "openapi": "3.1.0",
            "info": { "title": "Alpha API", "version": "1" },
            "paths": { "/items": { "get": { "responses": { "200": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Item" } } } } } } } },
            "components": { "schemas": { "Item": { "type": "object" } } }
        });
        let beta =
            json!({ "paths": { "/": { "post": {} } }, "components": { "schemas": { "Item": { "type": "string" } } } });
        let merged = composite_openapi("Bundle", "2.0.0", &[("alpha".into(), alpha), ("beta".into(), beta)]).unwrap();
        let get = &merged["paths"]["/alpha/items"]["get"];
        assert_eq!(get["tags"], json!(["alpha"]));
        assert_eq!(
            get.pointer("/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/alpha.Item"))
        );
        assert_eq!(merged["paths"]["/beta"]["post"]["tags"], json!(["beta"]));
        assert_eq!(merged["components"]["schemas"]["alpha.Item"]["type"], "object");
        assert_eq!(merged["components"]["schemas"]["beta.Item"]["type"], "string");
        assert_eq!(merged["info"]["title"], "Bundle");
        assert!(composite_openapi("Bundle", "1", &[]).is_none());
    }
}
