//! Turning the request path after `/ui/` into a path inside the embedded tree, refusing anything that could leave it.
//!
//! Browsers normalise `..` before sending, so only crafted requests carry one; they are refused outright rather than
//! resolved, as are their percent-encoded (`%2e%2e`) and backslash spellings, empty segments (`//`, which would
//! make an absolute path) and NUL bytes.

use std::fmt;

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rejection {
    /// A `%` not followed by two hex digits, or bytes that are not UTF-8 once decoded.
    BadEncoding,
    /// A `.`/`..`/empty segment, a backslash or a NUL byte.
    OutsideTree,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::BadEncoding => f.write_str("the UI path is not valid percent-encoded UTF-8"),
            Rejection::OutsideTree => f.write_str("the UI path has `.`, `..` or empty segments, or a backslash"),
        }
    }
}

/// A checked path inside the embedded tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AssetPath {
    /// The file to look up: `""` → `index.html`, `a/b/` → `a/b/index.html`, `assets/x.js` → itself.
    pub(super) file: String,
    /// Whether the request names a client-side route rather than a file (its last segment is empty or has no
    /// extension): only those fall back to the root `index.html` when missing.
    pub(super) route_like: bool,
}

/// The tree path for the (still percent-encoded) request path after `/ui/`.
pub(super) fn asset_path(encoded: &str) -> Result<AssetPath, Rejection> {
    let decoded = percent_decode(encoded)?;
    if decoded.contains(['\\', '\0']) {
        return Err(Rejection::OutsideTree);
    }
    let (dir, file) = match decoded.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, decoded.as_str()),
    };
    if let Some(dir) = dir
        && dir.split('/').any(|segment| !is_plain(segment))
    {
        return Err(Rejection::OutsideTree);
    }
    let route_like = !file.contains('.');
    match file {
        "" => Ok(AssetPath { file: format!("{decoded}index.html"), route_like }),
        "." | ".." => Err(Rejection::OutsideTree),
        _ => Ok(AssetPath { file: decoded, route_like }),
    }
}

fn is_plain(segment: &str) -> bool {
    !matches!(segment, "" | "." | "..")
}

fn percent_decode(encoded: &str) -> Result<String, Rejection> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = bytes.get(i + 1).and_then(|b| hex_value(*b));
            let low = bytes.get(i + 2).and_then(|b| hex_value(*b));
            let (Some(high), Some(low)) = (high, low) else {
                return Err(Rejection::BadEncoding);
            };
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Rejection::BadEncoding)
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).and_then(|d| u8::try_from(d).ok())
}
