//! The index of an embedded UI tree: every file with its MIME type, cache policy and precompressed variants.
//!
//! `x.br` and `x.gz` next to `x` are not files of their own but encodings of `x` (the xtask's Vite build writes
//! them); a lone `.br`/`.gz` without its original is served as an ordinary file.

use std::collections::HashMap;
use std::sync::OnceLock;

use include_dir::{Dir, DirEntry, File};
use sha2::{Digest, Sha256};

/// All servable files of one UI tree, by their path relative to the tree's root (`assets/app-abc123.js`).
pub(super) struct Assets {
    files: HashMap<String, Asset>,
}

/// One file and its precompressed variants.
pub(super) struct Asset {
    pub(super) content_type: String,
    pub(super) cache_control: &'static str,
    pub(super) identity: Variant,
    pub(super) brotli: Option<Variant>,
    pub(super) gzip: Option<Variant>,
}

/// The bytes of one encoding of a file, with its ETag computed on first use.
pub(super) struct Variant {
    pub(super) bytes: &'static [u8],
    etag: OnceLock<String>,
}

/// `Cache-Control` for HTML: always revalidate (a new build changes what index.html points to).
pub(super) const NO_CACHE: &str = "no-cache";
/// `Cache-Control` for Vite's content-hashed assets: their name changes whenever their content does.
pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

impl Assets {
    /// Indexes every file of `dir`, recursively; precompressed variants are served unless
    /// `TEMPS_BUNDLE_UI_PRECOMPRESSED=0` (for previews that decompress but keep `Content-Encoding`, such as
    /// upstream's `temps plugin dev`).
    pub(super) fn new(dir: &'static Dir<'static>) -> Self {
        let precompressed = std::env::var("TEMPS_BUNDLE_UI_PRECOMPRESSED").map_or(true, |v| v.trim() != "0");
        Self::with_precompressed(dir, precompressed)
    }

    /// [`Self::new`] with the choice made by the caller: without variants every answer is the identity bytes.
    pub(super) fn with_precompressed(dir: &'static Dir<'static>, precompressed: bool) -> Self {
        let mut all: HashMap<String, &'static File<'static>> = HashMap::new();
        collect(dir, &mut all);
        let files = all
            .iter()
            .filter(|(path, _)| !is_variant_of_existing(path, &all))
            .map(|(path, file)| (path.clone(), asset(path, file, &all, precompressed)))
            .collect();
        Self { files }
    }

    /// The file at `path`, if the tree has it.
    pub(super) fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// The root `index.html`, the SPA fallback.
    pub(super) fn index(&self) -> Option<&Asset> {
        self.get("index.html")
    }
}

impl Asset {
    /// Whether the file has precompressed variants (then responses vary by `Accept-Encoding`).
    pub(super) fn has_variants(&self) -> bool {
        self.brotli.is_some() || self.gzip.is_some()
    }
}

impl Variant {
    fn new(bytes: &'static [u8]) -> Self {
        Self { bytes, etag: OnceLock::new() }
    }

    /// A strong ETag: the first 128 bits of the SHA-256 of these bytes, quoted. Each encoding has its own, as
    /// strong validators must differ between representations.
    pub(super) fn etag(&self) -> &str {
        self.etag.get_or_init(|| {
            let digest = Sha256::digest(self.bytes);
            let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!("\"{hex}\"")
        })
    }
}

/// The `Cache-Control` of a file: `no-cache` for HTML, `immutable` for hashed assets (`assets/name-HASH.ext`),
/// and `no-cache` for the rest too (`favicon.svg`, `robots.txt` keep their name across builds; the ETag makes the
/// revalidation a cheap 304).
pub(super) fn cache_control(path: &str) -> &'static str {
    if is_hashed_asset(path) { IMMUTABLE } else { NO_CACHE }
}

/// Whether `path` is a Vite output file with a content hash in its name: under `assets/`, and its stem ends with
/// `-` and at least 6 characters of Vite's hash alphabet (`index-BmW3zkXc.js`, `app-abc123.js`).
pub(super) fn is_hashed_asset(path: &str) -> bool {
    let Some(file) = path.strip_prefix("assets/") else {
        return false;
    };
    let stem = file.rsplit('/').next().and_then(|name| name.split('.').next()).unwrap_or("");
    stem.match_indices('-').any(|(at, _)| {
        let hash = stem.get(at + 1..).unwrap_or("");
        hash.len() >= 6 && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
}

/// The `Content-Type` of `path`: guessed from its extension, with `charset=utf-8` on text types.
pub(super) fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = mime.essence_str();
    if mime.type_() == mime_guess::mime::TEXT || essence == "application/javascript" {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

fn asset(
    path: &str,
    file: &'static File<'static>,
    all: &HashMap<String, &'static File<'static>>,
    precompressed: bool,
) -> Asset {
    let sibling = |suffix: &str| {
        all.get(&format!("{path}{suffix}")).filter(|_| precompressed).map(|f| Variant::new(f.contents()))
    };
    Asset {
        content_type: content_type(path),
        cache_control: cache_control(path),
        identity: Variant::new(file.contents()),
        brotli: sibling(".br"),
        gzip: sibling(".gz"),
    }
}

fn is_variant_of_existing(path: &str, all: &HashMap<String, &'static File<'static>>) -> bool {
    let original = path.strip_suffix(".br").or_else(|| path.strip_suffix(".gz"));
    original.is_some_and(|original| all.contains_key(original))
}

fn collect(dir: &'static Dir<'static>, into: &mut HashMap<String, &'static File<'static>>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => collect(sub, into),
            DirEntry::File(file) => {
                // Paths are relative to the tree's root; join components with `/` whatever the build platform.
                let path: Vec<String> =
                    file.path().components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                into.insert(path.join("/"), file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vite_output_names_are_hashed_assets() {
        let cases = [
            ("assets/index-BmW3zkXc.js", true),
            ("assets/index-Dz9w7XDj.css", true),
            ("assets/app-abc123.js", true),
            ("assets/vendor-B-x3_abc.js", true),
            ("assets/logo-a1b2c3d4.svg", true),
            ("assets/logo.svg", false),
            ("assets/app-abc.js", false),
            ("index.html", false),
            ("favicon-abcdef12.svg", false),
            ("assets", false),
        ];
        for (path, hashed) in cases {
            assert_eq!(is_hashed_asset(path), hashed, "{path}");
        }
    }

    #[test]
    fn text_types_carry_a_charset() {
        let cases = [
            ("index.html", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.json", "application/json"),
            ("a.png", "image/png"),
            ("a.woff2", "font/woff2"),
            ("no-extension", "application/octet-stream"),
        ];
        for (path, expected) in cases {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }
}
