//! `cargo metadata` of the generated crate: which package each member resolved to (and from where), and the
//! check that every member uses the bundle's one `temps-bundle-sdk` — made before anything is compiled.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::BundleError;
use crate::generate::{self, ResolvedSource};
use crate::spec::{BundleFile, Source};

/// The SDK package every member must share.
pub const SDK_PACKAGE: &str = "temps-bundle-sdk";

/// The subset of `cargo metadata --format-version 1` this crate reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub packages: Vec<Package>,
    pub resolve: Option<Resolve>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Package {
    pub id: String,
    pub name: String,
    pub version: String,
    /// `None` for path packages; `git+URL?ref#commit` or `registry+URL` / `sparse+URL` otherwise.
    pub source: Option<String>,
    pub manifest_path: PathBuf,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub repository: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Resolve {
    pub nodes: Vec<Node>,
    pub root: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub id: String,
    pub deps: Vec<NodeDep>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NodeDep {
    /// The extern crate name (renames applied, `-` as `_`).
    pub name: String,
    pub pkg: String,
}

/// A member's resolved crate.
#[derive(Debug, Clone)]
pub struct MemberPackage {
    pub member: String,
    pub package: Package,
    pub source: ResolvedSource,
}

impl Metadata {
    /// Parses `cargo metadata` output.
    pub fn parse(json: &str) -> Result<Self, BundleError> {
        serde_json::from_str(json)
            .map_err(|e| BundleError::Output { what: "cargo metadata".into(), message: e.to_string() })
    }

    pub fn package(&self, id: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.id == id)
    }

    fn node(&self, id: &str) -> Option<&Node> {
        self.resolve.as_ref()?.nodes.iter().find(|n| n.id == id)
    }

    fn root(&self) -> Option<&Node> {
        self.node(self.resolve.as_ref()?.root.as_deref()?)
    }

    /// Each member's package and provenance, in the file's order.
    pub fn members(&self, file: &BundleFile) -> Result<Vec<MemberPackage>, BundleError> {
        let root = self.root().ok_or_else(|| BundleError::Output {
            what: "cargo metadata".into(),
            message: "no resolve graph for the generated crate".into(),
        })?;
        let mut out = Vec::new();
        for (name, member) in &file.members {
            let extern_name = generate::dependency_key(file, name).replace('-', "_");
            let package =
                root.deps.iter().find(|d| d.name == extern_name).and_then(|d| self.package(&d.pkg)).ok_or_else(
                    || BundleError::Output {
                        what: "cargo metadata".into(),
                        message: format!("the generated crate has no dependency {extern_name} for member `{name}`"),
                    },
                )?;
            let source = match &member.source {
                Source::Path(_) => ResolvedSource::Path,
                Source::Git { url, .. } => {
                    let commit = package.source.as_deref().and_then(|s| s.rsplit_once('#')).map(|(_, c)| c);
                    ResolvedSource::Git { url: url.clone(), commit: commit.unwrap_or("unknown").to_owned() }
                }
                Source::Registry { .. } => ResolvedSource::Registry { version: package.version.clone() },
            };
            out.push(MemberPackage { member: name.clone(), package: package.clone(), source });
        }
        Ok(out)
    }

    /// Refuses more than one `temps-bundle-sdk` in the graph, naming every member, the SDK it wants and the
    /// one the bundle uses. Two copies would each collect their own `inventory` of members, and the engine (in
    /// the bundle's copy) would never see the others.
    pub fn check_one_sdk(&self, file: &BundleFile, members: &[MemberPackage]) -> Result<(), BundleError> {
        let copies: Vec<&Package> = self.packages.iter().filter(|p| p.name == SDK_PACKAGE).collect();
        if copies.len() <= 1 {
            return Ok(());
        }
        let bundle_sdk = self.root().and_then(|root| self.sdk_of(&root.id));
        let describe = |id: Option<&str>| id.and_then(|id| self.package(id)).map_or("none".to_owned(), sdk_label);
        let mut lines = vec![format!(
            "{}: the members resolve to {} copies of {SDK_PACKAGE}; each copy keeps its own registry of members, so \
             the engine would silently miss some. The bundle uses {}.",
            file.path.display(),
            copies.len(),
            describe(bundle_sdk.as_deref()),
        )];
        for member in members {
            let wanted = self.sdk_of(&member.package.id);
            let verdict = if wanted == bundle_sdk { "same as the bundle" } else { "DIFFERENT" };
            lines.push(format!(
                "  - member `{}` ({} {}) wants {} — {verdict}",
                member.member,
                member.package.name,
                member.package.version,
                describe(wanted.as_deref())
            ));
        }
        lines.push(format!(
            "Make every member depend on the same {SDK_PACKAGE} as the bundle (this checkout's bundle/sdk); a member \
             that depends on it by git can be pointed here with `[sdk] git = [\"<its URL>\"]` in the bundle file."
        ));
        Err(BundleError::SdkCopies(lines.join("\n")))
    }

    /// The SDK package `id` depends on (directly or through other packages), by package id.
    fn sdk_of(&self, id: &str) -> Option<String> {
        let mut seen = BTreeSet::new();
        let mut queue = vec![id.to_owned()];
        while let Some(next) = queue.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            for dep in self.node(&next).map(|n| n.deps.as_slice()).unwrap_or_default() {
                if self.package(&dep.pkg).is_some_and(|p| p.name == SDK_PACKAGE) {
                    return Some(dep.pkg.clone());
                }
                queue.push(dep.pkg.clone());
            }
        }
        None
    }

    /// The packages only the members use: reachable from a member's package but not from the bundle's SDK (which
    /// is the runtime: its own code and everything it depends on stay out), as `name@version` specs, sorted.
    pub fn member_only_packages(&self, members: &[MemberPackage]) -> Vec<String> {
        let runtime = self.root().and_then(|root| self.sdk_of(&root.id)).map(|sdk| self.reachable([sdk]));
        let runtime = runtime.unwrap_or_default();
        let from_members = self.reachable(members.iter().map(|m| m.package.id.clone()));
        let mut specs: Vec<String> = from_members
            .difference(&runtime)
            .filter_map(|id| self.package(id))
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        specs.sort();
        specs.dedup();
        specs
    }

    /// `roots` and every package they depend on, by id.
    fn reachable(&self, roots: impl IntoIterator<Item = String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: Vec<String> = roots.into_iter().collect();
        while let Some(next) = queue.pop() {
            if seen.insert(next.clone()) {
                queue.extend(self.node(&next).into_iter().flat_map(|n| n.deps.iter().map(|d| d.pkg.clone())));
            }
        }
        seen
    }

    /// Every package of the resolved graph by id (for the bill of materials).
    pub fn resolved_packages(&self) -> BTreeMap<&str, &Package> {
        let ids: BTreeSet<&str> = self.resolve.iter().flat_map(|r| r.nodes.iter().map(|n| n.id.as_str())).collect();
        self.packages.iter().filter(|p| ids.contains(p.id.as_str())).map(|p| (p.id.as_str(), p)).collect()
    }
}

