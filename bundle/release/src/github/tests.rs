//! The launcher folder: its files, its generated TypeScript, and a lockfile real Bun accepts frozen.

use super::*;
use crate::digest::sha256_hex;

/// The Bun the web workspace installs (`@oven/bun-linux-x64-baseline`), if `npm ci` ran in `web/`.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn bun() -> Option<PathBuf> {
    let bun = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/node_modules/@oven/bun-linux-x64-baseline/bin/bun");
    bun.is_file().then_some(bun)
}

fn spec<'a>(binaries: Vec<(&'static Platform, &'a Path)>) -> LauncherSpec<'a> {
    LauncherSpec {
        name: "acme-tools",
        version: "1.4.0-rc.1",
        binaries,
        env: vec![("TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS".into(), "1".into())],
    }
}

#[test]
fn writes_the_package_the_launcher_and_every_platform_binary() {
    let out = tempfile::tempdir().unwrap();
    let (x64, arm) = (out.path().join("x64"), out.path().join("arm"));
    std::fs::write(&x64, b"x64 binary").unwrap();
    std::fs::write(&arm, b"arm binary").unwrap();
    let platforms = vec![
        (Platform::find("linux-x64").unwrap(), x64.as_path()),
        (Platform::find("darwin-arm64").unwrap(), arm.as_path()),
    ];
    let folder = write_launcher(&spec(platforms), &out.path().join("acme-tools-1.4.0-rc.1-github")).unwrap();
    let root = &folder.folder;

    let package: Value = serde_json::from_str(&std::fs::read_to_string(root.join("package.json")).unwrap()).unwrap();
    assert_eq!(
        (&package["name"], &package["version"], &package["temps"]["name"]),
        (&json!("acme-tools"), &json!("1.4.0-rc.1"), &json!("acme-tools"))
    );
    assert!(package.get("dependencies").is_none() && package.get("devDependencies").is_none(), "{package}");
    assert_eq!(std::fs::read(root.join("bin/linux-x64/temps-bundle")).unwrap(), b"x64 binary");
    assert_eq!(std::fs::read(root.join("bin/darwin-arm64/temps-bundle")).unwrap(), b"arm binary");
    assert_eq!(std::fs::read_to_string(root.join("src/index.ts")).unwrap(), INDEX_TS);

    let bundle = std::fs::read_to_string(root.join("src/bundle.ts")).unwrap();
    assert!(
        bundle.contains(r#"import bin_linux_x64 from "../bin/linux-x64/temps-bundle" with { type: "file" };"#),
        "{bundle}"
    );
    let sha = sha256_hex(b"x64 binary");
    assert!(
        bundle.contains(&format!(
            r#"{{ dir: "linux-x64", os: "linux", cpu: "x64", libc: "glibc", path: bin_linux_x64, sha256: "{sha}" }}"#
        )),
        "{bundle}"
    );
    assert!(
        bundle.contains(r#"{ dir: "darwin-arm64", os: "darwin", cpu: "arm64", path: bin_darwin_arm64,"#),
        "{bundle}"
    );
    assert!(
        bundle.contains(r#"CHILD_ENV: Record<string, string> = {"TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS":"1"};"#),
        "{bundle}"
    );
    assert_eq!(folder.binaries, vec![("linux-x64", sha), ("darwin-arm64", sha256_hex(b"arm binary"))]);

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("/x/plugins/install/repository") && readme.contains("temps plugin install"), "{readme}");
    assert!(!readme.contains("{{"), "every placeholder is filled: {readme}");
}

// The web workspace installs Bun for linux x64 only.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn bun_accepts_the_committed_lockfile_frozen_and_leaves_it_unchanged() {
    let Some(bun) = bun() else {
        panic!("web/node_modules/@oven/bun-linux-x64-baseline is missing: run `npm ci` in web/ (cargo xtask ci does)");
    };
    let out = tempfile::tempdir().unwrap();
    let binary = out.path().join("binary");
    std::fs::write(&binary, b"binary").unwrap();
    let platforms: Vec<_> = ["linux-x64", "linux-arm64-musl", "darwin-x64"]
        .iter()
        .map(|p| (Platform::find(p).unwrap(), binary.as_path()))
        .collect();
    let folder = write_launcher(&spec(platforms), &out.path().join("launcher")).unwrap().folder;
    let before = std::fs::read_to_string(folder.join("bun.lock")).unwrap();
    let home = out.path().join("home");
    let output = std::process::Command::new(&bun)
        .args(["install", "--frozen-lockfile", "--ignore-scripts"])
        .current_dir(&folder)
        .env_clear()
        .env("HOME", &home)
        .env("BUN_INSTALL_CACHE_DIR", home.join("cache"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(folder.join("bun.lock")).unwrap(), before, "the lockfile is exactly Bun's");
}

#[test]
fn refuses_what_the_host_would_refuse() {
    let binary = Path::new("/nonexistent");
    let x64 = Platform::find("linux-x64").unwrap();
    let cases: Vec<(LauncherSpec<'_>, &str)> = vec![
        (LauncherSpec { version: "1.4", ..spec(vec![(x64, binary)]) }, "not SemVer"),
        (spec(vec![]), "at least one platform"),
        (spec(vec![(x64, binary), (x64, binary)]), "listed twice"),
        (LauncherSpec { env: vec![("BAD-NAME".into(), "1".into())], ..spec(vec![(x64, binary)]) }, "BAD-NAME"),
        (
            LauncherSpec { env: vec![(LAUNCHER_PID_VAR.into(), "1".into())], ..spec(vec![(x64, binary)]) },
            LAUNCHER_PID_VAR,
        ),
    ];
    for (spec, expected) in cases {
        let error = write_launcher(&spec, Path::new("/nonexistent/out")).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
}
