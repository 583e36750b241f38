//! The binaries under test, as `cargo xtask bench` leaves them in the bin dir, and the members each one hosts.
//!
//! File names (kept in step with `xtask/src/bench.rs`): `temps-bundle` (every real plugin),
//! `temps-bundle-synth-<n>` (only the synthetic members, n = 1, 10, 100, 300), `temps-bundle-first-<k>` (the first k
//! plugins by name, k < all, for the memory attribution), `temps-bundle-only-<member>` (one plugin alone, built with
//! `--standalone`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

/// The synthetic member counts, each its own release build.
pub const SYNTH_COUNTS: [usize; 4] = [1, 10, 100, 300];

/// What the bin dir holds.
#[derive(Debug)]
pub struct Binaries {
    pub composite: PathBuf,
    pub synth: Vec<(usize, PathBuf)>,
    /// `(member, binary)` for each plugin built alone, sorted by member.
    pub standalone: Vec<(String, PathBuf)>,
    /// `(k, binary)` for the builds with the first k plugins, sorted by k.
    pub first: Vec<(usize, PathBuf)>,
}

/// A member of a bundle binary, from its `manifest` command.
#[derive(Debug, Clone)]
pub struct MemberInfo {
    pub name: String,
    pub has_ui: bool,
}

impl Binaries {
    /// Finds the binaries; the composite and the synthetic builds are required.
    pub fn locate(bin_dir: &Path) -> anyhow::Result<Self> {
        let required = |name: String| {
            let path = bin_dir.join(&name);
            match path.is_file() {
                true => Ok(path),
                false => Err(anyhow::anyhow!("{} is missing: run `cargo xtask bench`", path.display())),
            }
        };
        let composite = required("temps-bundle".to_owned())?;
        let synth = SYNTH_COUNTS
            .iter()
            .map(|&n| Ok((n, required(format!("temps-bundle-synth-{n}"))?)))
            .collect::<anyhow::Result<_>>()?;
        let (mut standalone, mut first) = (Vec::new(), Vec::new());
        let entries = std::fs::read_dir(bin_dir).with_context(|| format!("reading {}", bin_dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if let Some(member) = name.strip_prefix("temps-bundle-only-") {
                standalone.push((member.to_owned(), path.clone()));
            } else if let Some(k) = name.strip_prefix("temps-bundle-first-").and_then(|k| k.parse::<usize>().ok()) {
                first.push((k, path.clone()));
            }
        }
        standalone.sort();
        first.sort();
        Ok(Self { composite, synth, standalone, first })
    }
}

/// The members `bin` hosts, from `bin manifest --compact` (nothing starts).
pub fn members(bin: &Path) -> anyhow::Result<Vec<MemberInfo>> {
    let output = Command::new(bin)
        .args(["manifest", "--compact"])
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !output.status.success() {
        bail!("`{} manifest` failed: {}", bin.display(), String::from_utf8_lossy(&output.stderr));
    }
    let manifest: Value = serde_json::from_slice(&output.stdout).context("the manifest is not JSON")?;
    let members = manifest["bundle"]["members"].as_array().context("the manifest has no bundle.members")?;
    Ok(members
        .iter()
        .filter_map(|m| Some(MemberInfo { name: m["name"].as_str()?.to_owned(), has_ui: m["ui"].is_string() }))
        .collect())
}
