//! Isolation inside one process, over the real binary: a member at its request limits costs the others nothing,
//! and a member that blocks its runtime worker is named by the watchdog. The test members' limits are set in
//! `bundle/host/src/lib.rs` (`sleepy`: 4 s deadline, 32 concurrent requests, 64 KiB bodies).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use temps_bundle_devhost::{Caller, Generation, RunningPlugin, send_over};
use temps_bundle_protocol::headers;

use crate::support::{assert_problem, ok_json, spawn};

const SLEEPY_DEADLINE: Duration = Duration::from_millis(4_000);
const SLEEPY_CONCURRENCY: usize = 32;

/// Latencies of `n` requests to `path`, `parallel` at a time.
async fn latencies(plugin: &RunningPlugin, path: &str, n: usize, parallel: usize) -> Vec<Duration> {
    let admin = Caller::admin();
    let mut all = Vec::with_capacity(n);
    for _ in 0..n / parallel {
        let batch = (0..parallel).map(|_| async {
            let start = Instant::now();
            let response = plugin.get(path, &admin).await.unwrap();
            assert_eq!(response.status.as_u16(), 200, "{}", response.text());
            start.elapsed()
        });
        all.extend(futures_util::future::join_all(batch).await);
    }
    all
}

/// A signed admin `GET`, as the Temps proxy would forward it.
fn admin_get(path: &str, secret: &str) -> http::Request<Bytes> {
    http::Request::get(path)
        .header(headers::AUTH_SIGNATURE, secret)
        .header(headers::USER_ID, "1")
        .header(headers::USER_EMAIL, "admin@example.com")
        .header(headers::USER_ROLE, "admin")
        .body(Bytes::new())
        .unwrap()
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[(samples.len() * 99).div_ceil(100) - 1]
}

/// Rounds of boom's p99 per phase: a phase's figure is its best round, so one scheduling hiccup of a shared machine
/// does not decide the test, while a member that really slows the others slows every round.
const ROUNDS: usize = 3;

/// What the clients asking sleepy during a phase got back.
#[derive(Debug, Default)]
struct Asked {
    ok: usize,
    refused: usize,
    timed_out: usize,
    /// The slowest 503, timed per request (one request at a time per client, not a burst).
    slowest_refusal: Duration,
}

impl Asked {
    fn add(&mut self, other: &Asked) {
        self.ok += other.ok;
        self.refused += other.refused;
        self.timed_out += other.timed_out;
        self.slowest_refusal = self.slowest_refusal.max(other.slowest_refusal);
    }
}

/// One client asking sleepy for `path` again and again until `done`; after a 503 it waits `after_refusal` (a
/// polite client honouring `Retry-After`) or asks again at once (a busy one).
async fn ask_sleepy(plugin: &RunningPlugin, path: &str, after_refusal: Duration, done: &AtomicBool) -> Asked {
    let admin = Caller::admin();
    let mut asked = Asked::default();
    while !done.load(Ordering::Relaxed) {
        let start = Instant::now();
        let response = plugin.get(path, &admin).await.unwrap();
        let took = start.elapsed();
        match response.status.as_u16() {
            200 => asked.ok += 1,
            503 => {
                asked.refused += 1;
                asked.slowest_refusal = asked.slowest_refusal.max(took);
                tokio::time::sleep(after_refusal).await;
            }
            504 => {
                assert!(took >= SLEEPY_DEADLINE - Duration::from_millis(50), "504 before the deadline: {took:?}");
                asked.timed_out += 1;
            }
            other => panic!("sleepy answered {other} to {path}: {}", response.text()),
        }
    }
    asked
}

/// boom's p99 (best of [`ROUNDS`] rounds of 200 requests, 4 at a time) while `busy` clients keep asking sleepy
/// for `path` at once after every answer and `polite` ones wait a second after a 503.
async fn boom_p99_while_sleepy_is_asked(
    plugin: &RunningPlugin,
    path: &str,
    busy: usize,
    polite: usize,
) -> (Duration, Asked) {
    let done = AtomicBool::new(false);
    let measure = async {
        let mut best = Duration::MAX;
        for _ in 0..ROUNDS {
            best = best.min(p99(latencies(plugin, "/boom/ok", 200, 4).await));
        }
        done.store(true, Ordering::Relaxed);
        best
    };
    let askers = (0..busy + polite).map(|i| {
        let after_refusal = if i < busy { Duration::ZERO } else { Duration::from_secs(1) };
        ask_sleepy(plugin, path, after_refusal, &done)
    });
    let (p99, askers) = tokio::join!(measure, futures_util::future::join_all(askers));
    let mut asked = Asked::default();
    askers.iter().for_each(|a| asked.add(a));
    (p99, asked)
}

