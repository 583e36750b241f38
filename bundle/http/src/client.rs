//! The guarded client and its requests.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderValue, USER_AGENT};
use reqwest::{Method, Url, redirect};

use crate::error::{HttpError, Refusal, find_refusal};
use crate::guard;
use crate::policy::OutboundPolicy;
use crate::resolver::{ResolveFailure, resolve_checked};
use crate::response::{OutboundResponse, OutboundStream};
use crate::shared::{ClientKey, client_for};

/// Limits of an [`OutboundClient`]. [`ClientConfig::for_member`] gives the defaults and the operator's policy.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Named in the user agent, so receivers can tell which member called.
    pub member: String,
    pub connect_timeout: Duration,
    /// From sending the request to the last byte of the body.
    pub timeout: Duration,
    /// Bodies beyond this are aborted mid-stream with [`HttpError::TooLarge`].
    pub max_response_bytes: u64,
    /// Redirects followed (each hop checked by the guard); `0` follows none and returns the 3xx answer itself,
    /// for callers that record redirect chains hop by hop (the crawler).
    pub max_redirects: usize,
    pub policy: OutboundPolicy,
}

impl ClientConfig {
    /// 5 s to connect, 15 s in all, 1 MiB of body, 5 redirects, and the policy from the environment.
    pub fn for_member(member: &str) -> Self {
        Self {
            member: member.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_response_bytes: 1024 * 1024,
            max_redirects: 5,
            policy: OutboundPolicy::from_env(),
        }
    }
}

/// The outbound HTTP client. Cheap to clone. Its connection pool is the process's: every client with the same
/// connect timeout, redirect limit and policy shares one ([`crate::shared`]), built on the first request.
#[derive(Debug, Clone)]
pub struct OutboundClient {
    inner: Arc<OnceLock<reqwest::Client>>,
    key: ClientKey,
    user_agent: HeaderValue,
    config: Arc<ClientConfig>,
}

impl OutboundClient {
    /// A client with [`ClientConfig::for_member`]'s defaults.
    pub fn for_member(member: &str) -> Result<Self, HttpError> {
        Self::new(ClientConfig::for_member(member))
    }

    /// A client with these limits. Nothing is built yet: the shared reqwest client is made (or found) on the
    /// first request, and an error building it is that request's error.
    pub fn new(config: ClientConfig) -> Result<Self, HttpError> {
        let user_agent = HeaderValue::try_from(user_agent(&config.member)).map_err(|e| {
            HttpError::Build(format!("the user agent for member {:?} is not a header value: {e}", config.member))
        })?;
        let key = ClientKey {
            connect_timeout: config.connect_timeout,
            max_redirects: config.max_redirects,
            policy: config.policy.clone(),
        };
        Ok(Self { inner: Arc::default(), key, user_agent, config: Arc::new(config) })
    }

    /// The shared reqwest client, found or built on first use.
    fn reqwest(&self) -> Result<&reqwest::Client, HttpError> {
        if let Some(client) = self.inner.get() {
            return Ok(client);
        }
        let client = client_for(&self.key)?;
        Ok(self.inner.get_or_init(|| client))
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Checks a URL without sending anything: syntax, scheme, and (for IP literals) the guard.
    pub fn check_url(&self, url: &str) -> Result<Url, HttpError> {
        let parsed = parse_url(url).map_err(HttpError::redacted)?;
        check_literal(&self.config.policy, &parsed).map_err(|r| r.into_http_error(url).redacted())?;
        Ok(parsed)
    }

    /// [`Self::check_url`], then resolves the host and checks every address: what a request would refuse.
    pub async fn check_target(&self, url: &str) -> Result<(), HttpError> {
        self.check_target_unredacted(url).await.map_err(HttpError::redacted)
    }

    async fn check_target_unredacted(&self, url: &str) -> Result<(), HttpError> {
        let parsed = self.check_url(url)?;
        let Some(url::Host::Domain(host)) = parsed.host() else { return Ok(()) };
        match resolve_checked(&self.config.policy, host).await {
            Ok(_) => Ok(()),
            Err(ResolveFailure::Refused(refusal)) => Err(refusal.into_http_error(url)),
            Err(ResolveFailure::Lookup(e)) => {
                Err(HttpError::Resolve { url: url.to_owned(), host: host.to_owned(), detail: e.to_string() })
            }
        }
    }

    /// A request to `url`; nothing is sent until [`OutboundRequest::send`].
    pub fn request(&self, method: Method, url: &str) -> OutboundRequest<'_> {
        OutboundRequest { client: self, method, url: url.to_owned(), headers: Vec::new(), body: None }
    }

    pub fn get(&self, url: &str) -> OutboundRequest<'_> {
        self.request(Method::GET, url)
    }

    pub fn post(&self, url: &str) -> OutboundRequest<'_> {
        self.request(Method::POST, url)
    }
}

/// One request being built.
#[derive(Debug)]
pub struct OutboundRequest<'c> {
    client: &'c OutboundClient,
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
}

