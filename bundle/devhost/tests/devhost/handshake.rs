//! Start-up: the exact argv and launch config, and failures that must name the step that failed.

use std::time::{Duration, Instant};

use temps_bundle_devhost::{DevHostError, Generation, HandshakeStep, LaunchConfigMode, RunningPlugin, SpawnOptions};

use crate::support::{READY_A, READY_B, eventually, fake, hello_line, script, spawn_error, spawn_fake};

/// One broken child: its script, the generation of the host, the step that must fail and a phrase of the message.
struct Broken {
    script: String,
    generation: Generation,
    step: HandshakeStep,
    phrase: &'static str,
    exit_status: Option<i32>,
}

fn broken(script: String, step: HandshakeStep, phrase: &'static str) -> Broken {
    Broken { script, generation: Generation::B, step, phrase, exit_status: None }
}

#[tokio::test]
async fn broken_children_name_the_failed_step() {
    let hello = hello_line("temps-bundle");
    let cases = [
        broken("echo 'INFO starting up'\nexec sleep 30".into(), HandshakeStep::WrongFirstLine, "not JSON"),
        broken(
            r#"echo '{"type":"manifest","name":"temps-bundle","version":"1","requires_db":false}'; exec sleep 30"#
                .into(),
            HandshakeStep::WrongFirstLine,
            "uses the legacy startup handshake",
        ),
        broken(r#"echo '{"type":"hello",'; exec sleep 30"#.into(), HandshakeStep::WrongFirstLine, "not JSON"),
        broken(
            format!("echo '{hello}'; read line; echo '{{\"type\":\"ready\",'; exec sleep 30"),
            HandshakeStep::ReadyLine,
            "expected {\"type\":\"ready\"",
        ),
        broken(
            format!("echo '{hello}'; read line; echo '{}'; exec sleep 30", READY_A),
            HandshakeStep::ReadyLine,
            "protocol_version",
        ),
        Broken {
            exit_status: Some(2),
            ..broken("echo 'no config here' >&2; exit 2".into(), HandshakeStep::FirstLine, "exited with status 2")
        },
        Broken {
            generation: Generation::A,
            ..broken(format!("echo '{hello}'; exec sleep 30"), HandshakeStep::WrongFirstLine, "Gen B `hello` line")
        },
        // Handshake done but nothing listens on the socket: Temps kills a Gen B plugin without a channel.
        broken(
            format!("echo '{hello}'; read line; echo '{READY_B}'; exec sleep 30"),
            HandshakeStep::Channel,
            "cannot connect",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, case) in cases.iter().enumerate() {
        let program = script(dir.path(), &format!("case-{i}"), &case.script);
        let error = spawn_error(SpawnOptions::new(program, case.generation)).await;
        let DevHostError::Handshake { step, exit_status, .. } = &error else { panic!("case {i}: {error}") };
        assert_eq!(*step, case.step, "case {i}: {error}");
        assert!(error.to_string().contains(case.phrase), "case {i}: {error}");
        assert_eq!(*exit_status, case.exit_status, "case {i}: {error}");
    }
}

#[tokio::test]
async fn a_child_exiting_before_ready_is_reported_promptly_with_its_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        format!("echo '{}'; read line; echo 'boom: cannot open the store' >&2; exit 3", hello_line("temps-bundle"));
    let options =
        SpawnOptions::new(script(dir.path(), "dies", &body), Generation::B).handshake_timeout(Duration::from_secs(60));
    let started = Instant::now();
    let error = spawn_error(options).await;
    // Far below the 60 s handshake timeout: the exit itself ended the wait.
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    let DevHostError::Handshake { step, exit_status, stderr, detail } = &error else { panic!("{error}") };
    assert_eq!((*step, *exit_status), (HandshakeStep::ReadyLine, Some(3)), "{error}");
    assert!(detail.contains("exited with status 3 before sending its ready line"), "{detail}");
    assert_eq!(stderr, "boom: cannot open the store\n");
}

#[tokio::test]
async fn a_silent_child_times_out_at_the_ready_line() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("echo '{}'; read line; exec sleep 30", hello_line("temps-bundle"));
    let options = SpawnOptions::new(script(dir.path(), "silent", &body), Generation::B)
        .handshake_timeout(Duration::from_millis(300));
    let error = spawn_error(options).await;
    assert_eq!(error.handshake_step(), Some(HandshakeStep::ReadyLine), "{error}");
    assert!(error.to_string().contains("timed out after 300ms waiting for its ready line"), "{error}");
}

#[tokio::test]
async fn missing_program_fails_at_spawn() {
    let error = spawn_error(SpawnOptions::new("/nonexistent/temps-bundle", Generation::B)).await;
    assert_eq!(error.handshake_step(), Some(HandshakeStep::Spawn), "{error}");
}

/// A script that reports its argv and stdin line on stderr, then completes the handshake without a socket.
fn reporting_script(dir: &std::path::Path, generation: Generation) -> std::path::PathBuf {
    let body = match generation {
        Generation::B => format!(
            "echo \"argv: $*\" >&2; echo '{}'; IFS= read -r line; echo \"stdin: $line\" >&2; echo \"FOO=$FOO\" >&2; echo '{READY_B}'; exec sleep 30",
            hello_line("temps-bundle")
        ),
        Generation::A => format!(
            "echo \"argv: $*\" >&2; echo '{{\"type\":\"manifest\",\"name\":\"temps-bundle\",\"version\":\"1\",\"requires_db\":false}}'; echo '{READY_A}'; exec sleep 30"
        ),
    };
    script(dir, &format!("report-{generation:?}"), &body)
}

