//! The outermost part of a member's request stack (`super::stack`): the future of one request. It counts the
//! request in flight, records every poll for the watchdog, enforces the deadline (the handler's future is dropped
//! when it passes), turns the limits' refusals into problem+json (504 deadline, 503 overload with `Retry-After`,
//! 413 body) and records status class and latency under the route's template.
//!
//! One concrete future around the member's: the deadline timer is only created when the member's future does not
//! answer on its first poll, and the start-up clock reading of the stack serves the latency, the deadline and the
//! watchdog's first poll alike.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pin_project_lite::pin_project;
// Tokio's clock (the std clock outside paused-time tests): the deadline is a Tokio timer.
use tokio::time::{Instant, Sleep};

use super::MemberIsolation;
use super::metrics::{Rejection, RouteMetrics};
use super::permits::Permit;
use super::watchdog;
use crate::problem::{PROBLEM_JSON, Problem};

/// Seconds a client is told to wait after a 503 for overload.
pub(crate) const RETRY_AFTER_SECONDS: u32 = 1;

pin_project! {
    /// The future of one observed request.
    pub(crate) struct Observed<F> {
        #[pin]
        state: State<F>,
        // The deadline, armed when the member's future first returns `Pending`.
        #[pin]
        deadline: Option<Sleep>,
        route: &'static RouteMetrics,
        member: &'static MemberIsolation,
        start: Instant,
        // Whether a poll happened yet (the first one starts at `start`).
        polled: bool,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // The member's future, and the permit it holds until it ends.
        Running { #[pin] future: F, permit: Permit },
        // Refused before the member saw the request.
        Refused { rejection: Rejection },
        // Answered.
        Done,
    }
}

impl<F> Observed<F> {
    /// The member's `future`, started at `start`.
    pub(crate) fn running(
        future: F,
        permit: Permit,
        route: &'static RouteMetrics,
        member: &'static MemberIsolation,
        start: Instant,
    ) -> Self {
        Self::new(State::Running { future, permit }, route, member, start)
    }

    /// A request a limit refused before the member saw it.
    pub(crate) fn rejected(
        rejection: Rejection,
        route: &'static RouteMetrics,
        member: &'static MemberIsolation,
        start: Instant,
    ) -> Self {
        Self::new(State::Refused { rejection }, route, member, start)
    }

    fn new(state: State<F>, route: &'static RouteMetrics, member: &'static MemberIsolation, start: Instant) -> Self {
        Self { state, deadline: None, route, member, start, polled: false }
    }
}

impl<F> Future for Observed<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let started = if *this.polled { Instant::now() } else { *this.start }.into_std();
        *this.polled = true;
        let poll = watchdog::enter_at(&this.route.activity, started);
        let outcome = match this.state.as_mut().project() {
            StateProj::Running { future, .. } => match future.poll(cx) {
                Poll::Ready(Ok(response)) => Ok(response),
                Poll::Ready(Err(never)) => match never {},
                Poll::Pending => {
                    if this.deadline.is_none() {
                        let at = *this.start + this.member.limits.request_timeout();
                        this.deadline.set(Some(tokio::time::sleep_until(at)));
                    }
                    match this.deadline.as_mut().as_pin_mut().map(|deadline| deadline.poll(cx)) {
                        Some(Poll::Ready(())) => Err(Rejection::Deadline),
                        _ => return Poll::Pending,
                    }
                }
            },
            StateProj::Refused { rejection } => Err(*rejection),
            // Polled again after it answered: the caller's contract violation, answered rather than a panic.
            StateProj::Done => return Poll::Ready(Ok(Problem::internal().into_response())),
        };
        // Ends the member's future (a handler past its deadline is dropped here) and gives its permit back.
        this.state.set(State::Done);
        let ended = Instant::now();
        poll.leave_at(ended.into_std());
        let response = answer(this.member, outcome);
        let seconds = ended.saturating_duration_since(*this.start).as_secs_f64();
        let status = response.status().as_u16();
        this.route.record(status, seconds);
        Poll::Ready(Ok(response))
    }
}

/// The member's response, or the problem a limit answers with.
fn answer(member: &MemberIsolation, outcome: Result<Response, Rejection>) -> Response {
    let limits = &member.limits;
    match outcome {
        // A streamed body crossed the limit: the extractor's plain 413 becomes the problem.
        Ok(response) if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&response) => {
            member.metrics.reject(Rejection::Body);
            body_too_large(member)
        }
        Ok(response) => {
            if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
                member.metrics.reject(Rejection::Body);
            }
            response
        }
        Err(Rejection::Deadline) => {
            member.metrics.reject(Rejection::Deadline);
            tracing::warn!(member = %member.name, timeout_ms = limits.request_timeout_ms, "request deadline exceeded; the handler was dropped");
            Problem::new(
                StatusCode::GATEWAY_TIMEOUT,
                "request-timeout",
                "Member Timed Out",
                format!(
                    "member {:?} did not answer within its {} ms request deadline",
                    member.name, limits.request_timeout_ms
                ),
            )
            .into_response()
        }
        Err(Rejection::Overload) => {
            member.metrics.reject(Rejection::Overload);
            let mut response = Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "member-overloaded",
                "Member Overloaded",
                format!(
                    "member {:?} is handling its limit of {} concurrent requests; retry in {RETRY_AFTER_SECONDS} s",
                    member.name, limits.max_concurrent_requests
                ),
            )
            .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
            response
        }
        Err(Rejection::Body) => {
            member.metrics.reject(Rejection::Body);
            body_too_large(member)
        }
    }
}

fn body_too_large(member: &MemberIsolation) -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        "Request Body Too Large",
        format!("member {:?} accepts request bodies of at most {} bytes", member.name, member.limits.max_body_bytes),
    )
    .into_response()
}

fn is_problem<B>(response: &http::Response<B>) -> bool {
    response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes())
}
