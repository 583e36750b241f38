//! The GitHub-source launcher, end to end: the folder `cargo xtask bundle` writes (`temps-bundle-release`) for this
//! test binary, built by the dev host with real Bun exactly as the newest Temps host builds it, run through
//! `/proc/self/fd/N` with an empty environment, in Gen B. The bundle under it must pass the bare binary's checks,
//! die with the launcher, shut down gracefully on SIGTERM, and fail fast with one stderr line.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use temps_bundle_devhost::{
    Caller, DevHostError, GithubBuild, GithubInstall, HandshakeStep, InstallSource, PluginEvent, RunningPlugin,
    SpawnOptions, install_github,
};
use temps_bundle_release::{LauncherSpec, Platform, write_launcher};

use crate::notify::{Receiver, create_target, deliveries, deployment_event, fast_retries};
use crate::support::{assert_problem, binary, event_ids, eventually, ok_json, spawn_with, wait_in_flight};

/// The Bun the web workspace installs: the build for the linux x64 host's target, `bun-linux-x64-baseline`.
fn bun() -> PathBuf {
    let bun = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/node_modules/@oven/bun-linux-x64-baseline/bin/bun");
    assert!(bun.is_file(), "{} is missing: run `npm ci` in web/ (cargo xtask ci does)", bun.display());
    bun
}

/// The name and version the test binary reports (what package.json must say).
fn identity() -> (String, String) {
    let output = std::process::Command::new(binary()).arg("manifest").output().unwrap();
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    (manifest["name"].as_str().unwrap().to_owned(), manifest["version"].as_str().unwrap().to_owned())
}

