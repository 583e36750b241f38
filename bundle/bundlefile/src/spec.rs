//! The bundle file: what it says (types), and how it is read (TOML with spans, so every complaint names a line).
//!
//! ```toml
//! [bundle]
//! name = "acme-tools"
//! version = "1.4.0"
//!
//! [members.deploy-pulse]
//! path = "plugins/deploy-pulse"
//! ```
//!
//! The README's "Bundle file reference" lists every key; [`RawMember`] is the source of truth for the member keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::BundleError;

/// Names a member may not take: the bundle's own routes and the host's (the engine's own list).
pub use temps_bundle_protocol::names::RESERVED_MEMBER_NAMES as RESERVED_NAMES;

/// A parsed, validated bundle file.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// The file itself (absolute).
    pub path: PathBuf,
    /// The file name without `.toml`: names the lock (`<stem>.lock`) and the generated crate.
    pub stem: String,
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    /// Git URLs that are this checkout's SDK (a member depending on the SDK from one of them is built against it).
    pub sdk_git: Vec<String>,
    /// How release builds optimize the members' code (`[bundle] optimize_members`).
    pub optimize_members: MemberOptimization,
    /// By member name (the `[members.<name>]` key), sorted.
    pub members: BTreeMap<String, Member>,
}

/// `[bundle] optimize_members`: what release builds optimize the members, and the crates only they use, for. The
/// runtime (the SDK and everything it depends on: the socket server, routing, the checks) is always built for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberOptimization {
    /// `opt-level = "s"` (the default): every member's code is resident in a composite, and most of it waits on
    /// SQLite or the network; for the five first-party members, 27 % less machine code and 1–2.5 MiB less
    /// resident memory.
    #[default]
    Size,
    /// `opt-level = 3`, like the runtime.
    Speed,
}

/// One `[members.<name>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub source: Source,
    /// The Cargo package, when given (`package = "…"`); path members default to the crate's own name.
    pub package: Option<String>,
    pub limits: Limits,
}

/// Where a member's crate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A folder (absolute; relative paths in the file are relative to the file's folder).
    Path(PathBuf),
    Git {
        url: String,
        reference: GitRef,
    },
    Registry {
        version: String,
        registry: Option<String>,
    },
}

/// Which commit of a git member to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    /// The remote's default branch.
    DefaultBranch,
    Tag(String),
    Rev(String),
    Branch(String),
}

/// The per-member runtime limits (the engine applies them; `None` = its default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub request_timeout_ms: Option<u64>,
    pub max_concurrent_requests: Option<u32>,
    pub max_body_bytes: Option<u64>,
    pub event_timeout_ms: Option<u64>,
    pub event_backlog: Option<u32>,
}

impl BundleFile {
    /// Reads and validates `path`.
    pub fn load(path: &Path) -> Result<Self, BundleError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| BundleError::Read { path: path.to_path_buf(), source })?;
        let path =
            std::path::absolute(path).map_err(|source| BundleError::Read { path: path.to_path_buf(), source })?;
        Self::parse(&path, &text)
    }

    /// Validates `text` as the bundle file at `path` (which must be absolute: member paths are relative to it).
    pub fn parse(path: &Path, text: &str) -> Result<Self, BundleError> {
        let at = Locator { path, text };
        let raw: RawFile = toml::from_str(text).map_err(|error| at.toml(&error))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if temps_bundle_protocol::names::check_name(&stem).is_err() {
            return Err(at.whole(format!(
                "the file name `{stem}` must be a valid plugin name too (lowercase letters, digits, single dashes): \
                 it names the lock file and the generated crate"
            )));
        }
        let name = raw.bundle.name.get_ref().clone();
        if let Err(why) = temps_bundle_protocol::names::check_name(&name) {
            return Err(at.span(raw.bundle.name.span(), format!("[bundle] name {name:?} {why}")));
        }
        let version = raw.bundle.version.get_ref().clone();
        if let Err(why) = check_semver(&version) {
            return Err(at.span(raw.bundle.version.span(), format!("[bundle] version {version:?} {why}")));
        }
        if raw.members.is_empty() {
            return Err(at.whole("the bundle has no members: add a [members.<name>] table".to_owned()));
        }
        let dir = path.parent().unwrap_or(Path::new("/"));
        let mut members = BTreeMap::new();
        for (key, table) in raw.members {
            let member = member(&at, dir, &key, table)?;
            members.insert(key.into_inner(), member);
        }
        Ok(Self {
            path: path.to_path_buf(),
            stem,
            name,
            version,
            description: raw.bundle.description,
            display_name: raw.bundle.display_name,
            sdk_git: raw.sdk.git,
            optimize_members: optimization(&at, raw.bundle.optimize_members)?,
            members,
        })
    }

    /// `<stem>.lock` beside the file: Cargo's lock of the generated crate.
    pub fn lock_path(&self) -> PathBuf {
        self.path.with_file_name(format!("{}.lock", self.stem))
    }

    /// The display name: `display_name`, or the name in title case.
    pub fn display_name(&self) -> String {
        self.display_name.clone().unwrap_or_else(|| title_case(&self.name))
    }
}

