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
///
/// Takes the documents one at a time and moves their parts into the result: the merge runs on the main thread
/// at start-up, and glibc keeps the main heap at its high-water mark for the life of the process, so building
/// every document (and copies of them) at once used to cost the composite its peak, not its result.
pub(crate) fn composite_openapi(
    title: &str,
    version: &str,
    members: impl IntoIterator<Item = (String, Value)>,
) -> Option<Value> {
    let mut paths = Map::new();
    let mut components: Map<String, Value> = Map::new();
    let mut tags = Vec::new();
    for (member, mut document) in members {
        rename_components(&member, &mut document);
        let description = document.pointer("/info/title").cloned().unwrap_or(Value::Null);
        tags.push(json!({ "name": member, "description": description }));
        let Value::Object(mut document) = document else { continue };
        if let Some(Value::Object(member_paths)) = document.remove("paths") {
            for (path, item) in member_paths {
                paths.insert(nested_path(&member, &path), tag_operations(&member, item));
            }
        }
        if let Some(Value::Object(member_components)) = document.remove("components") {
            for (kind, entries) in member_components {
                let merged = components.entry(kind).or_insert_with(|| Value::Object(Map::new()));
                if let (Some(merged), Value::Object(entries)) = (merged.as_object_mut(), entries) {
                    merged.extend(entries.into_iter().map(|(name, entry)| (format!("{member}.{name}"), entry)));
                }
            }
        }
    }
    if tags.is_empty() {
        return None;
    }
    Some(json!({
        "openapi": "3.1.0",
        "info": { "title": title, "version": version },
        "tags": tags,
        "paths": paths,
        "components": components,
    }))
}

/// Rewrites `#/components/<kind>/<name>` references (any string value: `$ref`s and discriminator mappings) to the
/// renamed `<member>.<name>`, in place.
fn rename_components(member: &str, document: &mut Value) {
    let kinds: Vec<String> = match document.get("components").and_then(Value::as_object) {
        Some(components) => components.keys().map(|kind| format!("#/components/{kind}/")).collect(),
        None => return,
    };
    rename_references(member, &kinds, document);
}

fn rename_references(member: &str, prefixes: &[String], value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Some(prefix) = prefixes.iter().find(|prefix| text.starts_with(prefix.as_str())) {
                text.insert_str(prefix.len(), &format!("{member}."));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_references(member, prefixes, item)),
        Value::Object(entries) => entries.values_mut().for_each(|entry| rename_references(member, prefixes, entry)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
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
        let beta = json!({
            "paths": { "/": { "post": { "requestBody": { "content": { "application/json": {
                "schema": { "oneOf": [{ "$ref": "#/components/schemas/Item" }, { "type": "null" }] } } } } } } },
            "components": { "schemas": { "Item": { "type": "string" } } }
        });
        let merged = composite_openapi("Bundle", "2.0.0", [("alpha".into(), alpha), ("beta".into(), beta)]).unwrap();
        let get = &merged["paths"]["/alpha/items"]["get"];
        assert_eq!(get["tags"], json!(["alpha"]));
        assert_eq!(
            get.pointer("/responses/200/content/application~1json/schema/$ref"),
            Some(&json!("#/components/schemas/alpha.Item"))
        );
        assert_eq!(merged["paths"]["/beta"]["post"]["tags"], json!(["beta"]));
        assert_eq!(
            merged["paths"]["/beta"]["post"].pointer("/requestBody/content/application~1json/schema/oneOf/0/$ref"),
            Some(&json!("#/components/schemas/beta.Item")),
            "references inside arrays are renamed too"
        );
        assert_eq!(merged["components"]["schemas"]["alpha.Item"]["type"], "object");
        assert_eq!(merged["components"]["schemas"]["beta.Item"]["type"], "string");
        assert_eq!(merged["info"]["title"], "Bundle");
        assert!(composite_openapi("Bundle", "1", []).is_none());
    }
}
