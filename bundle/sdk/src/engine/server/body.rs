//! The bodies the server wraps. The request-body deadline: a body must arrive whole within the timeout from the
//! first read, so neither a body that never comes nor one trickled a byte at a time can hold a connection (and
//! its handler) for long. And a streamed response body keeps its connection busy until its last frame, so the
//! idle sweep (`super::idle`) never closes a connection in the middle of a response.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::time::Sleep;

use super::connections::Busy;

/// A request body with a deadline, started when a handler first reads it.
pub(crate) struct DeadlineBody {
    body: Incoming,
    timeout: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
}

/// The body missed its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} ms", .0.as_millis())]
pub(crate) struct BodyTimeout(Duration);

impl DeadlineBody {
    pub(crate) fn new(body: Incoming, timeout: Duration) -> Self {
        Self { body, timeout, deadline: None }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let timeout = self.timeout;
        let deadline = self.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(BodyTimeout(timeout)))));
        }
        Pin::new(&mut self.body).poll_frame(cx).map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A streamed response body holding its connection's busy mark until the last frame (or until dropped).
pub(crate) struct BusyBody {
    body: axum::body::Body,
    busy: Option<Busy>,
}

impl BusyBody {
    pub(crate) fn new(body: axum::body::Body, busy: Option<Busy>) -> Self {
        Self { body, busy }
    }
}

impl Body for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(None) = frame {
            self.busy = None;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
