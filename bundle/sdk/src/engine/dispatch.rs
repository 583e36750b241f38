//! Member dispatch: how a request for a member reaches it. Everything that happens between the socket and a
//! member's own handler, in order:
//!
//! 1. **find the member** ([`Dispatch::route`]): in composite mode the first path segment names it and is stripped
//!    (`/notify/targets?x=1` → member `notify`, path `/targets?x=1`; axum's `OriginalUri` keeps the URI as sent);
//!    in split mode every path is the one member's;
//! 2. **member health**: `/health` (and the manifest's `health_path`) answer 200, or 503 naming the start cause,
//!    without authentication;
//! 3. **authenticate** ([`check_caller`]): the host's signature (Gen B) and the caller's identity headers; on the
//!    member's public paths a missing signature only makes the caller anonymous; untrusted identity headers are
//!    removed, so the [`Caller`] a handler extracts is built from checked headers only (and only when it asks);
//! 4. **the SDK's `/ui/`** when the member embeds a UI;
//! 5. **the member's service** ([`MemberService`], built once at start by [`member_service`]), or 503 naming the
//!    cause if the member failed to start.
//!
//! This is every member request's path, so it is kept cheap (`cargo xtask bench`, `bundle/bench/README.md`): the
//! identity is checked without building a `User`, the prefix is stripped with one copy of the rest of the path,
//! and the member's service is its own router (no boxed service around it; its request stack is one concrete layer
//! per route, `isolation::stack`).
//!
//! **Invariant:** member routers are never merged into one axum router (overlaps would panic); each member is a
//! separate service behind a name lookup, and the SDK's own `/health` and `/ui/` sit in front of it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::http::uri::PathAndQuery;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::served::Served;
use super::signature::HostSecret;
use super::start::{MemberSlot, MemberState};
use crate::caller::Caller;
use crate::header_names::IDENTITY;
use crate::host_headers::HostHeaders;
use crate::isolation::{MemberIsolation, stack};
use crate::problem::Problem;

/// What one running member answers requests with: its router, every route behind the member's request stack.
/// Cloning is cheap.
pub(crate) type MemberService = Router;

/// Builds a running member's service, once, at start. Each request clones it (reference counts only), so state
/// shared by the layers (the concurrency permits, the metrics) sees every request of the member.
///
/// **Per-member request layers go in `isolation::stack`**: they wrap the member's own routes only (the SDK's
/// `/health` and `/ui/` are answered before this service is reached).
pub(crate) fn member_service(isolation: &Arc<MemberIsolation>, router: Router) -> MemberService {
    // The member's limits, metrics, watchdog records and, innermost, the panic guard (`isolation::stack`): a
    // panicking handler answers 500 problem+json instead of dropping the connection, counted as the member's 5xx.
    // `with_state(())` turns every handler into its route once, here: a router called as a service without it
    // converts (and layers) each boxed handler again on every request (`axum::serve` does it per connection).
    stack::apply(router, isolation).with_state(())
}

/// The members of one process and the secret their requests must carry.
pub(crate) struct Dispatch {
    /// The per-process secret (Gen B); none in Gen A, where the host sends no signature.
    secret: HostSecret,
    /// Sorted by name.
    members: Vec<Arc<MemberSlot>>,
    /// Name → position in `members`: one hash and one name comparison per request, where a binary search over
    /// 100 members compared (and fetched from memory) seven names (`cargo xtask bench`, 100 members). foldhash,
    /// not SipHash: the table is built once from the member names and never grows, so a client choosing paths
    /// cannot make it slow, and SipHash cost more than the rest of the lookup.
    index: HashMap<Box<str>, usize, foldhash::fast::RandomState>,
    /// Serving one member alone: every path is that member's.
    split: bool,
}

impl Dispatch {
    pub(crate) fn new(secret: HostSecret, members: Vec<MemberSlot>, split: bool) -> Self {
        let mut members: Vec<Arc<MemberSlot>> = members.into_iter().map(Arc::new).collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        let index = members.iter().enumerate().map(|(i, m)| (m.name.as_str().into(), i)).collect();
        Self { secret, members, index, split }
    }

