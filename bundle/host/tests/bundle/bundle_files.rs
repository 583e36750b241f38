//! `cargo xtask bundle --config` end to end: bundles made of members from outside this repository (a folder, a
//! local git repository and a local crates registry) next to an in-repo plugin, driven through the dev host; and
//! the refusals, each checked by its message. The crates are written into temp dirs; builds share the repository's
//! target folder (debug).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use temps_bundle_devhost::{Caller, Generation};

use crate::local_registry::{self, LocalRegistry};
use crate::support::{ok_json, spawn_with};

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Writes a member crate `temps-plugin-<package>` in `dir` registering `names` (none: a crate that registers
/// nothing), each answering `GET /where` with its name. `sdk` is its SDK dependency (an inline TOML table). With a
/// `web/package.json` already in `dir`, the members embed `web/dist` as their UI.
fn member_crate(dir: &Path, package: &str, names: &[&str], sdk: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let ui = if dir.join("web/package.json").is_file() {
        "  fn ui(&self) -> Option<&'static include_dir::Dir<'static>> { Some(&UI) }\n"
    } else {
        ""
    };
    let manifest = format!(
        "[package]\nname = \"temps-plugin-{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n\
         temps-bundle-sdk = {sdk}\naxum = {{ version = \"0.8\", default-features = false }}\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let mut lib = String::from("use temps_bundle_sdk::prelude::*;\n");
    if !ui.is_empty() {
        lib += "use temps_bundle_sdk::include_dir;\n\
                static UI: include_dir::Dir<'static> = include_dir::include_dir!(\"$CARGO_MANIFEST_DIR/web/dist\");\n";
    }
    for (index, name) in names.iter().enumerate() {
        lib += &format!(
            "#[derive(Default)] pub struct M{index};\n\
             impl Plugin for M{index} {{\n  type State = ();\n\
               fn manifest(&self) -> PluginManifest {{ ManifestBuilder::new({name:?}, \"0.2.0\").build() }}\n\
               async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {{ Ok(()) }}\n\
               fn router(&self, _ctx: &Context, _state: ()) -> Router {{\n\
                 Router::new().route(\"/where\", axum::routing::get(|| async {{ {name:?} }}))\n  }}\n{ui}}}\n\
             temps_bundle_sdk::register!(M{index});\n"
        );
    }
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
}

/// A local git repository standing for "temps-bundle on GitHub" (a package named `temps-bundle-sdk`, not the real
/// one): members depend on the SDK from its URL, and `[sdk] git` patches that URL to this checkout's SDK.
/// An outside member's npm project without dependencies: `npm run build` writes `dist/index.html` saying `marker`.
fn npm_ui(dir: &Path, marker: &str) {
    std::fs::create_dir_all(dir.join("web")).unwrap();
    let package =
        r#"{ "name": "outside-ui", "version": "0.1.0", "private": true, "scripts": { "build": "node build.mjs" } }"#;
    std::fs::write(dir.join("web/package.json"), package).unwrap();
    let script = format!(
        "import {{ mkdirSync, writeFileSync }} from 'node:fs';\nmkdirSync('dist', {{ recursive: true }});\n\
         writeFileSync('dist/index.html', '<!doctype html><title>outside</title><p>{marker}</p>');\n"
    );
    std::fs::write(dir.join("web/build.mjs"), script).unwrap();
}

fn sdk_git_repo(dir: &Path) -> String {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = "[package]\nname = \"temps-bundle-sdk\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[workspace]\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "//! Stands in for the published SDK; never compiled.\n").unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "sdk"]);
    format!("file://{}", dir.display())
}

/// This checkout's SDK as a path dependency.
fn sdk_by_path() -> String {
    format!("{{ path = {:?} }}", root().join("bundle/sdk"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.test", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `cargo xtask bundle --config <file> --debug`: (success, stderr).
fn xtask_bundle(file: &Path) -> (bool, String) {
    xtask_bundle_with(file, &[])
}

fn xtask_bundle_with(file: &Path, env: &[(&str, &str)]) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["run", "--quiet", "-p", "xtask", "--", "bundle", "--debug", "--config"])
        .arg(file)
        .current_dir(root())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// The artifact folders `target/bundle/<name>-*` (a refused build must leave none).
fn artifacts(name: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(target().join("bundle")) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!("{name}-")))
        .collect()
}

fn remove_artifacts(name: &str) {
    for artifact in artifacts(name) {
        let path = target().join("bundle").join(artifact);
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
}

#[tokio::test]
async fn members_from_a_folder_a_git_repository_a_registry_and_this_repository_answer_with_their_sources() {
    let tmp = tempfile::tempdir().unwrap();
    // The outside member has its own npm project: `cargo xtask bundle` builds it before compiling.
    npm_ui(&tmp.path().join("outside"), "built by the npm project of the outside member");
    member_crate(&tmp.path().join("outside"), "outside", &["outside"], &sdk_by_path());
    // The git member depends on the SDK by git, as an outside author's crate does; the bundle file's `[sdk] git`
    // says that URL is this checkout's SDK.
    let sdk_git = sdk_git_repo(&tmp.path().join("sdk-remote"));
    let repo = tmp.path().join("remote");
    member_crate(&repo, "gitmember", &["gitmember"], &format!("{{ git = {sdk_git:?} }}"));
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "member"]);
    let commit = git(&repo, &["rev-parse", "HEAD"]);
    let url = format!("file://{}", repo.display());
    // The registry member depends on the SDK from its registry, as a published crate does; `[sdk]` names that
    // registry's index too.
    let registry = LocalRegistry::new(&tmp.path().join("registry"));
    let sdk_from_registry = format!("{{ version = \"0.1\", registry-index = {:?} }}", registry.index_url);
    member_crate(
        &registry.source_dir("temps-plugin-published", "0.1.0"),
        "published",
        &["published"],
        &sdk_from_registry,
    );
    let crates_io = Some("https://github.com/rust-lang/crates.io-index");
    registry.publish(
        "temps-plugin-published",
        "0.1.0",
        &[
            LocalRegistry::dependency("temps-bundle-sdk", "^0.1", true, None),
            LocalRegistry::dependency("axum", "^0.8", false, crates_io),
        ],
    );
    let file = tmp.path().join("outside-test.toml");
    let hello = root().join("plugins/hello");
    let text = format!(
        "[bundle]\nname = \"outside-test\"\nversion = \"0.3.0\"\n\n[sdk]\ngit = [{sdk_git:?}, {index:?}]\n\n\
         [members.outside]\npath = \"outside\"\nrequest_timeout_ms = 5000\n\n\
         [members.gitmember]\ngit = {url:?}\nbranch = \"main\"\n\n[members.published]\nversion = \"0.1\"\n\
         registry = {registry_name:?}\n\n[members.hello]\npath = {hello:?}\n",
        index = registry.index_url,
        registry_name = local_registry::NAME,
    );
    std::fs::write(&file, &text).unwrap();

    let (ok, stderr) = xtask_bundle_with(&file, &[registry.env()]);
    assert!(ok, "the bundle was refused:\n{stderr}");
    assert!(tmp.path().join("outside-test.lock").is_file(), "the lock is written beside the bundle file");
    let found = artifacts("outside-test");
    assert_eq!(found.len(), 3, "folder, tarball, GitHub-source launcher folder: {found:?}");
    let folder = found
        .iter()
        .filter(|n| !n.ends_with("-github"))
        .map(|n| target().join("bundle").join(n))
        .find(|p| p.is_dir())
        .unwrap();
    let bom: Value = serde_json::from_str(&std::fs::read_to_string(folder.join("bom.cdx.json")).unwrap()).unwrap();
    assert_eq!(bom["bomFormat"], "CycloneDX");
    let names: Vec<&str> = bom["components"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    let packages = [
        "temps-plugin-outside",
        "temps-plugin-gitmember",
        "temps-plugin-published",
        "temps-plugin-hello",
        "temps-bundle-sdk",
        "axum",
    ];
    for package in packages {
        assert!(names.contains(&package), "{package} missing from the bill of materials");
    }
    remove_artifacts("outside-test");

    let binary = target().join("debug/temps-bundle-gen-outside-test");
    let plugin = spawn_with(temps_bundle_devhost::SpawnOptions::new(&binary, Generation::B)).await;
    let hello_line: Value = serde_json::from_str(plugin.first_line()).unwrap();
    let members = hello_line["manifest"]["bundle"]["members"].as_array().unwrap().clone();
    let source = |name: &str| members.iter().find(|m| m["name"] == name).map(|m| m["source"].clone()).unwrap();
    assert_eq!(source("outside"), serde_json::json!({ "kind": "path" }));
    assert_eq!(source("hello"), serde_json::json!({ "kind": "path" }));
    assert_eq!(source("gitmember"), serde_json::json!({ "kind": "git", "url": url, "commit": commit }));
    assert_eq!(source("published"), serde_json::json!({ "kind": "registry", "version": "0.1.0" }));
    for name in ["outside", "gitmember", "published"] {
        let response = plugin.get(&format!("/{name}/where"), &Caller::admin()).await.unwrap();
        assert_eq!(response.text(), name, "composite mode serves {name}");
    }
    let ui = plugin.get("/outside/ui/", &Caller::admin()).await.unwrap();
    assert!(ui.text().contains("built by the npm project of the outside member"), "{}", ui.text());
    let greeting = ok_json(&plugin.get("/hello/greeting?name=outside", &Caller::admin()).await.unwrap());
    assert_eq!(greeting["message"], "Hello, outside!");
    plugin.stop().await.unwrap();

    let list = Command::new(&binary).arg("list").output().unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.lines().next().unwrap().contains("SOURCE"), "{list}");
    assert!(list.contains(&format!("git {url}@{}", &commit[..12])), "{list}");

    for name in ["outside", "gitmember", "published"] {
        let options = temps_bundle_devhost::SpawnOptions::new(&binary, Generation::B).arg("--member").arg(name);
        let plugin = spawn_with(options).await;
        let alone: Value = serde_json::from_str(plugin.first_line()).unwrap();
        assert_eq!(alone["manifest"]["name"], name);
        let response = plugin.get("/where", &Caller::admin()).await.unwrap();
        assert_eq!(response.text(), name, "split mode serves {name}");
        plugin.stop().await.unwrap();
    }

    // The lock now pins the file's members: a changed file is refused until --update, before compiling.
    std::fs::write(&file, format!("{text}\n[members.notify]\npath = {:?}\n", root().join("plugins/notify"))).unwrap();
    let (ok, stderr) = xtask_bundle_with(&file, &[registry.env()]);
    assert!(!ok);
    assert!(stderr.contains("outside-test.lock no longer matches"), "{stderr}");
    assert!(stderr.contains("run again with --update"), "{stderr}");
    assert!(!stderr.contains("build the binary"), "refused before compiling: {stderr}");
    assert!(artifacts("outside-test").is_empty());
}

/// A bundle of hello and a member `stray` depending on another path copy of the SDK with `version`.
fn bundle_with_sdk_copy(tmp: &Path, version: &str) -> (PathBuf, PathBuf) {
    let copy = tmp.join("sdk-copy");
    std::fs::create_dir_all(copy.join("src")).unwrap();
    let manifest =
        format!("[package]\nname = \"temps-bundle-sdk\"\nversion = \"{version}\"\nedition = \"2024\"\n[workspace]\n");
    std::fs::write(copy.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(copy.join("src/lib.rs"), "//! Not the real SDK.\n").unwrap();
    std::fs::create_dir_all(tmp.join("stray/src")).unwrap();
    let stray = "[package]\nname = \"temps-plugin-stray\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\n\
                 temps-bundle-sdk = { path = \"../sdk-copy\" }\n\n[workspace]\n";
    std::fs::write(tmp.join("stray/Cargo.toml"), stray).unwrap();
    std::fs::write(tmp.join("stray/src/lib.rs"), "").unwrap();
    let file = tmp.join("sdk-copies.toml");
    let text = format!(
        "[bundle]\nname = \"sdk-copies\"\nversion = \"1.0.0\"\n\n[members.stray]\npath = \"stray\"\n\n\
         [members.hello]\npath = {:?}\n",
        root().join("plugins/hello")
    );
    std::fs::write(&file, text).unwrap();
    (file, copy.canonicalize().unwrap())
}

#[test]
fn a_second_sdk_copy_is_refused_before_compiling_naming_each_member() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, copy) = bundle_with_sdk_copy(tmp.path(), "0.1.1");
    let (ok, stderr) = xtask_bundle(&file);
    assert!(!ok, "accepted two SDKs:\n{stderr}");
    for needle in [
        "the members resolve to 2 copies of temps-bundle-sdk".to_owned(),
        format!("The bundle uses temps-bundle-sdk 0.1.0 (path {})", root().join("bundle/sdk").display()),
        format!(
            "member `stray` (temps-plugin-stray 0.1.0) wants temps-bundle-sdk 0.1.1 (path {}) — DIFFERENT",
            copy.display()
        ),
        "member `hello` (temps-plugin-hello 0.1.0) wants".to_owned(),
        "— same as the bundle".to_owned(),
    ] {
        assert!(stderr.contains(&needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("build the binary"), "refused before compiling:\n{stderr}");
    assert!(artifacts("sdk-copies").is_empty());

    // A copy with the very same version: Cargo refuses the collision itself, the message stays the bundle's.
    let tmp = tempfile::tempdir().unwrap();
    let (file, copy) = bundle_with_sdk_copy(tmp.path(), "0.1.0");
    let (ok, stderr) = xtask_bundle(&file);
    assert!(!ok, "accepted two SDKs:\n{stderr}");
    for needle in [
        "the members resolve to 2 copies of temps-bundle-sdk with the same version".to_owned(),
        format!("temps-bundle-sdk v0.1.0 ({})", copy.display()),
        format!("The bundle uses temps-bundle-sdk at {}", root().join("bundle/sdk").display()),
    ] {
        assert!(stderr.contains(&needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("build the binary"), "refused before compiling:\n{stderr}");
}

#[test]
fn crates_that_register_the_wrong_members_are_refused_after_the_build_with_nothing_assembled() {
    let tmp = tempfile::tempdir().unwrap();
    let sdk = sdk_by_path();
    member_crate(&tmp.path().join("renamed"), "renamed", &["declared-name"], &sdk);
    member_crate(&tmp.path().join("empty"), "empty", &[], &sdk);
    member_crate(&tmp.path().join("double"), "double", &["double", "double-extra"], &sdk);
    member_crate(&tmp.path().join("twin-a"), "twin-a", &["twin"], &sdk);
    member_crate(&tmp.path().join("twin-b"), "twin-b", &["twin"], &sdk);
    let file = tmp.path().join("wrong-members.toml");
    let tables: String = ["renamed", "empty", "double", "twin-a", "twin-b"]
        .iter()
        .map(|name| format!("[members.{name}]\npath = \"{name}\"\n\n"))
        .collect();
    std::fs::write(&file, format!("[bundle]\nname = \"wrong-members\"\nversion = \"1.0.0\"\n\n{tables}")).unwrap();

    let (ok, stderr) = xtask_bundle(&file);
    assert!(!ok, "accepted:\n{stderr}");
    for needle in [
        "the members do not match the bundle file",
        "member `renamed`: package temps-plugin-renamed declares the name `declared-name` in its manifest; the key must equal it (rename the table to [members.declared-name])",
        "member `empty`: package temps-plugin-empty registers no plugin",
        "member `double`: package temps-plugin-double registers several plugins (double, double-extra); a member crate registers exactly one",
        "two members are named `twin` (registered by temps-plugin-twin-a and temps-plugin-twin-b)",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert_eq!(stderr.matches("error:").count(), 1, "one message:\n{stderr}");
    assert!(artifacts("wrong-members").is_empty(), "nothing assembled");
    assert!(!tmp.path().join("wrong-members.lock").exists(), "no lock for a refused bundle");
}

#[test]
fn bad_bundle_files_are_refused_with_the_line_and_the_valid_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad-file.toml");
    let head = "[bundle]\nname = \"bad-file\"\nversion = \"1.0.0\"\n\n";
    for (body, needle) in [
        ("[members.ui]\npath = \"x\"\n", "bad-file.toml, line 5: [members.ui]: `ui` is reserved"),
        (
            "[members.a]\npath = \"x\"\ntimeout = 5\n",
            "bad-file.toml, line 7: unknown field `timeout`, expected one of `path`",
        ),
        ("[members.a]\npath = \"x\"\nmax_body_bytes = 0\n", "line 7: [members.a] max_body_bytes must be > 0"),
    ] {
        std::fs::write(&file, format!("{head}{body}")).unwrap();
        let (ok, stderr) = xtask_bundle(&file);
        assert!(!ok, "accepted {body}");
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(artifacts("bad-file").is_empty());
}

#[tokio::test]
async fn a_scaffolded_outside_member_passes_its_own_test_and_bundles_from_its_bundle_file() {
    let tmp = tempfile::tempdir().unwrap();
    let sdk_git = sdk_git_repo(&tmp.path().join("sdk-remote"));
    let out = tmp.path().join("greeter");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let xtask = |args: &[&str]| {
        let output = Command::new(&cargo)
            .args(["run", "--quiet", "-p", "xtask", "--"])
            .args(args)
            .current_dir(root())
            .output()
            .unwrap();
        (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (ok, stderr) = xtask(&["new", "greeter", "--out", out.to_str().unwrap(), "--sdk-git", &sdk_git]);
    assert!(ok, "{stderr}");
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("temps-bundle-sdk = {{ git = \"{sdk_git}\" }}")), "{manifest}");
    assert!(manifest.contains("[workspace]"), "a crate of its own: {manifest}");
    let (ok, stderr) = xtask(&["new", "other", "--out", out.to_str().unwrap()]);
    assert!(!ok && stderr.contains("is not empty"), "{stderr}");

    let (ok, stderr) = xtask_bundle(&out.join("greeter-bundle.toml"));
    assert!(ok, "the scaffold's bundle file was refused:\n{stderr}");
    assert!(out.join("greeter-bundle.lock").is_file());
    remove_artifacts("greeter-bundle");
    let binary = target().join("debug/temps-bundle-gen-greeter-bundle");
    let plugin = spawn_with(temps_bundle_devhost::SpawnOptions::new(&binary, Generation::B)).await;
    let status = ok_json(&plugin.get("/greeter/status", &Caller::admin()).await.unwrap());
    assert_eq!(status, serde_json::json!({ "member": "greeter", "ok": true }));
    plugin.stop().await.unwrap();

    // The author's own `cargo test`, with the SDK's git URL pointed at this checkout (as `[sdk] git` does for
    // bundles): the generated test runs the member through `temps_bundle_sdk::testing`.
    std::fs::create_dir_all(out.join(".cargo")).unwrap();
    let patch = format!("[patch.{sdk_git:?}]\ntemps-bundle-sdk = {}\n", sdk_by_path());
    std::fs::write(out.join(".cargo/config.toml"), patch).unwrap();
    // Seeded with this repository's lock so that the shared target folder already holds most dependencies.
    std::fs::copy(root().join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    let test = Command::new(&cargo)
        .args(["test", "--quiet"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", target())
        // The repository's profiles build dependencies without debug info: so does this build, and it finds most
        // of them already built by the bundle above.
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .output()
        .unwrap();
    let test_output = String::from_utf8_lossy(&test.stdout).into_owned() + &String::from_utf8_lossy(&test.stderr);
    assert!(test.status.success(), "the scaffold's test failed:\n{test_output}");
    assert!(test_output.contains("2 passed"), "{test_output}");
}