/// The file as TOML: unknown keys anywhere are refused by serde, which names the key and the valid ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    bundle: RawBundle,
    #[serde(default)]
    sdk: RawSdk,
    #[serde(default)]
    members: BTreeMap<Spanned<String>, Spanned<RawMember>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBundle {
    name: Spanned<String>,
    version: Spanned<String>,
    description: Option<String>,
    display_name: Option<String>,
    optimize_members: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSdk {
    #[serde(default)]
    git: Vec<String>,
}

/// Every key a `[members.<name>]` table accepts: one source (`path`, `git` + `tag`/`rev`/`branch`, or `version`
/// + `registry`), `package`, and the limits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    path: Option<String>,
    git: Option<String>,
    tag: Option<String>,
    rev: Option<String>,
    branch: Option<String>,
    version: Option<String>,
    registry: Option<String>,
    package: Option<String>,
    request_timeout_ms: Option<Spanned<u64>>,
    max_concurrent_requests: Option<Spanned<u32>>,
    max_body_bytes: Option<Spanned<u64>>,
    event_timeout_ms: Option<Spanned<u64>>,
    event_backlog: Option<Spanned<u32>>,
}

fn optimization(at: &Locator<'_>, value: Option<Spanned<String>>) -> Result<MemberOptimization, BundleError> {
    let Some(value) = value else { return Ok(MemberOptimization::default()) };
    match value.get_ref().as_str() {
        "size" => Ok(MemberOptimization::Size),
        "speed" => Ok(MemberOptimization::Speed),
        other => Err(at.span(
            value.span(),
            format!("[bundle] optimize_members {other:?} is not one of \"size\" (the default) or \"speed\""),
        )),
    }
}

fn member(
    at: &Locator<'_>,
    dir: &Path,
    key: &Spanned<String>,
    table: Spanned<RawMember>,
) -> Result<Member, BundleError> {
    let name = key.get_ref();
    let here = |message: String| at.span(key.span(), format!("[members.{name}]: {message}"));
    if let Err(why) = temps_bundle_protocol::names::check_name(name) {
        return Err(here(format!("the member name {why}")));
    }
    if RESERVED_NAMES.contains(&name.as_str()) {
        return Err(here(format!("`{name}` is reserved (reserved: {})", RESERVED_NAMES.join(", "))));
    }
    let raw = table.into_inner();
    let source = source(&raw, dir).map_err(here)?;
    let limits = limits(at, name, &raw)?;
    Ok(Member { source, package: raw.package, limits })
}