    pub(crate) fn secret(&self) -> &HostSecret {
        &self.secret
    }

    pub(crate) fn members(&self) -> &[Arc<MemberSlot>] {
        &self.members
    }

    /// The member names, comma-separated, for messages.
    pub(crate) fn names(&self) -> String {
        self.members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The member a request path belongs to and how many leading bytes of the path name it (`/<member>`; 0 in
    /// split mode), which [`Dispatch::serve`] strips (step 1 of the module docs). `None` when the path names no
    /// member.
    pub(crate) fn route(&self, path: &str) -> Option<(&Arc<MemberSlot>, usize)> {
        if self.split {
            return self.members.first().map(|m| (m, 0));
        }
        let trimmed = path.strip_prefix('/')?;
        // A byte search: the separator is ASCII, and `str::find(char)` sets up a UTF-8 searcher per call.
        let name = trimmed.bytes().position(|b| b == b'/').and_then(|slash| trimmed.get(..slash)).unwrap_or(trimmed);
        let member = self.index.get(name).and_then(|&i| self.members.get(i))?;
        Some((member, 1 + name.len()))
    }

    /// Starts one request for `member` after stripping the `prefix` bytes [`Dispatch::route`] found (steps 2–5 of
    /// the module docs): everything up to the member's own service is decided here, synchronously, and the
    /// returned future only runs the member's (or its UI's) call.
    pub(crate) fn serve(&self, member: &MemberSlot, mut req: Request, prefix: usize) -> Served {
        let original = match strip_prefix(&mut req, prefix) {
            Ok(original) => original,
            Err(problem) => return Served::now(problem.into_response()),
        };
        // The member-relative path, borrowed from the original URI (`/<member>` alone is the member's `/`).
        let path = member_path(&original, prefix);
        if member.is_disabled() {
            return Served::now(disabled(&member.name).into_response());
        }
        if path == "/health" || path == member.manifest.health_path {
            return Served::now(member_health(member));
        }
        let public = member.manifest.is_public_path(path);
        match check_caller(&self.secret, req.headers(), public) {
            Ok(true) => {}
            Ok(false) => strip_identity(req.headers_mut()),
            Err(problem) => return Served::now(problem.into_response()),
        }
        // What `OriginalUri` extracts: the URI the host sent, member prefix included (axum would otherwise insert
        // the stripped one, cloning a URI built by the strip, which costs an allocation a request).
        req.extensions_mut().insert(OriginalUri(original.clone()));
        if let Some(ui) = &member.ui
            && (path == "/ui" || path.starts_with("/ui/"))
        {
            return Served::Router { call: Served::route(ui, req) };
        }
        match &member.state {
            MemberState::Running { service, .. } => Served::Member {
                method: req.method().clone(),
                call: Served::route(service, req),
                member: member.isolation.forever(),
                original,
                prefix,
            },
            MemberState::Failed { cause } => Served::now(unavailable(&member.name, &cause.to_string()).into_response()),
        }
    }
}

/// The member-relative path of a request: `original`'s path without its first `prefix` bytes (`/<member>`);
/// `/<member>` alone is the member's `/`.
pub(crate) fn member_path(original: &Uri, prefix: usize) -> &str {
    original.path().get(prefix..).filter(|rest| !rest.is_empty()).unwrap_or("/")
}

/// Checks the host's signature (Gen B) and the caller's identity headers: `Ok(true)` when they name a user and
/// are to be trusted, `Ok(false)` when the caller is anonymous (headers absent or not to be trusted: the caller
/// removes them). On public paths a missing or wrong signature only makes the caller anonymous; elsewhere it is a
/// 401, as is an anonymous caller.
pub(crate) fn check_caller(secret: &HostSecret, headers: &HeaderMap, public: bool) -> Result<bool, Problem> {
    if !secret.is_required() {
        // Gen A hosts send no signature and no identity, and nothing says they strip a client's x-temps-*
        // headers: an identity there could be forged, so every Gen A caller is anonymous.
        return Ok(false);
    }
    let found = HostHeaders::scan(headers);
    match secret.verify_found(found.signature) {
        Ok(()) => {}
        // On a public path an unsigned request is simply anonymous: its identity headers are not trusted.
        Err(_) if public => return Ok(false),
        Err(problem) => return Err(problem),
    }
    let user = Caller::check_headers(&found).map_err(|e| Problem::authentication_required(e.to_string()))?;
    if !user && !public {
        return Err(Problem::authentication_required("this route needs a signed-in Temps user"));
    }
    Ok(user)
}

/// [`check_caller`], then the caller itself (for the bundle's own routes, which insert it for their handlers).
pub(crate) fn authenticate(secret: &HostSecret, headers: &HeaderMap, public: bool) -> Result<Caller, Problem> {
    match check_caller(secret, headers, public)? {
        true => Caller::from_headers(headers).map_err(|e| Problem::authentication_required(e.to_string())),
        false => Ok(Caller::Anonymous),
    }
}

/// Removes identity headers the engine did not trust, so a member reading raw headers cannot be fooled either.
fn strip_identity(headers: &mut HeaderMap) {
    for name in IDENTITY {
        headers.remove(name);
    }
}

/// `/<member>/health`: 200 with the member's version while it runs, 503 naming the cause once it failed.
fn member_health(member: &MemberSlot) -> Response {
    match member.error() {
        None => {
            Json(json!({ "status": "ok", "member": member.name, "version": member.manifest.version })).into_response()
        }
        Some(cause) => unavailable(&member.name, &cause).into_response(),
    }
}

/// What a member an administrator disabled answers, on every path.
fn disabled(member: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "member-disabled",
        "Member Disabled",
        format!(
            "member {member:?} is disabled by an administrator (POST /_bundle/members/{member}/enable turns it back on)"
        ),
    )
}

fn unavailable(member: &str, cause: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "member-unavailable",
        "Member Unavailable",
        format!("member {member:?} failed to start: {cause}"),
    )
}

