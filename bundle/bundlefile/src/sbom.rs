//! The bill of materials: a CycloneDX 1.5 JSON document of everything compiled into the binary, serialized from
//! `cargo metadata`'s resolved graph of the generated crate (components with package URLs, the dependency graph,
//! and each member's provenance as properties). Deterministic: no timestamp, no random serial number.

use std::path::Path;

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
                "bom-ref": bom_ref(&package.id, &prepared.dir),
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
        .collect::<Vec<_>>();
    let mut components = components;
    components.sort_by(|a, b| a["bom-ref"].as_str().cmp(&b["bom-ref"].as_str()));
    let mut dependencies: Vec<Value> = prepared
        .metadata
        .resolve
        .iter()
        .flat_map(|r| r.nodes.iter())
        .map(|node| {
            let mut on: Vec<String> = node.deps.iter().map(|d| bom_ref(&d.pkg, &prepared.dir)).collect();
            on.sort_unstable();
            on.dedup();
            json!({ "ref": bom_ref(&node.id, &prepared.dir), "dependsOn": on })
        })
        .collect();
    dependencies.sort_by(|a, b| a["ref"].as_str().cmp(&b["ref"].as_str()));
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "tools": { "components": [{ "type": "application", "name": "temps-bundle-file", "version": env!("CARGO_PKG_VERSION") }] },
            "component": {
                "type": "application",
                "bom-ref": bom_ref(&root_id, &prepared.dir),
                "name": file.name,
                "version": file.version,
                "description": file.description,
            },
        },
        "components": components,
        "dependencies": dependencies,
    })
}

/// A package id as the document names it: path packages under the generated crate's folder (with the `checkout`
/// link: all of this checkout's) as `path+file:///bundle/…`, the name the binary's remapped paths use, so that the
/// document does not depend on where the checkout and the target folder are.
fn bom_ref(id: &str, dir: &Path) -> String {
    let prefix = format!("path+file://{}", dir.display());
    match id.strip_prefix(&prefix) {
        Some(rest) if rest.starts_with(['/', '#']) => format!("path+file:///bundle{rest}"),
        _ => id.to_owned(),
    }
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
