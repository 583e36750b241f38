//! The lock beside a bundle file, through the steps `cargo xtask bundle` takes (prepare, then `save_lock` once
//! the bundle was accepted; compiling in between changes no file outside the target folder): a lock that no
//! longer matches the members is refused under the default `--locked` semantics, and `--update` rewrites only
//! the lock. Offline (`[net] offline` in the temp folder's `.cargo/config.toml`, which Cargo reads from the
//! generated crate's ancestors), so `cargo update` resolves from the local registry cache.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use temps_bundle_file::{BuildOptions, BundleError, BundleFile, LockMode, Workspace, compile};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// Every file under `dir` (but `skip`) with its bytes.
fn snapshot(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path == skip {
            continue;
        }
        if path.is_dir() {
            out.extend(snapshot(&path, skip));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

fn git_status(root: &Path) -> String {
    let output = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(root)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// A member crate on the repository's SDK (by its real path) with `extra` as more dependencies.
fn write_member(dir: &Path, extra: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let sdk = repository().join("bundle/sdk");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"temps-plugin-locky\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n\
             temps-bundle-sdk = {{ path = {sdk:?} }}\n{extra}\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
}

fn prepare_and_save(ws: &Workspace, file: &BundleFile, lock: LockMode) -> Result<(), BundleError> {
    let prepared = compile::prepare(ws, file, BuildOptions { release: false, lock })?;
    compile::save_lock(file, &prepared, lock)?;
    Ok(())
}

#[test]
fn a_stale_lock_is_refused_and_update_rewrites_only_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".cargo")).unwrap();
    std::fs::write(tmp.path().join(".cargo/config.toml"), "[net]\noffline = true\n").unwrap();
    let target = tmp.path().join("target");
    let ws = Workspace { root: repository(), target: target.clone() };
    let member = tmp.path().join("locky");
    // `itoa` is in the SDK's tree already (serde_json), so the local cache has it.
    write_member(&member, "itoa = \"1\"");
    let path = tmp.path().join("locky.toml");
    std::fs::write(&path, "[bundle]\nname = \"locky\"\nversion = \"1.0.0\"\n\n[members.locky]\npath = \"locky\"\n")
        .unwrap();
    let file = BundleFile::load(&path).unwrap();
    let repo_before = git_status(&ws.root);

    prepare_and_save(&ws, &file, LockMode::File).unwrap();
    let lock = std::fs::read_to_string(file.lock_path()).unwrap();
    assert!(lock.contains("name = \"temps-plugin-locky\""), "{lock}");
    let member_entry =
        |lock: &str| lock.split("[[package]]").find(|b| b.contains("name = \"temps-plugin-locky\"")).map(str::to_owned);
    assert!(member_entry(&lock).unwrap().contains("\"itoa\""), "{lock}");

    // The member changes its dependencies: the kept lock no longer matches, and a plain build refuses.
    write_member(&member, "");
    let stale = snapshot(tmp.path(), &target);
    let error = prepare_and_save(&ws, &file, LockMode::File).unwrap_err().to_string();
    let expected = format!("{} no longer matches {}", file.lock_path().display(), path.display());
    assert!(error.contains(&expected) && error.contains("--update"), "{error}");
    assert_eq!(snapshot(tmp.path(), &target), stale, "a refused build writes nothing beside the bundle file");

    prepare_and_save(&ws, &file, LockMode::Update).unwrap();
    let mut after = snapshot(tmp.path(), &target);
    let new_lock = String::from_utf8(after.remove(&file.lock_path()).unwrap()).unwrap();
    let mut expected = stale.clone();
    expected.remove(&file.lock_path());
    assert_eq!(after, expected, "only the lock changed (the bundle file, the member, everything else as it was)");
    assert_ne!(new_lock, lock);
    assert!(!member_entry(&new_lock).unwrap().contains("\"itoa\""), "{new_lock}");

    // The rewritten lock is current: the default mode accepts it and leaves it as it is.
    prepare_and_save(&ws, &file, LockMode::File).unwrap();
    assert_eq!(std::fs::read_to_string(file.lock_path()).unwrap(), new_lock);
    assert_eq!(git_status(&ws.root), repo_before, "nothing in the repository changed");
}
