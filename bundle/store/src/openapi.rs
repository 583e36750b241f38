//! [`describe_settings_routes!`](crate::describe_settings_routes): the OpenAPI description of the `GET|PATCH
//! /settings` routes [`settings_routes`](crate::settings_routes) serves, written once for every member.

/// Declares `read_settings` and `change_settings`, two `#[utoipa::path]` items describing the `GET|PATCH
/// /settings` routes of [`settings_routes`](crate::settings_routes) for the settings type given; list them in the
/// member's `#[openapi(paths(...))]`. The second argument is the summary of `PATCH /settings` (members say there
/// who may change their settings).
///
/// The expansion names `utoipa`, so the member depends on it (as every member with an OpenAPI document does); the
/// settings type must implement `utoipa::ToSchema`.
///
/// ```text
/// temps_bundle_store::describe_settings_routes!(GreeterSettings, "Change the settings (JSON merge patch)");
///
/// #[derive(utoipa::OpenApi)]
/// #[openapi(paths(greet, read_settings, change_settings))]
/// struct Document;
/// ```
///
/// Why a macro rather than a function adding the paths to a document: `#[utoipa::path]` registers the settings
/// schema in `components` and orders the responses exactly as the members' own handlers do, so the two routes read
/// like every other operation of the document.
#[macro_export]
macro_rules! describe_settings_routes {
    ($settings:ident, $patch_summary:literal) => {
        /// Read the settings
        #[utoipa::path(
            get, path = "/settings",
            responses((status = 200, description = "The current settings", body = $settings))
        )]
        #[allow(dead_code, reason = "describes a route temps_bundle_store::settings_routes serves")]
        fn read_settings() {}

        #[doc = $patch_summary]
        #[utoipa::path(
            patch, path = "/settings", request_body(content = Object, description = "A JSON merge patch of the settings"),
            responses(
                (status = 200, description = "The saved settings", body = $settings),
                (status = 403, description = "Not an admin (problem+json)"),
                (status = 422, description = "`errors` lists each invalid field (problem+json)")
            )
        )]
        #[allow(dead_code, reason = "describes a route temps_bundle_store::settings_routes serves")]
        fn change_settings() {}
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::{Value, json};
    use utoipa::{OpenApi, ToSchema};

    /// A settings type as a member declares it (only its schema matters here).
    #[derive(ToSchema)]
    #[allow(dead_code, reason = "only its schema is used")]
    struct GreeterSettings {
        greeting: String,
    }

    crate::describe_settings_routes!(GreeterSettings, "Change the settings (JSON merge patch; admin)");

    #[derive(OpenApi)]
    #[openapi(paths(read_settings, change_settings))]
    struct Document;

    #[test]
    fn both_routes_are_described_with_the_settings_schema_and_every_status_the_router_answers() {
        let doc = serde_json::to_value(Document::openapi()).unwrap();
        let settings = &doc["paths"]["/settings"];
        let schema = json!({"$ref": "#/components/schemas/GreeterSettings"});
        assert_eq!(settings["get"]["summary"], "Read the settings");
        assert_eq!(settings["get"]["responses"]["200"]["content"]["application/json"]["schema"], schema);
        let patch = &settings["patch"];
        assert_eq!(patch["summary"], "Change the settings (JSON merge patch; admin)");
        assert_eq!(patch["requestBody"]["content"]["application/json"]["schema"], json!({"type": "object"}));
        assert_eq!(patch["responses"]["200"]["content"]["application/json"]["schema"], schema);
        let statuses: Vec<&String> = patch["responses"].as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["200", "403", "422"]);
        let described = doc["components"]["schemas"]["GreeterSettings"]["properties"].clone();
        assert_eq!(described["greeting"]["type"], Value::from("string"));
    }
}