#[tokio::test]
async fn a_member_at_its_limits_answers_503_or_504_in_time_while_another_member_stays_fast() {
    let plugin = spawn(Generation::B).await;
    // The baseline carries the same client traffic as the loaded phase (4 clients asking sleepy back to back), to a
    // route sleepy answers: what is compared is sleepy at its limit, not the cost of the requests themselves, which
    // a saturated machine would otherwise charge to the isolation.
    let (before, asked) = boom_p99_while_sleepy_is_asked(&plugin, "/sleepy/ok", 4, 0).await;
    assert!(asked.ok > 0 && asked.refused + asked.timed_out == 0, "{asked:?}");

    // The flood runs on its own thread and runtime, so the time this test's client spends opening 1 000
    // connections is not counted against the member being measured.
    let socket = plugin.socket_path().to_owned();
    let secret = plugin.secret().to_owned();
    let answered = Arc::new(AtomicUsize::new(0));
    let counter = answered.clone();
    let flood = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(futures_util::future::join_all((0..1_000).map(|_| {
            let (socket, secret, counter) = (socket.clone(), secret.clone(), counter.clone());
            async move {
                let start = Instant::now();
                let stream = tokio::net::UnixStream::connect(&socket).await.unwrap();
                let request = admin_get("/sleepy/forever", &secret);
                let response = send_over(stream, request, Duration::from_secs(60)).await.unwrap();
                counter.fetch_add(1, Ordering::Relaxed);
                (response, start.elapsed())
            }
        })))
    });
    // Measured once the burst was answered (all sockets share one accept queue, so the burst itself delays
    // everyone): sleepy now holds its 32 requests until the deadline. While boom is measured, 32 polite clients
    // take every slot a deadline frees, so sleepy stays at its limit, and 4 busy ones keep being refused.
    while answered.load(Ordering::Relaxed) < 1_000 - SLEEPY_CONCURRENCY {
        assert!(!flood.is_finished(), "the flood ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (loaded, meanwhile) = boom_p99_while_sleepy_is_asked(&plugin, "/sleepy/forever", 4, SLEEPY_CONCURRENCY).await;
    assert!(
        meanwhile.refused > 0 && meanwhile.ok == 0,
        "sleepy stays at its limit while boom is measured: {meanwhile:?}"
    );
    // Not queued: a queued request would wait for a slot, and a slot frees only at a deadline.
    assert!(meanwhile.slowest_refusal < SLEEPY_DEADLINE, "a 503 is answered at once, not queued: {meanwhile:?}");

    let answers = flood.join().unwrap();
    let (mut overloaded, mut timed_out, mut slowest_503) = (0, 0, Duration::ZERO);
    for (response, took) in &answers {
        match response.status.as_u16() {
            503 => {
                overloaded += 1;
                assert_eq!(response.header("retry-after"), Some("1"));
                assert!(assert_problem(response, 503).contains("limit of 32 concurrent requests"));
                // Timed from before the connect, on one client thread opening 1 000 connections: on a loaded
                // machine that alone takes seconds, so the bound here is the 504's; "at once" is checked above.
                assert!(*took < SLEEPY_DEADLINE * 4, "a 503 long after the deadline: {took:?}");
                slowest_503 = slowest_503.max(*took);
            }
            504 => {
                timed_out += 1;
                assert!(assert_problem(response, 504).contains("4000 ms request deadline"));
                assert!(*took >= SLEEPY_DEADLINE - Duration::from_millis(50), "504 before the deadline: {took:?}");
                assert!(*took < SLEEPY_DEADLINE * 4, "504 long after the deadline: {took:?}");
            }
            other => panic!("sleepy answered {other}: {}", response.text()),
        }
    }
    assert!(
        timed_out >= SLEEPY_CONCURRENCY / 2 && overloaded >= 1_000 - 4 * SLEEPY_CONCURRENCY,
        "503: {overloaded}, 504: {timed_out}"
    );
    // Sleepy is idle again (what it held ended at its deadline): the baseline is measured a second time, so a
    // machine that got busier during the test does not count against the member.
    let (after, _) = boom_p99_while_sleepy_is_asked(&plugin, "/sleepy/ok", 4, 0).await;
    let unloaded = before.max(after);
    eprintln!(
        "boom /ok p99 (best of {ROUNDS} rounds): unloaded {before:?} before, {after:?} after; while sleepy was at its \
         limit {loaded:?}; flood: {overloaded}×503 (slowest {slowest_503:?}), {timed_out}×504; meanwhile {meanwhile:?}"
    );
    // 2× the unloaded p99, plus 50 ms: on two shared cores a p99 moves by tens of milliseconds between phases with
    // nothing changed, while a member that held the others up would cost them seconds (its 4 s deadline).
    assert!(loaded <= unloaded * 2 + Duration::from_millis(50), "p99 {loaded:?} vs unloaded {unloaded:?}");
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_member_limit_is_a_413_problem() {
    let plugin = spawn(Generation::B).await;
    let upload = |size: usize| {
        let mut request = http::Request::new(Bytes::from(vec![b'x'; size]));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = http::Uri::from_static("/sleepy/upload");
        request
    };
    let small = plugin.proxy(upload(1_000), &Caller::admin()).await.unwrap();
    assert_eq!(ok_json(&small)["bytes"], 1_000);
    let large = plugin.proxy(upload(65 * 1024), &Caller::admin()).await.unwrap();
    assert!(assert_problem(&large, 413).contains("at most 65536 bytes"));
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn a_member_that_blocks_its_worker_is_named_by_the_watchdog_and_counted() {
    let plugin = spawn(Generation::B).await;
    let response = plugin.get("/sleepy/spin", &Caller::admin()).await.unwrap();
    assert!(ok_json(&response)["spun_ms"].as_u64().unwrap() >= 2_000);
    let stalled = |stderr: &str| {
        stderr
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|line| line["fields"]["message"].as_str().is_some_and(|m| m.contains("runtime worker is stalled")))
            .collect::<Vec<_>>()
    };
    for _ in 0..40 {
        if !stalled(&plugin.stderr()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stderr = plugin.stderr();
    let stalls = stalled(&stderr);
    assert_eq!(stalls.len(), 1, "one log line per stall: {stderr}");
    let fields = &stalls[0]["fields"];
    assert_eq!(
        (fields["member"].as_str(), fields["kind"].as_str(), fields["name"].as_str()),
        (Some("sleepy"), Some("route"), Some("/spin"))
    );
    assert!(fields["stalled_ms"].as_u64().unwrap() >= 1_000, "{fields}");
    let metrics = plugin.get("/_bundle/metrics", &Caller::admin()).await.unwrap();
    assert!(metrics.text().contains(r#"temps_bundle_watchdog_stalls_total{member="sleepy"} 1"#), "{}", metrics.text());
    let view = ok_json(&plugin.get("/_bundle/metrics.json", &Caller::admin()).await.unwrap());
    let sleepy = view["members"].as_array().unwrap().iter().find(|m| m["member"] == "sleepy").unwrap().clone();
    assert_eq!(
        (sleepy["stalls_total"].as_u64(), sleepy["recent_stalls"][0]["name"].as_str()),
        (Some(1), Some("/spin"))
    );
    plugin.stop().await.unwrap();
}

#[tokio::test]
async fn the_manifest_shows_each_members_effective_limits() {
    let plugin = spawn(Generation::B).await;
    let members = plugin.manifest_json()["bundle"]["members"].as_array().unwrap().clone();
    let limits = |name: &str| members.iter().find(|m| m["name"] == name).unwrap()["limits"].clone();
    assert_eq!(
        limits("sleepy"),
        serde_json::json!({ "request_timeout_ms": 4000, "max_concurrent_requests": 32, "max_body_bytes": 65536, "event_timeout_ms": 30000, "event_backlog": 4000 })
    );
    assert_eq!(
        limits("hello"),
        serde_json::json!({ "request_timeout_ms": 30000, "max_concurrent_requests": 256, "max_body_bytes": 2097152, "event_timeout_ms": 30000, "event_backlog": 4000 })
    );
    plugin.stop().await.unwrap();
}
