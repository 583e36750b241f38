//! Building the response for one embedded file: variant choice, validators, caching headers, `HEAD`.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use super::assets::{Asset, Variant};
use super::encoding::{Encoding, negotiate};

/// The 200 (or 304, when `If-None-Match` matches) for `asset`; without a body when `head`.
pub(super) fn asset_response(asset: &Asset, request: &HeaderMap, head: bool) -> Response {
    let accept = request.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let encoding = negotiate(accept, asset.brotli.is_some(), asset.gzip.is_some());
    let variant = variant(asset, encoding);
    let etag = variant.etag();
    let not_modified =
        request.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|list| etag_matches(list, etag));

    let (status, body) = if not_modified {
        (StatusCode::NOT_MODIFIED, Body::empty())
    } else if head {
        (StatusCode::OK, Body::empty())
    } else {
        (StatusCode::OK, Body::from(Bytes::from_static(variant.bytes)))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    insert(headers, header::ETAG, etag);
    insert(headers, header::CACHE_CONTROL, asset.cache_control);
    if asset.has_variants() {
        insert(headers, header::VARY, "accept-encoding");
    }
    if not_modified {
        return response;
    }
    insert(headers, header::CONTENT_TYPE, &asset.content_type);
    insert(headers, header::CONTENT_LENGTH, &variant.bytes.len().to_string());
    insert(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(coding) = encoding.header_value() {
        insert(headers, header::CONTENT_ENCODING, coding);
    }
    response
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 §13.1.2 prescribes; `*` matches).
pub(super) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag)
}

fn variant(asset: &Asset, encoding: Encoding) -> &Variant {
    let chosen = match encoding {
        Encoding::Brotli => asset.brotli.as_ref(),
        Encoding::Gzip => asset.gzip.as_ref(),
        Encoding::Identity => None,
    };
    chosen.unwrap_or(&asset.identity)
}

fn insert(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    // Every value here is ASCII we produced (MIME types, hex digests, numbers); a failure would drop one header.
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
