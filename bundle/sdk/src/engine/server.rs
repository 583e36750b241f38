//! The HTTP server on the plugin socket: an accept loop over hyper's HTTP/1 connections, a header timeout that
//! also closes idle keep-alive connections (one sweep per tick, `idle`), a request-body deadline, and a
//! connection cap. Runs until
//! `shutdown` resolves, then drains; the process shell (`serve::run`) owns everything else, so tests can run
//! [`serve`] in-process on any listener with any service.

pub(crate) mod accept_log;
pub(crate) mod body;
pub(crate) mod connections;
pub(crate) mod idle;
pub(crate) mod io;
pub(crate) mod limits;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::{Body as _, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::{UnixListener, UnixStream};

use body::{BusyBody, DeadlineBody};
use connections::{Admitted, Busy, Connection, Connections, Order, Refused};
use io::Progressing;
pub(crate) use limits::ServerLimits;

/// How long the accept loop pauses after a failed `accept` (typically EMFILE) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `service` on `listener` within `limits` until `shutdown` resolves, then waits for in-flight requests
/// (the caller bounds that wait: see `serve::run`).
pub(crate) async fn serve<S>(
    listener: UnixListener,
    service: S,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + Unpin + 'static,
    S::Future: Send + Unpin + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    // The header timeout is the sweep's (`idle`), not a timer per request head.
    http.header_read_timeout(None);
    let http = Arc::new(http);
    let connections = Arc::new(Connections::default());
    let sweeper = tokio::spawn(sweep(connections.clone(), limits.header_timeout));
    let mut warned_full = false;
    let mut accept_warnings = accept_log::AcceptWarnings::new(accept_log::ACCEPT_WARNING_INTERVAL);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    accept_warnings.warn(&error);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        match connections.admit(limits.max_connections) {
            Ok(admitted) => {
                warned_full = false;
                tokio::spawn(serve_connection(http.clone(), stream, service.clone(), limits.body_timeout, admitted));
            }
            // Dropping the stream closes it: the client sees the connection end before any answer.
            Err(Refused::Full) if !warned_full => {
                warned_full = true;
                tracing::warn!(cap = limits.max_connections, "every connection is busy; closing new ones");
            }
            Err(_) => {}
        }
    }
    connections.stop();
    drop(listener);
    connections.drained().await;
    sweeper.abort();
}

/// Closes connections idle for longer than `header_timeout`, once per sweep period, for the server's life.
async fn sweep(connections: Arc<Connections>, header_timeout: Duration) {
    let mut ticks = tokio::time::interval(idle::sweep_period(header_timeout));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let closed = connections.sweep(header_timeout);
        if closed > 0 {
            tracing::debug!(
                closed,
                timeout_ms = header_timeout.as_millis(),
                "closed connections idle past the header timeout"
            );
        }
    }
}

async fn serve_connection<S>(
    http: Arc<hyper::server::conn::http1::Builder>,
    stream: UnixStream,
    service: S,
    body_timeout: Duration,
    admitted: Admitted,
) where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + Unpin + 'static,
    S::Future: Send + Unpin + 'static,
{
    let connection = admitted.connection().clone();
    let io = Progressing::new(TokioIo::new(stream), connection.clone());
    let service = ConnectionService { inner: service, connection, body_timeout };
    let conn = http.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    // The connection's order first (one atomic load), then the connection itself.
    let ended = std::future::poll_fn(|cx| match admitted.poll_order(cx) {
        Poll::Ready(order) => Poll::Ready(Err(order)),
        Poll::Pending => conn.as_mut().poll(cx).map(Ok),
    })
    .await;
    let result = match ended {
        Ok(result) => result,
        Err(Order::Close) => return,
        Err(Order::Drain) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(error) = result {
        // Timeouts and clients that hang up are routine on a socket anyone local may open.
        tracing::debug!(%error, "connection ended with an error");
    }
}

/// The bundle's service as hyper sees it on one connection: the body gets the read timeout, and the connection
/// is marked busy while the request is handled.
struct ConnectionService<S> {
    inner: S,
    connection: Arc<Connection>,
    body_timeout: Duration,
}

impl<S> hyper::service::Service<hyper::Request<Incoming>> for ConnectionService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + Unpin + 'static,
    S::Future: Send + Unpin + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Tracked<S::Future>;

    fn call(&self, req: hyper::Request<Incoming>) -> Self::Future {
        let busy = self.connection.busy();
        // A request without a body (most of them) needs no timer.
        let req = req.map(|body| {
            if body.is_end_stream() { Body::new(body) } else { Body::new(DeadlineBody::new(body, self.body_timeout)) }
        });
        // Called without `poll_ready`: the services served here (the bundle's, axum routers) are always ready.
        let mut inner = self.inner.clone();
        Tracked { inner: inner.call(req), busy: Some(busy) }
    }
}

