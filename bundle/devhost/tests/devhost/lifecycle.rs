//! Stopping: SIGTERM then SIGKILL, SIGKILL straight away, and waiting for an exit.

use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use temps_bundle_devhost::{DevHostError, Generation};

use crate::support::{fake, spawn_fake};

#[tokio::test]
async fn stop_is_graceful_when_the_plugin_honours_sigterm() {
    let plugin = spawn_fake(fake(Generation::B)).await;
    let report = plugin.stop().await.unwrap();
    assert!(report.graceful);
    assert_eq!(report.status.code(), Some(0));
    assert!(report.stderr.contains("SIGTERM, bye"), "{}", report.stderr);
}

#[tokio::test]
async fn stop_escalates_to_sigkill() {
    let options = fake(Generation::B).arg("--fake-ignore-sigterm").stop_timeout(Duration::from_millis(300));
    let report = spawn_fake(options).await.stop().await.unwrap();
    assert!(!report.graceful);
    assert_eq!(report.status.signal(), Some(9));
    assert!(report.stderr.contains("ignoring SIGTERM"), "{}", report.stderr);
}

#[tokio::test]
async fn kill_is_immediate_and_wait_exit_times_out_on_a_live_plugin() {
    let mut plugin = spawn_fake(fake(Generation::A)).await;
    assert!(matches!(plugin.wait_exit(Duration::from_millis(50)).await, Err(DevHostError::ExitTimeout(_))));
    let report = plugin.kill().await.unwrap();
    assert!(!report.graceful);
    assert_eq!(report.status.signal(), Some(9));
}
