//! Shutdown and process hygiene: graceful SIGTERM, on_shutdown hooks, the socket file, stdout discipline.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use temps_bundle_devhost::{Caller, Generation};

use crate::support::{binary, ok_json, spawn, wait_in_flight};

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_then_calls_on_shutdown_and_removes_the_socket() {
    let mut plugin = spawn(Generation::B).await;
    let pid = Pid::from_raw(plugin.pid().unwrap() as i32);
    let socket = plugin.socket_path().to_owned();
    let slow_dir = plugin.data_dir().join("slow");
    let admin = Caller::admin();
    let request = plugin.get("/slow/sleep?ms=700", &admin);
    let signal = async {
        wait_in_flight(&plugin, "slow").await;
        kill(pid, Signal::SIGTERM).unwrap();
    };
    let (response, ()) = tokio::join!(request, signal);
    assert_eq!(ok_json(&response.unwrap())["slept_ms"], 700, "the in-flight request finished");
    let status = plugin.wait_exit(Duration::from_secs(10)).await.unwrap();
    assert!(status.success(), "{status:?}: {}", plugin.stderr());
    assert_eq!(std::fs::read_to_string(slow_dir.join("shutdown.txt")).unwrap(), "clean");
    assert!(!socket.exists(), "the socket file is removed");
}

#[tokio::test]
async fn sigterm_does_not_wait_for_blocking_threads() {
    let mut plugin = spawn(Generation::B).await;
    // A blocking thread that outlives the grace period by far, like a DNS lookup against a dead server.
    ok_json(&plugin.get("/slow/block?ms=30000", &Caller::admin()).await.unwrap());
    let started = std::time::Instant::now();
    kill(Pid::from_raw(plugin.pid().unwrap() as i32), Signal::SIGTERM).unwrap();
    let status = plugin.wait_exit(Duration::from_secs(45)).await.unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{status:?}: {}", plugin.stderr());
    // The grace period is 1.5 s; a process that waited for the thread would take 30 s. The bound between them is
    // generous because a loaded machine stretches the shutdown itself, not the thread.
    assert!(took < Duration::from_secs(12), "SIGTERM took {took:?}");
}

#[test]
fn stdout_carries_only_handshake_lines_and_a_stale_socket_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("b.sock");
    // A socket file nobody listens on, as a killed process leaves behind.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    let data_dir = dir.path().join("plugin-data/temps-bundle");
    let mut child = Command::new(binary())
        .args(["--socket-path", socket.to_str().unwrap(), "--database-url", "sqlite::memory:"])
        .args(["--auth-secret", "0f8fad5b-d9cb-469f-a165-70867728950e", "--data-dir", data_dir.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    for _ in 0..2 {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        lines.push(line);
    }
    assert!(lines[0].starts_with(r#"{"type":"manifest""#), "{lines:?}");
    assert!(lines[1].starts_with(r#"{"type":"ready""#), "{lines:?}");
    assert!(std::os::unix::net::UnixStream::connect(&socket).is_ok(), "the stale socket was replaced by a live one");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "nothing after the handshake goes to stdout");
    assert!(child.wait().unwrap().success());
    assert!(data_dir.join("hello").is_dir(), "each member gets <data-dir>/<member>/");
}

/// Runs the binary (Gen A argv) on `socket` and returns its exit code and stderr; it must exit by itself.
fn run_until_exit(socket: &std::path::Path) -> (Option<i32>, String) {
    let data_dir = socket.with_extension("data");
    let mut child = Command::new(binary())
        .args(["--socket-path", socket.to_str().unwrap(), "--database-url", "sqlite::memory:"])
        .args(["--auth-secret", "0f8fad5b-d9cb-469f-a165-70867728950e", "--data-dir", data_dir.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_live_socket_or_a_file_at_the_socket_path_is_never_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sock");
    let listener = std::os::unix::net::UnixListener::bind(&live).unwrap();
    let (code, stderr) = run_until_exit(&live);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("refusing to take over socket path {}", live.display())), "{stderr}");
    assert!(stderr.contains("another process is listening on it"), "{stderr}");
    let _still_ours = std::os::unix::net::UnixStream::connect(&live).unwrap();
    assert!(listener.accept().is_ok(), "the other process's socket still works");

    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let (code, stderr) = run_until_exit(&file);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("{}: the path is not a socket", file.display())), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}