fn source(raw: &RawMember, dir: &Path) -> Result<Source, String> {
    let given = [raw.path.is_some(), raw.git.is_some(), raw.version.is_some()].iter().filter(|g| **g).count();
    if given != 1 {
        return Err("give exactly one source: `path = \"…\"`, `git = \"…\"` or `version = \"…\"`".to_owned());
    }
    let git_keys = [("tag", &raw.tag), ("rev", &raw.rev), ("branch", &raw.branch)];
    let refs: Vec<&str> = git_keys.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k).collect();
    if raw.git.is_none() && !refs.is_empty() {
        return Err(format!("`{}` only goes with `git`", refs.join("`, `")));
    }
    if raw.version.is_none() && raw.registry.is_some() {
        return Err("`registry` only goes with `version`".to_owned());
    }
    if let Some(path) = &raw.path {
        return Ok(Source::Path(normalize(&dir.join(path))));
    }
    if let Some(url) = &raw.git {
        let reference = match (&raw.tag, &raw.rev, &raw.branch) {
            (None, None, None) => GitRef::DefaultBranch,
            (Some(tag), None, None) => GitRef::Tag(tag.clone()),
            (None, Some(rev), None) => GitRef::Rev(rev.clone()),
            (None, None, Some(branch)) => GitRef::Branch(branch.clone()),
            _ => return Err(format!("give at most one of `tag`, `rev`, `branch` (found `{}`)", refs.join("`, `"))),
        };
        return Ok(Source::Git { url: url.clone(), reference });
    }
    let version = raw.version.clone().unwrap_or_default();
    Ok(Source::Registry { version, registry: raw.registry.clone() })
}

fn limits(at: &Locator<'_>, name: &str, raw: &RawMember) -> Result<Limits, BundleError> {
    let positive64 = |key: &str, value: &Option<Spanned<u64>>| match value {
        Some(v) if *v.get_ref() == 0 => Err(at.span(v.span(), format!("[members.{name}] {key} must be > 0"))),
        other => Ok(other.as_ref().map(|v| *v.get_ref())),
    };
    let positive32 = |key: &str, value: &Option<Spanned<u32>>| match value {
        Some(v) if *v.get_ref() == 0 => Err(at.span(v.span(), format!("[members.{name}] {key} must be > 0"))),
        other => Ok(other.as_ref().map(|v| *v.get_ref())),
    };
    Ok(Limits {
        request_timeout_ms: positive64("request_timeout_ms", &raw.request_timeout_ms)?,
        max_concurrent_requests: positive32("max_concurrent_requests", &raw.max_concurrent_requests)?,
        max_body_bytes: positive64("max_body_bytes", &raw.max_body_bytes)?,
        event_timeout_ms: positive64("event_timeout_ms", &raw.event_timeout_ms)?,
        event_backlog: positive32("event_backlog", &raw.event_backlog)?,
    })
}

/// SemVer 2.0: `MAJOR.MINOR.PATCH`, optional `-pre` and `+build`, within the protocol's version alphabet.
fn check_semver(version: &str) -> Result<(), String> {
    temps_bundle_protocol::names::check_version(version).map_err(str::to_owned)?;
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric =
        |n: &&str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n.len() == 1 || !n.starts_with('0'));
    if numbers.len() != 3 || !numbers.iter().all(numeric) {
        return Err("is not SemVer (MAJOR.MINOR.PATCH, e.g. 1.4.0 or 1.4.0-rc.1)".to_owned());
    }
    Ok(())
}

/// `a/./b/../c` → `a/c`, without touching the file system (the folder may not exist yet; cargo says so then).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Turns byte spans into "file, line N" for messages.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
    }

    fn span(&self, span: std::ops::Range<usize>, message: String) -> BundleError {
        BundleError::Invalid { path: self.path.to_path_buf(), line: Some(self.line_of(span.start)), message }
    }

    fn whole(&self, message: String) -> BundleError {
        BundleError::Invalid { path: self.path.to_path_buf(), line: None, message }
    }

    fn toml(&self, error: &toml::de::Error) -> BundleError {
        let line = error.span().map(|span| self.line_of(span.start));
        BundleError::Invalid { path: self.path.to_path_buf(), line, message: error.message().trim().to_owned() }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
#[path = "spec_tests.rs"]
mod tests;
