//! The cheap half of "two clean release builds give identical binaries" (the full one takes two release builds;
//! README "Lock and reproducibility" has its command and figures): one bundle file prepared from two checkout
//! paths into two target folders gives byte-identical generated crates and bills of materials, and every path package Cargo resolves lies
//! under the generated crate's own folder, so Cargo hashes it relative to that workspace root instead of by its
//! absolute location (an absolute path there changes every symbol name of the binary).

#![allow(clippy::unwrap_used, reason = "test")]

use std::path::{Path, PathBuf};

use temps_bundle_file::{BuildOptions, BundleFile, LockMode, Workspace, compile, sbom};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().canonicalize().unwrap()
}

/// The checkout as seen from `place` (a symlink: another path to the same files) with its own target folder.
fn checkout_at(place: &Path) -> Workspace {
    std::fs::create_dir_all(place).unwrap();
    let root = place.join("temps-bundle");
    std::os::unix::fs::symlink(repository(), &root).unwrap();
    Workspace { root, target: place.join("target") }
}

fn generated_files(dir: &Path) -> Vec<(String, String)> {
    ["Cargo.toml", "src/main.rs", "build.rs"]
        .iter()
        .map(|name| (name.to_string(), std::fs::read_to_string(dir.join(name)).unwrap()))
        .collect()
}

#[test]
fn two_checkout_paths_and_target_folders_give_the_same_generated_crate_bill_of_materials_and_package_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let mut generated = Vec::new();
    for place in ["first", "elsewhere/second"] {
        let ws = checkout_at(&tmp.path().join(place));
        let file = BundleFile::load(&ws.root.join("bundle/default.toml")).unwrap();
        let options = BuildOptions { release: true, lock: LockMode::Workspace };
        let prepared = compile::prepare(&ws, &file, options).unwrap();
        assert_eq!(prepared.dir, ws.generated_dir(&file));

        let link = std::fs::read_link(prepared.dir.join("checkout")).unwrap();
        assert_eq!(link, ws.root, "the link names this checkout");
        let path_packages: Vec<_> = prepared.metadata.packages.iter().filter(|p| p.source.is_none()).collect();
        assert!(path_packages.len() >= 6, "the SDK, its path dependencies and the 4 members: {path_packages:?}");
        for package in path_packages {
            assert!(
                package.manifest_path.starts_with(&prepared.dir),
                "{} is at {}, outside the generated crate's workspace root {}: Cargo would hash its absolute path",
                package.name,
                package.manifest_path.display(),
                prepared.dir.display()
            );
        }
        let mut files = generated_files(&prepared.dir);
        files.push(("bom.cdx.json".into(), serde_json::to_string_pretty(&sbom::cyclonedx(&file, &prepared)).unwrap()));
        generated.push(files);
    }
    let text = &generated[0];
    assert!(!text.iter().any(|(_, t)| t.contains(tmp.path().to_str().unwrap())), "no machine path: {text:?}");
    assert_eq!(generated[0], generated[1]);
}

#[test]
fn a_member_outside_the_checkout_keeps_real_paths_so_its_own_sdk_path_stays_the_one_sdk() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace { root: repository(), target: tmp.path().join("target") };
    let member = tmp.path().join("outside");
    std::fs::create_dir_all(member.join("src")).unwrap();
    let sdk = ws.root.join("bundle/sdk");
    std::fs::write(
        member.join("Cargo.toml"),
        format!(
            "[package]\nname = \"temps-plugin-outside\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n\
             temps-bundle-sdk = {{ path = {sdk:?} }}\n\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(member.join("src/lib.rs"), "").unwrap();
    let file = tmp.path().join("mixed.toml");
    std::fs::write(
        &file,
        format!(
            "[bundle]\nname = \"mixed\"\nversion = \"1.0.0\"\n\n[members.outside]\npath = \"outside\"\n\n\
             [members.hello]\npath = {:?}\n",
            ws.root.join("plugins/hello")
        ),
    )
    .unwrap();
    let file = BundleFile::load(&file).unwrap();
    let options = BuildOptions { release: false, lock: LockMode::Workspace };
    let prepared = compile::prepare(&ws, &file, options).unwrap();
    assert!(!prepared.dir.join("checkout").exists());
    let sdks: Vec<_> = prepared.metadata.packages.iter().filter(|p| p.name == "temps-bundle-sdk").collect();
    assert_eq!(sdks.len(), 1, "{sdks:?}");
    assert_eq!(sdks[0].manifest_path, sdk.join("Cargo.toml"));
}
