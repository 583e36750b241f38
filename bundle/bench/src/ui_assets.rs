//! Section 4, UI assets: the largest JS asset of any member's built UI, served by the composite — bytes on the
//! wire (headers included) and requests/s without and with `Accept-Encoding: br`, and a 304 revalidation
//! (`If-None-Match` with the ETag the first answer carried).

use std::path::Path;

use anyhow::{Context, bail};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use temps_bundle_devhost::{Caller, RunningPlugin};

use crate::bins::MemberInfo;
use crate::load::{self, LoadResult, LoadSpec};
use crate::plugin::proxy_headers;
use crate::profile::Profile;
use crate::report::{Row, per_second, ratio, thousands};
use crate::stats::median;

/// The marker of the placeholder page `temps-bundle-build` writes until the UI is built.
const PLACEHOLDER_MARKER: &str = "temps-bundle-placeholder";

/// The asset measured, and one result per way of asking for it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UiResult {
    pub member: String,
    pub path: String,
    pub file_bytes: u64,
    pub identity: Variant,
    pub brotli: Variant,
    pub revalidation: Variant,
}

/// One way of requesting the asset.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Variant {
    pub status: u16,
    pub content_encoding: Option<String>,
    pub body_bytes: usize,
    pub wire_bytes_per_response: f64,
    pub requests_per_second: f64,
    pub rounds: Vec<LoadResult>,
}

/// Measures the largest built JS asset of `members` (`None`: no member has a built UI).
pub async fn measure(
    composite: &RunningPlugin,
    workspace: &Path,
    members: &[MemberInfo],
    profile: &Profile,
) -> anyhow::Result<Option<UiResult>> {
    let Some((member, file, file_bytes)) = largest_js(workspace, members) else { return Ok(None) };
    let path = format!("/{member}/ui/assets/{file}");
    let first = request(composite, &path, &[]).await?;
    let etag = first.headers.get(header::ETAG).cloned().context("the asset has no ETag")?;
    let brotli = [(header::ACCEPT_ENCODING, HeaderValue::from_static("br"))];
    let revalidate = [(header::IF_NONE_MATCH, etag)];
    Ok(Some(UiResult {
        member,
        path: path.clone(),
        file_bytes,
        identity: variant(composite, &path, &[], StatusCode::OK, profile).await?,
        brotli: variant(composite, &path, &brotli, StatusCode::OK, profile).await?,
        revalidation: variant(composite, &path, &revalidate, StatusCode::NOT_MODIFIED, profile).await?,
    }))
}

impl UiResult {
    /// Failed requests and unexpected statuses over every load phase.
    pub fn errors(&self) -> u64 {
        [&self.identity, &self.brotli, &self.revalidation].iter().flat_map(|v| &v.rounds).map(|r| r.errors).sum()
    }

    pub fn rows(&self) -> Vec<Row> {
        let identity = &self.identity;
        let mut rows = vec![Row::plain(
            "4",
            format!("UI asset `{}` ({} B on disk), no Accept-Encoding", self.path, thousands(self.file_bytes)),
            wire_text(identity),
        )];
        for (what, variant) in
            [("Accept-Encoding: br", &self.brotli), ("304 revalidation (If-None-Match)", &self.revalidation)]
        {
            let encoding = variant.content_encoding.as_deref().map(|e| format!(", {e}")).unwrap_or_default();
            rows.push(Row::versus(
                "4",
                format!("{what}: bytes on the wire vs no Accept-Encoding (status {}{encoding})", variant.status),
                wire_text(variant),
                wire_text(identity),
                ratio(variant.wire_bytes_per_response, identity.wire_bytes_per_response),
            ));
            rows.push(Row::versus(
                "4",
                format!("{what}: requests/s vs no Accept-Encoding"),
                per_second(variant.requests_per_second),
                per_second(identity.requests_per_second),
                ratio(variant.requests_per_second, identity.requests_per_second),
            ));
        }
        rows
    }
}

/// `12 345 B/response, 1 234 req/s`.
fn wire_text(variant: &Variant) -> String {
    format!(
        "{} B/response, {}",
        thousands(variant.wire_bytes_per_response.round() as u64),
        per_second(variant.requests_per_second)
    )
}

/// One request to check status and encoding, then `rounds` load phases.
async fn variant(
    composite: &RunningPlugin,
    path: &str,
    extra: &[(header::HeaderName, HeaderValue)],
    expect: StatusCode,
    profile: &Profile,
) -> anyhow::Result<Variant> {
    let probe = request(composite, path, extra).await?;
    if probe.status != expect {
        bail!("GET {path} with {extra:?} answered {} instead of {expect}", probe.status);
    }
    let mut headers = proxy_headers(composite.plugin_name(), composite.secret())?;
    for (name, value) in extra {
        headers.insert(name.clone(), value.clone());
    }
    let spec = LoadSpec::new(composite.socket_path(), vec![path.to_owned()], headers, expect, profile);
    let mut rounds = Vec::new();
    for _ in 0..profile.rounds {
        rounds.push(load::run(&spec).await);
    }
    let of = |f: fn(&LoadResult) -> f64| median(&rounds.iter().map(f).collect::<Vec<_>>());
    Ok(Variant {
        status: probe.status.as_u16(),
        content_encoding: probe.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::to_owned),
        body_bytes: probe.body.len(),
        wire_bytes_per_response: of(|r| r.wire_bytes_per_response),
        requests_per_second: of(|r| r.requests_per_second),
        rounds,
    })
}

/// `GET path` through the dev host's proxy as the admin, with extra client headers.
async fn request(
    composite: &RunningPlugin,
    path: &str,
    extra: &[(header::HeaderName, HeaderValue)],
) -> anyhow::Result<temps_bundle_devhost::Response> {
    let mut request = http::Request::new(Bytes::new());
    *request.uri_mut() = path.parse().with_context(|| format!("bad path {path}"))?;
    let headers: &mut HeaderMap = request.headers_mut();
    for (name, value) in extra {
        headers.insert(name.clone(), value.clone());
    }
    composite.proxy(request, &Caller::admin()).await.with_context(|| format!("GET {path}"))
}

/// `(member, file name, size)` of the largest `*.js` in any member's built `plugins/<m>/web/dist/assets/`.
fn largest_js(workspace: &Path, members: &[MemberInfo]) -> Option<(String, String, u64)> {
    members
        .iter()
        .filter(|m| m.has_ui)
        .filter_map(|m| {
            let dist = workspace.join("plugins").join(&m.name).join("web/dist");
            is_built(&dist).then_some((m.name.clone(), dist.join("assets")))
        })
        .flat_map(|(member, assets)| {
            js_files(&assets).into_iter().map(move |(file, size)| (member.clone(), file, size))
        })
        .max_by_key(|(_, _, size)| *size)
}

/// A `dist` holding a real build, not the placeholder page.
fn is_built(dist: &Path) -> bool {
    std::fs::read_to_string(dist.join("index.html")).is_ok_and(|html| !html.contains(PLACEHOLDER_MARKER))
}

fn js_files(assets: &Path) -> Vec<(String, u64)> {
    let Ok(entries) = std::fs::read_dir(assets) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_owned();
            let size = entry.metadata().ok()?.len();
            name.ends_with(".js").then_some((name, size))
        })
        .collect()
}
