//! The publishable artifact: `target/bundle/<name>-<version>-<platform>/` (executable, `manifest.json`,
//! `SHA256SUMS`), a `.tar.gz` of that folder next to it, and a registry entry (`<stem>.registry.json`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What goes into the artifact.
#[derive(Debug)]
pub struct ArtifactSpec<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub platform: &'a str,
    /// The built `temps-bundle` executable.
    pub binary: &'a Path,
    /// The composite manifest, as the binary printed it.
    pub manifest: &'a Value,
    /// Where the executable will be downloadable from, without the file name; `None` for a relative URL.
    pub base_url: Option<&'a str>,
    pub author: &'a str,
    pub category: &'a str,
}

/// The paths written.
#[derive(Debug)]
pub struct Artifact {
    pub folder: PathBuf,
    pub tarball: PathBuf,
    pub registry_entry: PathBuf,
    pub binary_sha256: String,
}

/// Writes the folder, the tarball and the registry entry under `out_dir` (replacing a previous one).
pub fn assemble(spec: &ArtifactSpec<'_>, out_dir: &Path) -> anyhow::Result<Artifact> {
    let stem = format!("{}-{}-{}", spec.name, spec.version, spec.platform);
    let folder = out_dir.join(&stem);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).with_context(|| format!("removing the old {}", folder.display()))?;
    }
    std::fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;

    let executable = folder.join(spec.name);
    std::fs::copy(spec.binary, &executable)
        .with_context(|| format!("copying {} to {}", spec.binary.display(), executable.display()))?;
    let manifest_text = serde_json::to_string_pretty(spec.manifest)? + "\n";
    std::fs::write(folder.join("manifest.json"), &manifest_text).context("writing manifest.json")?;

    let binary_sha256 = sha256_file(&executable)?;
    let sums = format!("{binary_sha256}  {}\n{}  manifest.json\n", spec.name, sha256_hex(manifest_text.as_bytes()));
    std::fs::write(folder.join("SHA256SUMS"), sums).context("writing SHA256SUMS")?;

    let tarball = out_dir.join(format!("{stem}.tar.gz"));
    write_tarball(&folder, &stem, &tarball)?;

    let registry_entry = out_dir.join(format!("{stem}.registry.json"));
    let entry = registry_entry_json(spec, &stem, &binary_sha256);
    std::fs::write(&registry_entry, serde_json::to_string_pretty(&entry)? + "\n")
        .with_context(|| format!("writing {}", registry_entry.display()))?;

    Ok(Artifact { folder, tarball, registry_entry, binary_sha256 })
}

/// The registry entry (temps-protocol.md §10): identity and descriptions from the composite manifest, and
/// `platforms.<key>` pointing at the executable with its SHA-256 (what the host verifies before activating).
pub fn registry_entry_json(spec: &ArtifactSpec<'_>, stem: &str, binary_sha256: &str) -> Value {
    let members = spec.manifest["bundle"]["members"].as_array().cloned().unwrap_or_default();
    let member_names: Vec<&str> = members.iter().filter_map(|m| m["name"].as_str()).collect();
    let title = spec.manifest["display_name"].as_str().unwrap_or(spec.name);
    let plural = if members.len() == 1 { "" } else { "s" };
    let summary = format!("{} Temps plugin{plural} in one binary: {}", members.len(), member_names.join(", "));
    let description = members
        .iter()
        .map(|m| {
            let name = m["display_name"].as_str().or(m["name"].as_str()).unwrap_or("?");
            let about = m["description"].as_str().unwrap_or("");
            format!("- {name} ({}): {about}", m["version"].as_str().unwrap_or("?"))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file = format!("{stem}/{}", spec.name);
    let url = match spec.base_url {
        Some(base) => format!("{}/{file}", base.trim_end_matches('/')),
        None => file,
    };
    let mut keywords = vec!["bundle".to_owned()];
    keywords.extend(member_names.iter().map(|n| (*n).to_owned()));
    json!({
        "name": spec.name,
        "title": title,
        "summary": summary,
        "description": format!("{summary}.\n\n{description}"),
        "author": spec.author,
        "category": spec.category,
        "keywords": keywords,
        "version": spec.version,
        "platforms": { spec.platform: { "url": url, "sha256": binary_sha256 } },
    })
}

/// The lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(sha256_hex(&bytes))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A gzipped tar of `folder`, its entries under `<stem>/`, with fixed owner and time so that equal inputs give
/// equal archives.
fn write_tarball(folder: &Path, stem: &str, tarball: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(tarball).with_context(|| format!("creating {}", tarball.display()))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut entries: Vec<_> = std::fs::read_dir(folder)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = Path::new(stem).join(entry.file_name());
        tar.append_path_with_name(&path, &name)
            .with_context(|| format!("adding {} to {}", path.display(), tarball.display()))?;
    }
    let mut gzip = tar.into_inner().context("finishing the tar stream")?;
    gzip.flush()?;
    gzip.finish().context("finishing the gzip stream")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Value {
        json!({
            "name": "acme-tools", "version": "1.4.0", "display_name": "Acme Tools",
            "bundle": { "members": [
                { "name": "hello", "version": "0.1.0", "display_name": "Hello", "description": "Greets." },
                { "name": "notify", "version": "0.2.0", "display_name": "Notify", "description": "Webhooks." }
            ]}
        })
    }

    #[test]
    fn assembles_a_folder_that_sha256sum_accepts_and_a_tarball() {
        let out = tempfile::tempdir().unwrap();
        let binary = out.path().join("temps-bundle");
        std::fs::write(&binary, b"#!/bin/sh\necho fake\n").unwrap();
        let manifest = manifest();
        let spec = ArtifactSpec {
            name: "acme-tools",
            version: "1.4.0",
            platform: "linux-amd64-gnu",
            binary: &binary,
            manifest: &manifest,
            base_url: Some("https://downloads.example/acme/"),
            author: "Acme",
            category: "tools",
        };
        let artifact = assemble(&spec, out.path()).unwrap();

        let sums = std::fs::read_to_string(artifact.folder.join("SHA256SUMS")).unwrap();
        assert!(sums.starts_with(&format!("{}  acme-tools\n", artifact.binary_sha256)), "{sums}");
        if std::process::Command::new("sha256sum").arg("--version").output().is_ok() {
            let check = std::process::Command::new("sha256sum")
                .args(["-c", "SHA256SUMS"])
                .current_dir(&artifact.folder)
                .output()
                .unwrap();
            assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
        }

        let listing = std::process::Command::new("tar").arg("tzf").arg(&artifact.tarball).output().unwrap();
        let listing = String::from_utf8_lossy(&listing.stdout);
        for file in ["acme-tools", "manifest.json", "SHA256SUMS"] {
            assert!(listing.contains(&format!("acme-tools-1.4.0-linux-amd64-gnu/{file}")), "{listing}");
        }

        let entry: Value = serde_json::from_str(&std::fs::read_to_string(&artifact.registry_entry).unwrap()).unwrap();
        assert_eq!(entry["name"], "acme-tools");
        assert_eq!(entry["title"], "Acme Tools");
        assert_eq!(entry["version"], "1.4.0");
        assert_eq!(entry["keywords"], json!(["bundle", "hello", "notify"]));
        let platform = &entry["platforms"]["linux-amd64-gnu"];
        assert_eq!(platform["sha256"], artifact.binary_sha256.as_str());
        assert_eq!(platform["url"], "https://downloads.example/acme/acme-tools-1.4.0-linux-amd64-gnu/acme-tools");
    }
}
