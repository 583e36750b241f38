//! The socket server under hostile clients: idle connections beyond the cap, slowloris headers, bodies that never
//! arrive, idle keep-alive connections, and the descriptor limit.

use std::time::Duration;

use temps_bundle_devhost::{Caller, Generation, RunningPlugin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use crate::support::{ok_json, options, spawn_with};

/// How long a test waits for the bundle to close a connection it should close.
const CLOSE_BOUND: Duration = Duration::from_secs(5);

/// Opens `n` connections that send nothing.
pub async fn idle_connections(plugin: &RunningPlugin, n: usize) -> Vec<UnixStream> {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        streams.push(UnixStream::connect(plugin.socket_path()).await.unwrap());
    }
    streams
}

/// Whether the bundle closed `stream` within `bound` (EOF or reset), reading and discarding any answer.
pub async fn closed_within(stream: &mut UnixStream, bound: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let read_until_closed = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(bound, read_until_closed).await.is_ok()
}

/// How many descriptors the process `pid` has open.
pub fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

/// Raises this test process's own soft descriptor limit so it can open many connections.
pub fn raise_own_descriptor_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
}

#[tokio::test]
async fn the_soft_descriptor_limit_is_raised_to_the_hard_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    // The bundle inherits this process's limits; start it with the common 1024 soft limit.
    setrlimit(Resource::RLIMIT_NOFILE, 1024.min(hard), hard).unwrap();
    let plugin = spawn_with(options(Generation::B)).await;
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", plugin.pid().unwrap())).unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let numbers: Vec<&str> = line.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_digit())).collect();
    assert_eq!(numbers, [hard.to_string(), hard.to_string()], "{line}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn idle_connections_beyond_the_cap_make_room_for_new_ones() {
    raise_own_descriptor_limit();
    let plugin = spawn_with(options(Generation::B).env("TEMPS_BUNDLE_MAX_CONNECTIONS", "64")).await;
    let pid = plugin.pid().unwrap();
    let before = open_descriptors(pid);
    let mut idle = idle_connections(&plugin, 300).await;
    ok_json(&plugin.get("/health", &Caller::NoSecret).await.unwrap());
    ok_json(&plugin.get("/hello/greeting", &Caller::admin()).await.unwrap());
    let during = open_descriptors(pid);
    assert!(during <= before + 64 + 8, "at most the cap's worth of connections is held: {before} → {during}");
    // The oldest idle connections were closed to make room.
    assert!(closed_within(&mut idle[0], CLOSE_BOUND).await, "the oldest idle connection was closed");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn slowloris_headers_and_idle_keep_alive_connections_are_closed_after_the_header_timeout() {
    let plugin = spawn_with(options(Generation::B).env("TEMPS_BUNDLE_HEADER_TIMEOUT_MS", "300")).await;
    let mut slow = UnixStream::connect(plugin.socket_path()).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").await.unwrap();
    let mut silent = UnixStream::connect(plugin.socket_path()).await.unwrap();
    let mut kept_alive = UnixStream::connect(plugin.socket_path()).await.unwrap();
    kept_alive.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    kept_alive.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    for (name, stream) in [("partial headers", &mut slow), ("silent", &mut silent), ("kept alive", &mut kept_alive)] {
        assert!(closed_within(stream, CLOSE_BOUND).await, "the {name} connection is still open");
    }
    ok_json(&plugin.get("/health", &Caller::NoSecret).await.unwrap());
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_that_never_arrives_is_dropped_after_the_body_timeout() {
    let plugin = spawn_with(options(Generation::B).env("TEMPS_BUNDLE_BODY_TIMEOUT_MS", "300")).await;
    let mut stream = UnixStream::connect(plugin.socket_path()).await.unwrap();
    let head = format!(
        "PATCH /deploy-pulse/settings HTTP/1.1\r\nHost: localhost\r\nx-temps-auth-signature: {}\r\n\
         x-temps-user-id: 1\r\nx-temps-user-email: a@example.com\r\nx-temps-user-role: admin\r\n\
         content-type: application/json\r\ncontent-length: 1073741824\r\n\r\n{{\"backfill_on_start\":",
        plugin.secret()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(CLOSE_BOUND, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection waiting for a 1 GB body is still open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.starts_with("HTTP/1.1 2"), "a body that never arrived was accepted: {answer}");
    plugin.stop().await.unwrap();
}

/// Writes `head`, then one byte of `trickle` every 100 ms until the bundle closes the connection or `limit`
/// passes; returns whether the bundle closed it.
async fn trickle(plugin_socket: std::path::PathBuf, head: String, limit: Duration) -> bool {
    let Ok(mut stream) = UnixStream::connect(&plugin_socket).await else { return true };
    if stream.write_all(head.as_bytes()).await.is_err() {
        return true;
    }
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if stream.write_all(b"x").await.is_err() {
            return true;
        }
    }
    false
}

/// Load test: hundreds of idle, slowloris and slow-body clients at once (loopback Unix socket only, bounded in
/// count and time) while `/health` and a member route keep answering; the slow ones are cut off by the timeouts.
#[tokio::test]
async fn health_and_members_answer_under_idle_and_slow_clients() {
    raise_own_descriptor_limit();
    let plugin = spawn_with(
        options(Generation::B)
            .env("TEMPS_BUNDLE_HEADER_TIMEOUT_MS", "1500")
            .env("TEMPS_BUNDLE_BODY_TIMEOUT_MS", "1500")
            .request_timeout(Duration::from_secs(5)),
    )
    .await;
    let pid = plugin.pid().unwrap();
    let baseline = open_descriptors(pid);
    let _idle = idle_connections(&plugin, 400).await;
    let limit = Duration::from_secs(6);
    let socket = plugin.socket_path().to_owned();
    let slowloris = (0..200).map(|_| {
        tokio::spawn(trickle(socket.clone(), "GET /health HTTP/1.1\r\nHost: localhost\r\nX-A: ".into(), limit))
    });
    let body_head = format!(
        "PATCH /deploy-pulse/settings HTTP/1.1\r\nHost: localhost\r\nx-temps-auth-signature: {}\r\n\
         x-temps-user-id: 1\r\nx-temps-user-email: a@example.com\r\nx-temps-user-role: admin\r\n\
         content-type: application/json\r\ncontent-length: 1048576\r\n\r\n",
        plugin.secret()
    );
    let slow_bodies = (0..100).map(|_| tokio::spawn(trickle(socket.clone(), body_head.clone(), limit)));
    let slow: Vec<_> = slowloris.chain(slow_bodies).collect();
    for _ in 0..20 {
        ok_json(&plugin.get("/health", &Caller::NoSecret).await.unwrap());
        ok_json(&plugin.get("/hello/greeting", &Caller::admin()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut cut_off = 0;
    for client in slow {
        cut_off += usize::from(client.await.unwrap());
    }
    assert_eq!(cut_off, 300, "every slowloris and slow-body client was cut off before the test's 6 s limit");
    // The idle connections are closed by the same header timeout; the bundle is back to its own descriptors.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = open_descriptors(pid);
    assert!(after <= baseline + 8, "descriptors: {baseline} before, {after} after the slow clients");
    ok_json(&plugin.get("/hello/greeting", &Caller::admin()).await.unwrap());
    plugin.stop().await.unwrap();
}