/// A launcher folder for `binaries`, built by the dev host; the folder and the build live in `dir`.
async fn build(dir: &Path, binaries: Vec<(&'static Platform, &Path)>, env: &[(&str, &str)]) -> GithubBuild {
    let (name, version) = identity();
    let spec = LauncherSpec {
        name: &name,
        version: &version,
        binaries,
        env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    };
    let folder = write_launcher(&spec, &dir.join("github")).unwrap().folder;
    match install_github(&folder, &GithubInstall::new(bun(), dir.join("build"))).await {
        Ok(build) => build,
        Err(error) => panic!("{error}"),
    }
}

/// The launcher of this test binary for linux x64.
async fn build_launcher(dir: &Path, env: &[(&str, &str)]) -> GithubBuild {
    build(dir, vec![(Platform::find("linux-x64").unwrap(), &binary())], env).await
}

/// The direct children of `pid` (from `/proc/*/stat`).
fn children_of(pid: u32) -> Vec<i32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid …`; comm may contain spaces, so split after the last `)`.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(pid) {
            children.push(entry.file_name().to_string_lossy().parse().unwrap());
        }
    }
    children
}

/// The one child of the launcher: the bundle.
fn bundle_pid(plugin: &RunningPlugin) -> i32 {
    let children = children_of(plugin.pid().unwrap());
    assert_eq!(children.len(), 1, "the launcher runs exactly one child: {children:?}");
    children[0]
}

/// Gone, or a zombie nobody reaped yet (it holds no socket and no files either way).
fn is_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[tokio::test]
async fn the_built_launcher_passes_the_bare_binary_checks_in_gen_b() {
    let dir = tempfile::tempdir().unwrap();
    let build = build_launcher(dir.path(), &[]).await;
    assert_eq!(build.target, "bun-linux-x64-baseline");
    assert_eq!(std::fs::metadata(&build.plugin).unwrap().permissions().mode() & 0o777, 0o500);
    let plugin = spawn_with(build.spawn_options()).await;

    // Handshake: the hello matched package.json (checked by the dev host before the launch config), ready, channel.
    assert!(plugin.first_line().starts_with(r#"{"type":"hello""#), "{}", plugin.first_line());
    assert_eq!((plugin.manifest().name.clone(), plugin.manifest().version.clone()), identity());
    assert!(plugin.ready().ready && plugin.channel_connected());
    assert!(matches!(plugin.install_source(), InstallSource::Github(_)));
    assert_eq!(std::fs::metadata(plugin.socket_path()).unwrap().permissions().mode() & 0o777, 0o600);
    // The bundle runs from the data dir, as the launcher's only child, with the launcher's environment only.
    let child = bundle_pid(&plugin);
    let exe = std::fs::read_link(format!("/proc/{child}/exe")).unwrap();
    let extracted = plugin.data_dir().join(".bin");
    assert_eq!(exe.parent(), Some(extracted.as_path()), "{}", exe.display());
    assert_eq!(std::fs::metadata(&exe).unwrap().permissions().mode() & 0o777, 0o500);
    let environ = std::fs::read(format!("/proc/{child}/environ")).unwrap();
    let environ: Vec<String> =
        environ.split(|b| *b == 0).filter(|v| !v.is_empty()).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    assert_eq!(environ, vec![format!("TEMPS_BUNDLE_LAUNCHER_PID={}", plugin.pid().unwrap())]);

    // Routing and auth.
    let greeting = ok_json(&plugin.get("/hello/greeting?name=Ada", &Caller::admin()).await.unwrap());
    assert_eq!(greeting["message"], "Hello, Ada!");
    let refused = plugin.get("/hello/greeting", &Caller::WrongSecret).await.unwrap();
    assert!(assert_problem(&refused, 401).contains("wrong"));
    assert_problem(&plugin.get("/hello/greeting", &Caller::Anonymous).await.unwrap(), 401);
    // Channel calls reach the host.
    let projects = ok_json(&plugin.get("/tally/projects", &Caller::admin()).await.unwrap());
    assert_eq!(projects["ok"].as_array().map(Vec::len), Some(plugin.fixtures().projects.len()), "{projects}");
    // Events reach the subscribed member.
    let data = json!({ "deployment_id": 7, "project_id": 1, "environment_id": 1 });
    let event = temps_bundle_devhost::new_event("deployment.succeeded", data.as_object().unwrap().clone());
    assert!(plugin.fire_event(event.clone()).await.unwrap().delivered());
    eventually(&plugin, "/hello/events", |b| event_ids(b).contains(&event.id)).await;
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn sigkill_to_the_launcher_kills_the_bundle_and_a_restart_delivers_what_was_pending() {
    let (receiver, addr) = Receiver::start().await;
    receiver.hang.store(true, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    // The host starts the launcher with an empty environment: the loopback receiver is allowed through the
    // launcher's own environment for the bundle (`--launcher-env`), the only one it passes on.
    let build = build_launcher(dir.path(), &[("TEMPS_BUNDLE_ALLOW_PRIVATE_TARGETS", "1")]).await;
    let work = dir.path().join("temps");
    let socket = dir.path().join("p.sock");
    let options = || build.spawn_options().work_dir(&work).socket_path(&socket);
    let plugin = spawn_with(options()).await;
    fast_retries(&plugin).await;
    create_target(&plugin, json!({ "name": "slow", "url": format!("http://{addr}/hook"), "format": "json" })).await;
    let events: Vec<PluginEvent> = (40..42).map(|n| deployment_event("deployment.failed", n)).collect();
    for event in &events {
        plugin.fire_event(event.clone()).await.unwrap();
    }
    eventually(&plugin, "/notify/deliveries", |b| deliveries(b).len() == 2).await;
    while receiver.calls.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let child = bundle_pid(&plugin);
    let killed = Instant::now();
    plugin.kill().await.unwrap();
    while !is_gone(child) {
        // PR_SET_PDEATHSIG kills it at once; the bound only has to tell "dies with it" from "lives on", and a loaded
        // machine may take a while to schedule the kill.
        assert!(killed.elapsed() < Duration::from_secs(10), "the bundle (pid {child}) outlived the launcher by 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    receiver.hang.store(false, Ordering::SeqCst);
    let restarted = spawn_with(options()).await;
    assert_eq!(restarted.socket_path(), socket);
    let accepted = receiver.wait_accepted(2).await;
    let delivered: BTreeSet<String> = accepted
        .iter()
        .map(|(_, body)| serde_json::from_slice::<Value>(body).unwrap()["event"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        delivered,
        events.iter().map(|e| e.id.clone()).collect(),
        "pending deliveries were sent after the restart"
    );
    ok_json(&restarted.get("/hello/greeting", &Caller::admin()).await.unwrap());
    restarted.stop().await.unwrap();
}

#[tokio::test]
async fn sigterm_to_the_launcher_is_the_bundles_graceful_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let build = build_launcher(dir.path(), &[]).await;
    let mut plugin = spawn_with(build.spawn_options()).await;
    let child = bundle_pid(&plugin);
    let socket = plugin.socket_path().to_owned();
    let admin = Caller::admin();
    let request = plugin.get("/slow/sleep?ms=700", &admin);
    let signal = async {
        wait_in_flight(&plugin, "slow").await;
        kill(Pid::from_raw(plugin.pid().unwrap() as i32), Signal::SIGTERM).unwrap();
    };
    let (response, ()) = tokio::join!(request, signal);
    assert_eq!(ok_json(&response.unwrap())["slept_ms"], 700, "the in-flight request finished");
    let status = plugin.wait_exit(Duration::from_secs(10)).await.unwrap();
    assert!(status.success(), "the launcher exits with the bundle's status: {status:?}\n{}", plugin.stderr());
    assert_eq!(std::fs::read_to_string(plugin.data_dir().join("slow/shutdown.txt")).unwrap(), "clean");
    assert!(!socket.exists(), "the socket file is removed");
    assert!(is_gone(child));
}

/// Spawns expecting the launcher to give up before the hello: one stderr line containing `needle`, status ≠ 0.
async fn assert_fails_fast(options: SpawnOptions, needle: &str) {
    let started = Instant::now();
    let error = match RunningPlugin::spawn(options.handshake_timeout(Duration::from_secs(20))).await {
        Ok(_) => panic!("the plugin started"),
        Err(error) => error,
    };
    let DevHostError::Handshake { step, exit_status, stderr, .. } = &error else { panic!("{error}") };
    assert_eq!(*step, HandshakeStep::FirstLine, "{error}");
    assert!(exit_status.is_some_and(|code| code != 0), "a non-zero exit, not a timeout: {error}");
    assert_eq!(stderr.lines().count(), 1, "exactly one stderr line: {stderr:?}");
    assert!(stderr.contains(needle), "{stderr:?} should mention {needle:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "no hang: {:?}", started.elapsed());
}

#[tokio::test]
async fn failures_are_one_stderr_line_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();

    // No binary for this platform.
    let elsewhere = dir.path().join("darwin-binary");
    std::fs::write(&elsewhere, b"not for this machine").unwrap();
    let foreign =
        build(&dir.path().join("foreign"), vec![(Platform::find("darwin-arm64").unwrap(), &elsewhere)], &[]).await;
    assert_fails_fast(foreign.spawn_options(), "no bundle binary for linux-x64-glibc (it has: darwin-arm64)").await;

    // A corrupted extracted binary: one byte flipped in `.bin/<sha256>` after a successful start.
    let build = build_launcher(&dir.path().join("ok"), &[]).await;
    let work = dir.path().join("temps");
    let plugin = spawn_with(build.spawn_options().work_dir(&work)).await;
    let extracted = std::fs::read_dir(plugin.data_dir().join(".bin")).unwrap().next().unwrap().unwrap().path();
    plugin.stop().await.unwrap();
    let mut bytes = std::fs::read(&extracted).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::set_permissions(&extracted, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(&extracted, bytes).unwrap();
    assert_fails_fast(build.spawn_options().work_dir(&work), "is corrupted").await;

    // A data dir nobody may write to.
    let locked_work = dir.path().join("locked");
    let data_dir = locked_work.join("plugin-data").join(&build.name);
    std::fs::create_dir_all(&data_dir).unwrap();
    let _lock = ReadOnly::new(&data_dir);
    assert_fails_fast(build.spawn_options().work_dir(&locked_work), "cannot create").await;
}

/// A directory made unwritable even for root (the immutable attribute), restored on drop.
struct ReadOnly(PathBuf);

/// Whether we run as root (a file we just created is ours).
fn is_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).unwrap().uid() == 0
}

impl ReadOnly {
    fn new(dir: &Path) -> Self {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if is_root(dir) {
            let status = std::process::Command::new("chattr").arg("+i").arg(dir).status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "as root, a read-only dir needs `chattr +i` (CAP_LINUX_IMMUTABLE)"
            );
        }
        Self(dir.to_owned())
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if is_root(&self.0) {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
        }
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}