/// A member router's own 404 (no route) and 405 (no handler for the method) come with an empty body; they become
/// problem+json like every other error of the bundle. A response with a body or a content type — a fallback the
/// member set itself — is left alone.
pub(crate) fn problem_for_bare_status(
    response: Response,
    member: &str,
    method: &axum::http::Method,
    path: &str,
) -> Response {
    let status = response.status();
    let bare = (status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED)
        && !response.headers().contains_key(axum::http::header::CONTENT_TYPE)
        && axum::body::HttpBody::size_hint(response.body()).exact() == Some(0);
    if !bare {
        return response;
    }
    if status == StatusCode::NOT_FOUND {
        return Problem::not_found(format!("member {member:?} has no route {method} {path}")).into_response();
    }
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let allowed = allow.as_ref().and_then(|a| a.to_str().ok()).unwrap_or("none");
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method Not Allowed",
        format!("member {member:?} does not accept {method} on {path} (allowed: {allowed})"),
    );
    let mut answer = problem.into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(axum::http::header::ALLOW, allow);
    }
    answer
}

/// Removes the first `prefix` bytes of `req`'s path (the query kept; an empty rest becomes `/`) in place, and
/// returns the original URI. In place: the request (a few hundred bytes) is not moved apart and back together.
fn strip_prefix(req: &mut Request, prefix: usize) -> Result<Uri, Problem> {
    if prefix == 0 {
        // Split mode: nothing to strip (a clone of a parsed URI only counts references).
        return Ok(req.uri().clone());
    }
    let original = std::mem::take(req.uri_mut());
    let full = original.path_and_query().map_or("/", PathAndQuery::as_str);
    let rest = full.get(prefix..).unwrap_or_default();
    let stripped = match rest.starts_with('/') {
        // The common case: one copy of the rest, no re-parse of anything else.
        true => PathAndQuery::try_from(rest),
        false => PathAndQuery::try_from(format!("/{rest}")),
    };
    *req.uri_mut() = stripped
        .map(Uri::from)
        .map_err(|e| Problem::bad_request(format!("cannot rewrite the request path {rest:?}: {e}")))?;
    Ok(original)
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