/// A response future that keeps its connection marked busy until it resolves, or, for a streamed body (no exact
/// length), until the body's last frame.
struct Tracked<F> {
    inner: F,
    busy: Option<Busy>,
}

impl<F: Future<Output = Result<Response, Infallible>> + Unpin> Future for Tracked<F> {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match Pin::new(&mut self.inner).poll(cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => return Poll::Pending,
        };
        let busy = self.busy.take();
        if response.body().size_hint().exact().is_some() {
            return Poll::Ready(Ok(response));
        }
        Poll::Ready(Ok(response.map(|body| Body::new(BusyBody::new(body, busy)))))
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    async fn get_over(path: &std::path::Path, request: &str) -> String {
        let mut stream = UnixStream::connect(path).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test]
    async fn a_streamed_response_outlasts_the_header_timeout_and_an_idle_connection_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let router = Router::new().route(
            "/stream",
            get(|| async {
                let chunks = futures_util::stream::unfold(0, |sent| async move {
                    if sent == 5 {
                        return None;
                    }
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    Some((Ok::<_, std::io::Error>(format!("chunk{sent};")), sent + 1))
                });
                Body::from_stream(chunks)
            }),
        );
        let limits = ServerLimits { header_timeout: Duration::from_millis(200), ..ServerLimits::default() };
        let server = tokio::spawn(serve(listener, router, limits, std::future::pending()));
        // 1.5 s of streaming with pauses longer than the 200 ms header timeout: the busy connection is left alone.
        let answer = get_over(&path, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("chunk0;") && answer.contains("chunk4;"), "the stream was cut: {answer}");
        // A connection that sends nothing is closed by the sweep (EOF), within the timeout plus a period or two.
        let mut silent = UnixStream::connect(&path).await.unwrap();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut rest)).await;
        assert!(matches!(closed, Ok(Ok(0))), "the silent connection is still open: {closed:?}");
        server.abort();
    }

    #[tokio::test]
    async fn serves_in_process_until_shutdown_and_lets_the_request_in_flight_finish() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let started = Arc::new(tokio::sync::Notify::new());
        let in_handler = started.clone();
        let router = Router::new().route("/ok", get(|| async { "ok" })).route(
            "/slow",
            get(move || async move {
                in_handler.notify_one();
                tokio::time::sleep(Duration::from_millis(200)).await;
                "slow"
            }),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, router, ServerLimits::default(), async move {
            let _ = stopped.await;
        }));
        let answer = get_over(&path, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
        let slow = tokio::spawn({
            let path = path.clone();
            async move { get_over(&path, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").await }
        });
        // Shut down only once the request is in its handler, not after a pause a loaded machine may outlast.
        started.notified().await;
        stop.send(()).unwrap();
        let answer = slow.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("slow"), "{answer}");
        tokio::time::timeout(Duration::from_secs(5), server).await.unwrap().unwrap();
        assert!(UnixStream::connect(&path).await.is_err(), "the listener is closed after shutdown");
    }
}
