//! The panic guard, the innermost part of a member's request stack (`super::stack`): a handler that panics (while
//! being called or while its future runs) answers 500 problem+json, and the panic is logged with the member's
//! name, instead of the connection being dropped. Inside the observer, so the 500 is counted as the member's (on
//! the route's template). A concrete service with a concrete future: unlike `tower_http::catch_panic`, the
//! member's response body is passed through as it is, not boxed again on every request.

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use tower::Service;

use crate::panic::panic_message;
use crate::problem::Problem;

/// `inner` with its panics turned into 500 answers.
#[derive(Clone)]
pub(crate) struct PanicGuard<S> {
    inner: S,
    member: &'static str,
}

impl<S> PanicGuard<S> {
    pub(crate) fn new(member: &'static str, inner: S) -> Self {
        Self { inner, member }
    }
}

impl<S> Service<Request> for PanicGuard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let state = match std::panic::catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(future) => State::Running { future: AssertUnwindSafe(future).catch_unwind() },
            Err(payload) => State::Panicked { answer: Some(answer(self.member, payload.as_ref())) },
        };
        Guarded { state, member: self.member }
    }
}

pin_project_lite::pin_project! {
    /// The guarded response future.
    pub(crate) struct Guarded<F> {
        #[pin]
        state: State<F>,
        member: &'static str,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F> {
        Running { #[pin] future: CatchUnwind<AssertUnwindSafe<F>> },
        /// `call` itself panicked; the answer is handed out on the first poll.
        Panicked { answer: Option<Response> },
    }
}

impl<F> Future for Guarded<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.state.project() {
            StateProj::Running { future } => match future.poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(answered)) => Poll::Ready(answered),
                Poll::Ready(Err(payload)) => Poll::Ready(Ok(answer(this.member, payload.as_ref()))),
            },
            // Polled again after completion would be the caller's contract violation: answered, never a panic.
            StateProj::Panicked { answer } => {
                Poll::Ready(Ok(answer.take().unwrap_or_else(|| Problem::internal().into_response())))
            }
        }
    }
}

fn answer(member: &str, payload: &(dyn Any + Send)) -> Response {
    tracing::error!(%member, panic = %panic_message(payload), "a request handler panicked");
    Problem::internal().into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::ServiceExt;

    use super::*;

    /// Panics in `call` itself, before any future exists (a `Router` only panics inside its futures).
    #[derive(Clone)]
    struct PanicsOnCall;

    impl Service<Request> for PanicsOnCall {
        type Response = Response;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Response, Infallible>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _req: Request) -> Self::Future {
            panic!("call exploded");
        }
    }

    #[tokio::test]
    async fn a_panic_in_call_or_in_the_future_is_a_500_problem() {
        let answer = PanicGuard::new("m", PanicsOnCall).oneshot(Request::new(Body::empty())).await.unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let router = axum::Router::new().route(
            "/",
            axum::routing::get(|| async {
                if true {
                    panic!("future exploded");
                }
                "unreachable"
            }),
        );
        let answer = PanicGuard::new("m", router).oneshot(Request::new(Body::empty())).await.unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = answer.headers().get(axum::http::header::CONTENT_TYPE).unwrap();
        assert_eq!(content_type, "application/problem+json");
    }
}
