//! A minimal HTTP/1.1 client: one new connection per request, whole body buffered (what the Temps proxy does).

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::UnixStream;

use crate::error::DevHostError;
use crate::response::Response;

/// The largest response body buffered.
pub const MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

/// Sends `request` over a new connection to the Unix socket. Adds `Host: localhost` when absent, nothing else.
pub(crate) async fn send_unix(
    socket: &Path,
    request: http::Request<Bytes>,
    timeout: Duration,
) -> Result<Response, DevHostError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|source| DevHostError::Unreachable { path: socket.to_owned(), source })?;
    send_over(stream, request, timeout).await
}

/// Sends `request` over an already-connected stream (Unix or TCP).
pub async fn send_over<IO>(io: IO, request: http::Request<Bytes>, timeout: Duration) -> Result<Response, DevHostError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let request = origin_form(request)?;
    let method = request.method().clone();
    let path = request.uri().to_string();
    let exchanged = tokio::time::timeout(timeout, exchange(io, request)).await;
    match exchanged {
        Err(_) => Err(DevHostError::RequestTimeout { method, path, timeout }),
        Ok(Err(ExchangeError::Hyper(source))) => Err(DevHostError::Http { method, path, source }),
        Ok(Err(ExchangeError::TooLarge)) => Err(DevHostError::ResponseTooLarge { path, limit: MAX_RESPONSE_BODY }),
        Ok(Ok(response)) => Ok(response),
    }
}

enum ExchangeError {
    Hyper(hyper::Error),
    TooLarge,
}

async fn exchange<IO>(io: IO, request: http::Request<Bytes>) -> Result<Response, ExchangeError>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(io)).await.map_err(ExchangeError::Hyper)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "plugin connection ended with an error");
        }
    });
    let response = sender.send_request(request.map(Full::new)).await.map_err(ExchangeError::Hyper)?;
    let (parts, body) = response.into_parts();
    let body =
        Limited::new(body, MAX_RESPONSE_BODY).collect().await.map_err(|e| match e.downcast::<hyper::Error>() {
            Ok(hyper_error) => ExchangeError::Hyper(*hyper_error),
            Err(_) => ExchangeError::TooLarge,
        })?;
    Ok(Response { status: parts.status, headers: parts.headers, body: body.to_bytes() })
}

/// HTTP/1.1 over a socket wants `/path?query` and a Host header.
fn origin_form(mut request: http::Request<Bytes>) -> Result<http::Request<Bytes>, DevHostError> {
    let path_and_query = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let path_and_query =
        if path_and_query.starts_with('/') { path_and_query.to_owned() } else { format!("/{path_and_query}") };
    *request.uri_mut() = path_and_query
        .parse()
        .map_err(|e| DevHostError::InvalidRequest(format!("bad path `{path_and_query}`: {e}")))?;
    *request.version_mut() = http::Version::HTTP_11;
    if !request.headers().contains_key(http::header::HOST) {
        request.headers_mut().insert(http::header::HOST, http::HeaderValue::from_static("localhost"));
    }
    Ok(request)
}
