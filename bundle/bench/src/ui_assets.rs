//! Section 4, UI assets: the largest JS asset of any member's built UI, served by the composite — bytes on the
//! wire (headers included) and requests/s without and with `Accept-Encoding: br`, and a 304 revalidation
//! (`If-None-Match` with the ETag the first answer carried).

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
    /// The uncompressed body.
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
    members: &[MemberInfo],
    profile: &Profile,
) -> anyhow::Result<Option<UiResult>> {
    let Some((member, path, file_bytes)) = largest_js(composite, members).await? else { return Ok(None) };
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
            format!("UI asset `{}` ({} B), no Accept-Encoding", self.path, thousands(self.file_bytes)),
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

/// `(member, path, bytes)` of the largest JS asset the composite serves for any member's UI, found from each
/// member's `index.html` as served (not from the files on disk, which may be newer than the binary).
async fn largest_js(
    composite: &RunningPlugin,
    members: &[MemberInfo],
) -> anyhow::Result<Option<(String, String, u64)>> {
    let mut largest: Option<(String, String, u64)> = None;
    for member in members.iter().filter(|m| m.has_ui) {
        let index = request(composite, &format!("/{}/ui/", member.name), &[]).await?;
        let html = index.text();
        if !index.status.is_success() || html.contains(PLACEHOLDER_MARKER) {
            continue;
        }
        for asset in js_references(&html) {
            let path = format!("/{}/ui/{asset}", member.name);
            let answer = request(composite, &path, &[]).await?;
            let bytes = answer.body.len() as u64;
            if answer.status.is_success() && largest.as_ref().is_none_or(|(_, _, most)| bytes > *most) {
                largest = Some((member.name.clone(), path, bytes));
            }
        }
    }
    Ok(largest)
}

/// The `assets/….js` paths an `index.html` references (relative, as the UIs are built with base `./`).
fn js_references(html: &str) -> Vec<String> {
    let mut found: Vec<String> = html
        .split(['"', '\''])
        .filter_map(|quoted| {
            let path = quoted.trim_start_matches("./");
            (path.starts_with("assets/") && path.ends_with(".js")).then(|| path.to_owned())
        })
        .collect();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_scripts_an_index_references() {
        let html = r#"<script type="module" crossorigin src="./assets/index-CUjwdU-T.js"></script>
            <link rel="modulepreload" href='./assets/vendor-1.js'><link rel="stylesheet" href="./assets/index.css">"#;
        assert_eq!(js_references(html), ["assets/index-CUjwdU-T.js", "assets/vendor-1.js"]);
    }
}