impl OutboundRequest<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sends the request and reads the whole body within the limits. Any status is `Ok`; use
    /// [`OutboundResponse::error_for_status`] to treat non-2xx as errors.
    pub async fn send(self) -> Result<OutboundResponse, HttpError> {
        self.send_unredacted().await.map_err(HttpError::redacted)
    }

    /// Sends the request and returns once the headers arrived; the body is then read chunk by chunk with
    /// [`OutboundStream::chunk`], within the same size cap and total timeout. For callers that parse as they read
    /// (a crawler) and must not hold a whole large body.
    pub async fn send_streaming(self) -> Result<OutboundStream, HttpError> {
        let config = self.client.config.clone();
        let url = self.url.clone();
        let started = Instant::now();
        let builder = self.builder()?;
        let response = match tokio::time::timeout(config.timeout, builder.send()).await {
            Err(_) => return Err(HttpError::Timeout { url: redact(&url), after: config.timeout }),
            Ok(Err(e)) => return Err(map_reqwest(&url, e, config.timeout).redacted()),
            Ok(Ok(response)) => response,
        };
        if response.content_length().is_some_and(|n| n > config.max_response_bytes) {
            return Err(HttpError::TooLarge { url: redact(&url), limit: config.max_response_bytes });
        }
        Ok(OutboundStream::new(response, url, started, config))
    }

    /// The reqwest request, after the URL passed [`OutboundClient::check_url`].
    fn builder(self) -> Result<reqwest::RequestBuilder, HttpError> {
        let url = self.client.check_url(&self.url)?;
        let client = self.client.reqwest()?;
        // Per request, so members share one client: the total timeout (reqwest's own, body included) and the
        // member's user agent unless the member sent its own.
        let mut builder = client.request(self.method, url).timeout(self.client.config.timeout);
        if !self.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case(USER_AGENT.as_str())) {
            builder = builder.header(USER_AGENT, self.client.user_agent.clone());
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = self.body {
            builder = builder.body(body);
        }
        Ok(builder)
    }

    async fn send_unredacted(self) -> Result<OutboundResponse, HttpError> {
        let config = self.client.config.clone();
        let url = self.url.clone();
        let builder = self.builder()?;
        let started = Instant::now();
        let exchange = async {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let final_url = response.url().to_string();
            let body = read_capped(response, config.max_response_bytes).await?;
            Ok::<_, ReadError>(OutboundResponse { status, headers, body, url: final_url, elapsed: started.elapsed() })
        };
        // reqwest's own timeout covers the body too; this one is a backstop for anything it does not cover.
        match tokio::time::timeout(config.timeout, exchange).await {
            Err(_) => Err(HttpError::Timeout { url, after: config.timeout }),
            Ok(Ok(response)) => Ok(response),
            Ok(Err(ReadError::TooLarge)) => Err(HttpError::TooLarge { url, limit: config.max_response_bytes }),
            Ok(Err(ReadError::Reqwest(e))) => Err(map_reqwest(&url, e, config.timeout)),
        }
    }
}

/// `url` as it may appear in errors and logs: scheme, host and port only. Webhook URLs often carry their
/// credential in the path or query (Slack, Discord), and errors end up in logs and delivery records.
pub fn redact(url: &str) -> String {
    let Ok(parsed) = Url::parse(url.trim()) else { return "<unparsable URL>".to_owned() };
    let mut shown = format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or_default());
    if let Some(port) = parsed.port() {
        shown.push_str(&format!(":{port}"));
    }
    if parsed.path() != "/" || parsed.query().is_some() {
        shown.push_str("/…");
    }
    shown
}

/// The user agent of requests made for `member`.
pub fn user_agent(member: &str) -> String {
    format!("temps-bundle/{} (+member {member})", env!("CARGO_PKG_VERSION"))
}

enum ReadError {
    TooLarge,
    Reqwest(reqwest::Error),
}

impl From<reqwest::Error> for ReadError {
    fn from(e: reqwest::Error) -> Self {
        Self::Reqwest(e)
    }
}

/// Reads the body chunk by chunk, aborting as soon as it passes `limit` (a lying or absent `Content-Length`
/// changes nothing).
async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn parse_url(url: &str) -> Result<Url, HttpError> {
    let invalid = |reason: String| HttpError::InvalidUrl { url: url.to_owned(), reason };
    let parsed = Url::parse(url.trim()).map_err(|e| invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!("the scheme must be http or https, not {}", parsed.scheme())));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host".to_owned()));
    }
    Ok(parsed)
}

/// IP-literal hosts never reach the resolver, so they are checked here, on the first request and on each redirect.
fn check_literal(policy: &OutboundPolicy, url: &Url) -> Result<(), Refusal> {
    let address = match url.host() {
        Some(url::Host::Ipv4(v4)) => v4.into(),
        Some(url::Host::Ipv6(v6)) => v6.into(),
        _ => return Ok(()),
    };
    let host = url.host_str().unwrap_or_default();
    match guard::refusal(policy, host, address) {
        None => Ok(()),
        Some(reason) => Err(Refusal::Blocked { url: Some(url.to_string()), host: host.to_owned(), address, reason }),
    }
}

pub(crate) fn redirect_policy(policy: Arc<OutboundPolicy>, max_redirects: usize) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if max_redirects == 0 {
            return attempt.stop();
        }
        if attempt.previous().len() > max_redirects {
            return attempt.error(Refusal::TooManyRedirects { limit: max_redirects });
        }
        if !matches!(attempt.url().scheme(), "http" | "https") {
            let refusal = Refusal::BadRedirect {
                url: attempt.url().to_string(),
                reason: "redirects may only go to http or https".to_owned(),
            };
            return attempt.error(refusal);
        }
        match check_literal(&policy, attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(refusal) => attempt.error(refusal),
        }
    })
}

pub(crate) fn map_reqwest(url: &str, error: reqwest::Error, after: Duration) -> HttpError {
    if let Some(refusal) = find_refusal(&error) {
        return refusal.clone().into_http_error(url);
    }
    // reqwest's message repeats the full URL, which may carry a credential: keep it out.
    let error = error.without_url();
    let detail = error_chain(&error);
    if error.is_timeout() {
        HttpError::Timeout { url: url.to_owned(), after }
    } else if error.is_connect() {
        HttpError::Connect { url: url.to_owned(), detail }
    } else {
        HttpError::Request { url: url.to_owned(), detail }
    }
}

/// An error and its sources, joined: reqwest's own message is often just "error sending request".
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut current = error.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}
