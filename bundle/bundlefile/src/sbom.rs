//! The bill of materials: a CycloneDX 1.5 JSON document of everything compiled into the binary, serialized from
//! `cargo metadata`'s resolved graph of the generated crate (components with package URLs, the dependency graph,
//! and each member's provenance as properties). Deterministic: no timestamp, no random serial number.

use serde_json::{Value, json};

use crate::compile::Prepared;
use crate::generate::ResolvedSource;
use crate::spec::BundleFile;

/// The file name in the artifact folder (CycloneDX's recommended `*.cdx.json`).
pub const FILE_NAME: &str = "bom.cdx.json";

/// The CycloneDX document for `file` as `prepared` resolved it.
pub fn cyclonedx(file: &BundleFile, prepared: &Prepared) -> Value {
    let packages = prepared.metadata.resolved_packages();
    let root_id = prepared.metadata.resolve.as_ref().and_then(|r| r.root.clone()).unwrap_or_default();
    let components: Vec<Value> = packages
        .values()
        .filter(|p| p.id != root_id)
        .map(|package| {
            let member = prepared.members.iter().find(|m| m.package.id == package.id);
            let mut component = json!({
                "type": "library",
                "bom-ref": package.id,
                "name": package.name,
                "version": package.version,
                "purl": purl(&package.name, &package.version, package.source.as_deref()),
            });
            if let Some(license) = &package.license {
                component["licenses"] = json!([{ "expression": license }]);
            }
            if let Some(description) = &package.description {
                component["description"] = json!(description.trim());
            }
            if let Some(repository) = &package.repository {
                component["externalReferences"] = json!([{ "type": "vcs", "url": repository }]);
            }
            if let Some(member) = member {
                component["properties"] = member_properties(&member.member, &member.source);
            }
            component
        })
        .collect();
    let dependencies: Vec<Value> = prepared
        .metadata
        .resolve
        .iter()
        .flat_map(|r| r.nodes.iter())
        .map(|node| {
            let mut on: Vec<&str> = node.deps.iter().map(|d| d.pkg.as_str()).collect();
            on.sort_unstable();
            on.dedup();
            json!({ "ref": node.id, "dependsOn": on })
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "tools": { "components": [{ "type": "application", "name": "temps-bundle-file", "version": env!("CARGO_PKG_VERSION") }] },
            "component": {
                "type": "application",
                "bom-ref": root_id,
                "name": file.name,
                "version": file.version,
                "description": file.description,
            },
        },
        "components": components,
        "dependencies": dependencies,
    })
}

/// `pkg:cargo/<name>@<version>`, with the source as a qualifier for git and path packages.
fn purl(name: &str, version: &str, source: Option<&str>) -> String {
    match source {
        Some(source) if source.starts_with("git+") => {
            let url = source.trim_start_matches("git+");
            let (url, commit) = url.split_once('#').unwrap_or((url, ""));
            let url = url.split('?').next().unwrap_or(url);
            format!("pkg:cargo/{name}@{version}?vcs_url={}", encode(&format!("git+{url}@{commit}")))
        }
        Some(_) => format!("pkg:cargo/{name}@{version}"),
        None => format!("pkg:cargo/{name}@{version}?type=path"),
    }
}

fn member_properties(member: &str, source: &ResolvedSource) -> Value {
    let mut properties = vec![json!({ "name": "temps-bundle:member", "value": member })];
    let (kind, detail) = match source {
        ResolvedSource::Path => ("path", None),
        ResolvedSource::Git { url, commit } => ("git", Some(format!("{url}#{commit}"))),
        ResolvedSource::Registry { version } => ("registry", Some(version.clone())),
    };
    properties.push(json!({ "name": "temps-bundle:source", "value": kind }));
    if let Some(detail) = detail {
        properties.push(json!({ "name": format!("temps-bundle:{kind}"), "value": detail }));
    }
    Value::Array(properties)
}

/// Percent-encodes what a purl qualifier value may not hold.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' | b'@' | b'+' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
