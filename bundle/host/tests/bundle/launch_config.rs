//! Bad Gen B launch configs: each one stops the plugin with exit status 1 and a clear message on stderr.

use temps_bundle_devhost::{DevHostError, Generation, LaunchConfigMode, RunningPlugin};

use crate::support::options;

const SECRET: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

fn line(version: u32, secret: &str, database_url: &str) -> String {
    format!(
        r#"{{"protocol_version":{version},"auth_secret":"{secret}","database_url":{database_url},"host_data_dir":null}}"#
    )
}

async fn check(mode: LaunchConfigMode, expected: &str) {
    let spawn = RunningPlugin::spawn(
        options(Generation::B).launch_config(mode.clone()).env("TEMPS_BUNDLE_LAUNCH_TIMEOUT_MS", "400"),
    );
    match spawn.await {
        Ok(plugin) => {
            let _ = plugin.kill().await;
            panic!("{mode:?} was accepted");
        }
        Err(DevHostError::Handshake { exit_status, stderr, .. }) => {
            assert_eq!(exit_status, Some(1), "{mode:?}: {stderr}");
            assert!(stderr.contains(expected), "{mode:?}: expected {expected:?} in stderr: {stderr}");
        }
        Err(other) => panic!("{mode:?}: unexpected error {other}"),
    }
}

#[tokio::test]
async fn each_bad_launch_config_exits_1_with_a_clear_message() {
    let oversize = format!("{}\n", "x".repeat(70 * 1024)).into_bytes();
    let cases = [
        (LaunchConfigMode::CloseWithoutLine, "stdin was closed before a launch config line arrived"),
        (LaunchConfigMode::Raw("{not json".into()), "not valid JSON"),
        (LaunchConfigMode::Raw(line(3, SECRET, "null")), "protocol_version is 3"),
        (LaunchConfigMode::Raw(line(2, "   ", "null")), "auth_secret is empty or blank"),
        (
            LaunchConfigMode::Raw(line(2, SECRET, r#""postgres://db/temps""#)),
            "database_url was given but the manifest does not set requires_db",
        ),
        (LaunchConfigMode::RawNoNewline(oversize), "longer than 65536 bytes"),
        (LaunchConfigMode::KeepOpenSilent, "no launch config on stdin within 400 ms"),
    ];
    for (mode, expected) in cases {
        check(mode, expected).await;
    }
}