/// `temps-bundle-sdk 0.1.0 (path /repo/bundle/sdk)` / `(git https://…#abc)` / `(registry …)`.
fn sdk_label(package: &Package) -> String {
    let origin = match package.source.as_deref() {
        None => format!("path {}", package.manifest_path.parent().unwrap_or(Path::new("?")).display()),
        Some(source) => match source.split_once('+') {
            Some(("git", rest)) => format!("git {rest}"),
            Some((_, rest)) => format!("registry {rest}"),
            None => source.to_owned(),
        },
    };
    format!("{} {} ({origin})", package.name, package.version)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    /// root → sdk, member-a, member-b; both members → sdk; a → sea-orm → sqlx, tokio; b → tokio, url; sdk → tokio.
    fn graph() -> Metadata {
        let package = |name: &str, version: &str| {
            serde_json::json!({"id": format!("{name} {version}"), "name": name, "version": version,
                "source": null, "manifest_path": format!("/src/{name}/Cargo.toml")})
        };
        let node = |name: &str, deps: &[&str]| {
            let deps: Vec<_> = deps
                .iter()
                .map(|d| serde_json::json!({"name": d.replace('-', "_"), "pkg": format!("{d} 1.0.0")}))
                .collect();
            serde_json::json!({"id": format!("{name} 1.0.0"), "deps": deps})
        };
        let names = ["root", "temps-bundle-sdk", "member-a", "member-b", "sea-orm", "sqlx", "tokio", "url"];
        let json = serde_json::json!({
            "packages": names.iter().map(|n| package(n, "1.0.0")).collect::<Vec<_>>(),
            "resolve": {"root": "root 1.0.0", "nodes": [
                node("root", &["temps-bundle-sdk", "member-a", "member-b"]),
                node("temps-bundle-sdk", &["tokio"]),
                node("member-a", &["temps-bundle-sdk", "sea-orm"]),
                node("member-b", &["temps-bundle-sdk", "tokio", "url"]),
                node("sea-orm", &["sqlx", "tokio"]),
                node("sqlx", &[]), node("tokio", &[]), node("url", &[]),
            ]},
        });
        Metadata::parse(&json.to_string()).unwrap()
    }

    #[test]
    fn member_only_packages_leave_out_the_runtime_and_what_it_uses() {
        let metadata = graph();
        let member = |name: &str| MemberPackage {
            member: name.into(),
            package: metadata.package(&format!("{name} 1.0.0")).unwrap().clone(),
            source: ResolvedSource::Path,
        };
        let only = metadata.member_only_packages(&[member("member-a"), member("member-b")]);
        assert_eq!(only, ["member-a@1.0.0", "member-b@1.0.0", "sea-orm@1.0.0", "sqlx@1.0.0", "url@1.0.0"]);
    }
}
