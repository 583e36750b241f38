//! A registry member (`version = "…"`, `registry = "…"`) resolved from a crates registry that needs no network: a
//! git index in a local repository and `.crate` files behind `file://` download URLs (Cargo's own alternative
//! registry format), named in the temp folder's `.cargo/config.toml`, which Cargo reads from the generated crate's
//! ancestors. The member depends on `temps-bundle-sdk` from that registry, as a published member would; `[sdk]`
//! points that source at this checkout's SDK. Resolution only (no compiling): the member's package, its
//! provenance, the one-SDK check and the generated dependency.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use std::path::{Path, PathBuf};
use std::process::Command;

use temps_bundle_file::{BuildOptions, BundleFile, LockMode, ResolvedSource, Workspace, compile, generate};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn sha256(path: &Path) -> String {
    run(Command::new("sha256sum").arg(path)).split_whitespace().next().unwrap().to_owned()
}

/// Publishes `temps-plugin-<name>` 0.1.0 (depending on the registry's `temps-bundle-sdk` ^0.1) into the registry
/// at `registry/` and returns the index URL.
fn publish(registry: &Path, name: &str) -> String {
    let index = registry.join("index");
    let index_url = format!("file://{}", index.display());
    let package = format!("temps-plugin-{name}");
    let unpacked = registry.join("build").join(format!("{package}-0.1.0"));
    std::fs::create_dir_all(unpacked.join("src")).unwrap();
    std::fs::write(
        unpacked.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies.temps-bundle-sdk]\nversion = \"0.1\"\nregistry-index = \"{index_url}\"\n"
        ),
    )
    .unwrap();
    std::fs::write(unpacked.join("src/lib.rs"), "").unwrap();
    let dl = registry.join("dl");
    std::fs::create_dir_all(&dl).unwrap();
    let crate_file = dl.join(format!("{package}-0.1.0.crate"));
    run(Command::new("tar")
        .arg("czf")
        .arg(&crate_file)
        .arg("-C")
        .arg(registry.join("build"))
        .arg(format!("{package}-0.1.0")));

    // Index layout: names of 4+ characters live at `<first two>/<next two>/<name>`.
    let entry = index.join(&package[..2]).join(&package[2..4]).join(&package);
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    let line = serde_json::json!({
        "name": package, "vers": "0.1.0", "cksum": sha256(&crate_file), "features": {}, "yanked": false,
        "deps": [{
            "name": "temps-bundle-sdk", "req": "^0.1", "features": [], "optional": false,
            "default_features": true, "target": null, "kind": "normal",
        }],
    });
    std::fs::write(&entry, format!("{line}\n")).unwrap();
    let config = serde_json::json!({ "dl": format!("file://{}/{{crate}}-{{version}}.crate", dl.display()) });
    std::fs::write(index.join("config.json"), config.to_string()).unwrap();
    let git = |args: &[&str]| run(Command::new("git").args(args).current_dir(&index));
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "index"]);
    index_url
}

#[test]
fn a_registry_member_resolves_from_a_local_registry_against_this_checkouts_sdk() {
    let tmp = tempfile::tempdir().unwrap();
    let index_url = publish(&tmp.path().join("registry"), "published");
    std::fs::create_dir_all(tmp.path().join(".cargo")).unwrap();
    std::fs::write(
        tmp.path().join(".cargo/config.toml"),
        format!("[registries.local]\nindex = {index_url:?}\n\n[net]\ngit-fetch-with-cli = true\n"),
    )
    .unwrap();
    let path = tmp.path().join("from-registry.toml");
    std::fs::write(
        &path,
        format!(
            "[bundle]\nname = \"from-registry\"\nversion = \"1.0.0\"\n\n[sdk]\ngit = [{index_url:?}]\n\n\
             [members.published]\nversion = \"0.1\"\nregistry = \"local\"\n"
        ),
    )
    .unwrap();
    let file = BundleFile::load(&path).unwrap();
    let ws = Workspace { root: repository(), target: tmp.path().join("target") };

    let prepared = compile::prepare(&ws, &file, BuildOptions { release: false, lock: LockMode::Workspace }).unwrap();
    let member = &prepared.members[0];
    assert_eq!(member.package.name, "temps-plugin-published");
    assert_eq!(member.source, ResolvedSource::Registry { version: "0.1.0".into() });
    assert_eq!(member.package.source.as_deref(), Some(format!("registry+{index_url}").as_str()));
    let sdks: Vec<_> = prepared.metadata.packages.iter().filter(|p| p.name == "temps-bundle-sdk").collect();
    assert_eq!(sdks.len(), 1, "the registry's SDK is this checkout's: {sdks:?}");
    assert!(sdks[0].source.is_none(), "a path package: {sdks:?}");
    let manifest = generate::cargo_toml(&ws, &file).unwrap();
    assert!(
        manifest.contains(
            "member-published = { package = \"temps-plugin-published\", version = \"0.1\", registry = \"local\" }"
        ),
        "{manifest}"
    );
}
