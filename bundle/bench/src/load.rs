//! The load generator: a fixed number of concurrent HTTP/1.1 clients (hyper over a tokio `UnixStream`), each
//! sending requests back to back, bounded by a duration *and* a request count. Requests finished during the warm-up
//! are not counted; latency is measured per request from `send` to the last body byte.
//!
//! Two load shapes ([`Shape`]): keep-alive connections, and a new connection per request (what the Temps proxy
//! does: it dials the plugin's socket for every request). With a connection per request the latency includes the
//! connect and the HTTP/1.1 handshake, as it does for Temps.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;

use crate::counting::CountingStream;
use crate::profile::Profile;
use crate::stats::percentile;

/// One load phase against one socket.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub socket: PathBuf,
    /// Request paths, used round robin (each connection starts at a different one).
    pub paths: Vec<String>,
    /// Headers sent with every request (`Host` is added).
    pub headers: HeaderMap,
    /// The status every answer must have; anything else counts as an error.
    pub expect: StatusCode,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    /// Upper bound on measured requests, whatever the duration.
    pub max_requests: u64,
    pub shape: Shape,
}

/// How the clients use their connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Shape {
    /// Each client keeps one connection open and sends request after request on it.
    KeepAlive,
    /// Each request on a fresh connection, closed after the answer (the Temps proxy's way).
    ConnectionPerRequest,
}

impl Shape {
    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Shape::KeepAlive => "keep-alive",
            Shape::ConnectionPerRequest => "connection per request",
        }
    }
}

impl LoadSpec {
    /// A phase shaped by the run's profile (connections, warm-up, duration, request bound).
    pub fn new(socket: &Path, paths: Vec<String>, headers: HeaderMap, expect: StatusCode, profile: &Profile) -> Self {
        Self {
            socket: socket.to_owned(),
            paths,
            headers,
            expect,
            connections: profile.connections,
            warmup: profile.warmup,
            duration: profile.load,
            max_requests: profile.max_requests,
            shape: Shape::KeepAlive,
        }
    }

    /// The same phase with another load shape.
    pub fn shaped(self, shape: Shape) -> Self {
        Self { shape, ..self }
    }
}

/// What one load phase measured.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct LoadResult {
    /// Requests answered with the expected status after the warm-up.
    pub requests: u64,
    /// Wrong statuses, failed requests and failed connections (warm-up included).
    pub errors: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Bytes read from the socket per answer, headers included (warm-up included).
    pub wire_bytes_per_response: f64,
}

/// Runs one phase: `warmup` + `duration`, or until `max_requests` were measured.
pub async fn run(spec: &LoadSpec) -> LoadResult {
    let spec = Arc::new(spec.clone());
    let started = Instant::now();
    let shared = Arc::new(Shared {
        measure_from: started + spec.warmup,
        stop_at: started + spec.warmup + spec.duration,
        measured: AtomicU64::new(0),
        wire_bytes: Arc::new(AtomicU64::new(0)),
    });
    let tasks: Vec<_> = (0..spec.connections)
        .map(|index| tokio::spawn(connection_loop(Arc::clone(&spec), Arc::clone(&shared), index)))
        .collect();
    let mut latencies = Vec::new();
    let (mut errors, mut responses) = (0, 0);
    for task in tasks {
        match task.await {
            Ok(done) => {
                latencies.extend(done.latencies_ns);
                errors += done.errors;
                responses += done.responses;
            }
            Err(_) => errors += 1,
        }
    }
    // Ends at `stop_at`, or earlier when the request bound was reached.
    let seconds = Instant::now().min(shared.stop_at).saturating_duration_since(shared.measure_from).as_secs_f64();
    summarize(latencies, errors, responses, seconds, shared.wire_bytes.load(Ordering::Relaxed))
}

/// State shared by the connections of one phase.
struct Shared {
    measure_from: Instant,
    stop_at: Instant,
    measured: AtomicU64,
    wire_bytes: Arc<AtomicU64>,
}

/// What one connection did.
#[derive(Default)]
struct ConnectionTally {
    latencies_ns: Vec<u64>,
    errors: u64,
    responses: u64,
}

/// Sends requests until the phase ends: on one connection (opened again after a failure) or, with
/// [`Shape::ConnectionPerRequest`], each on a new one whose connect and handshake count in its latency.
async fn connection_loop(spec: Arc<LoadSpec>, shared: Arc<Shared>, index: usize) -> ConnectionTally {
    let mut tally = ConnectionTally::default();
    let mut next_path = index;
    let mut open: Option<Sender> = None;
    loop {
        if Instant::now() >= shared.stop_at || shared.measured.load(Ordering::Relaxed) >= spec.max_requests {
            return tally;
        }
        let path = &spec.paths[next_path % spec.paths.len()];
        next_path += 1;
        let mut sent = Instant::now();
        let mut sender = match open.take() {
            Some(sender) => sender,
            None => match connect(&spec.socket, &shared.wire_bytes).await {
                Some(sender) => sender,
                None => {
                    tally.errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        if spec.shape == Shape::KeepAlive {
            // A kept-alive connection's (re)connect is not part of any request's cost.
            sent = Instant::now();
        }
        match exchange(&mut sender, path, &spec.headers).await {
            Ok(status) => {
                tally.responses += 1;
                if status != spec.expect {
                    tally.errors += 1;
                } else if sent >= shared.measure_from {
                    tally.latencies_ns.push(nanos(sent.elapsed()));
                    shared.measured.fetch_add(1, Ordering::Relaxed);
                }
                if spec.shape == Shape::KeepAlive {
                    open = Some(sender);
                }
            }
            // The connection is dropped; the next request opens another.
            Err(_) => tally.errors += 1,
        }
    }
}

/// A new HTTP/1.1 connection over the socket, its bytes counted; `None` if connecting failed.
async fn connect(socket: &Path, wire_bytes: &Arc<AtomicU64>) -> Option<Sender> {
    let stream = CountingStream::new(UnixStream::connect(socket).await.ok()?, Arc::clone(wire_bytes));
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.ok()?;
    // Ends, closing the socket, once `sender` is dropped and the last answer was read.
    tokio::spawn(connection);
    Some(sender)
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// One request on an open connection; the whole body is read.
async fn exchange(sender: &mut Sender, path: &str, headers: &HeaderMap) -> Result<StatusCode, hyper::Error> {
    sender.ready().await?;
    let mut request = Request::new(Empty::new());
    *request.uri_mut() = http::Uri::try_from(path).unwrap_or_default();
    *request.headers_mut() = headers.clone();
    request.headers_mut().insert(http::header::HOST, http::HeaderValue::from_static("localhost"));
    let response = sender.send_request(request).await?;
    let status = response.status();
    response.into_body().collect().await?;
    Ok(status)
}

fn summarize(mut latencies: Vec<u64>, errors: u64, responses: u64, seconds: f64, wire_bytes: u64) -> LoadResult {
    latencies.sort_unstable();
    let requests = latencies.len() as u64;
    let micros = |ns: Option<u64>| ns.map_or(f64::NAN, |ns| ns as f64 / 1000.0);
    LoadResult {
        requests,
        errors,
        seconds,
        requests_per_second: if seconds > 0.0 { requests as f64 / seconds } else { f64::NAN },
        p50_us: micros(percentile(&latencies, 50.0)),
        p99_us: micros(percentile(&latencies, 99.0)),
        wire_bytes_per_response: if responses > 0 { wire_bytes as f64 / responses as f64 } else { f64::NAN },
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