#[tokio::test]
async fn gen_b_argv_and_launch_config_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let options = SpawnOptions::new(reporting_script(dir.path(), Generation::B), Generation::B)
        .connect_channel(false)
        .arg("--brand-new-flag")
        .clear_env(true)
        .env("FOO", "bar");
    let plugin = RunningPlugin::spawn(options).await.unwrap();
    eventually("the report on stderr", || async { plugin.stderr().contains("FOO=") }).await;
    let argv = format!(
        "argv: --socket-path {} --data-dir {} --brand-new-flag",
        plugin.socket_path().display(),
        plugin.data_dir().display()
    );
    let stdin = format!(
        r#"stdin: {{"protocol_version":2,"auth_secret":"{}","database_url":null,"host_data_dir":null}}"#,
        plugin.secret()
    );
    assert_eq!(plugin.stderr(), format!("{argv}\n{stdin}\nFOO=bar\n"));
    assert!(uuid::Uuid::parse_str(plugin.secret()).is_ok());
    assert!(plugin.data_dir().ends_with("plugin-data/temps-bundle"));
    assert!(plugin.socket_path().as_os_str().len() < 108);
    assert_eq!(plugin.ready_line(), READY_B);
    assert!(!plugin.channel_connected());
}

#[tokio::test]
async fn gen_a_argv_is_exact_and_a_missing_channel_is_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = RunningPlugin::spawn(SpawnOptions::new(reporting_script(dir.path(), Generation::A), Generation::A))
        .await
        .unwrap();
    eventually("the argv on stderr", || async { plugin.stderr().contains("argv") }).await;
    let argv = format!(
        "argv: --socket-path {} --database-url {} --auth-secret {} --data-dir {}\n",
        plugin.socket_path().display(),
        plugin.database_url(),
        plugin.secret(),
        plugin.data_dir().display()
    );
    assert_eq!(plugin.stderr(), argv);
    assert!(!plugin.channel_connected());
}

#[tokio::test]
async fn launch_config_modes_reach_the_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "echo '{}'; IFS= read -r -t 1 line; echo \"read rc=$? line=$line\" >&2; exit 1",
        hello_line("temps-bundle")
    );
    let program = script(dir.path(), "modes", &body);
    let check = async |mode: LaunchConfigMode, want: &str| {
        let error = spawn_error(SpawnOptions::new(&program, Generation::B).launch_config(mode.clone())).await;
        let DevHostError::Handshake { step, exit_status, stderr, .. } = &error else { panic!("{error}") };
        assert_eq!((*step, *exit_status), (HandshakeStep::ReadyLine, Some(1)), "{mode:?}: {error}");
        assert_eq!(stderr.trim_end(), want, "{mode:?}");
    };
    check(LaunchConfigMode::Raw("not json".into()), "read rc=0 line=not json").await;
    check(LaunchConfigMode::RawNoNewline(b"{}".to_vec()), "read rc=1 line={}").await;
    check(LaunchConfigMode::CloseWithoutLine, "read rc=1 line=").await;
    // Still open after a second: `read -t` timed out (status > 128) instead of seeing EOF.
    check(LaunchConfigMode::KeepOpenSilent, "read rc=142 line=").await;
}

#[tokio::test]
async fn the_fake_plugin_rejects_a_bad_launch_config() {
    let error = spawn_error(fake(Generation::B).launch_config(LaunchConfigMode::Raw("not json".into()))).await;
    let DevHostError::Handshake { step, exit_status, stderr, .. } = &error else { panic!("{error}") };
    assert_eq!((*step, *exit_status), (HandshakeStep::ReadyLine, Some(1)), "{error}");
    assert!(stderr.contains("launch config: invalid JSON"), "{stderr}");
}

#[tokio::test]
async fn installed_identity_is_checked_when_asked() {
    let error = spawn_error(fake(Generation::B).installed_version("9.9.9")).await;
    assert_eq!(error.handshake_step(), Some(HandshakeStep::Identity), "{error}");
    let plugin = spawn_fake(fake(Generation::B).installed_version("0.1.0")).await;
    assert_eq!(plugin.manifest().version, "0.1.0");
}

#[tokio::test]
async fn well_behaved_plugins_complete_the_handshake() {
    for generation in [Generation::A, Generation::B] {
        let plugin = spawn_fake(fake(generation).clear_env(true)).await;
        assert_eq!(plugin.generation(), generation);
        assert_eq!(plugin.manifest().name, "fake");
        assert!(plugin.channel_connected(), "{generation:?}");
        assert_eq!(plugin.socket_mode().unwrap(), 0o600);
        let first = if generation == Generation::B { r#""type":"hello""# } else { r#""type":"manifest""# };
        assert!(plugin.first_line().contains(first), "{}", plugin.first_line());
        let health = plugin.send(crate::support::request("GET", "/health", "")).await.unwrap();
        assert_eq!((health.status.as_u16(), health.text().as_str()), (200, "ok"));
    }
}
