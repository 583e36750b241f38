//! Choosing a precompressed variant from the client's `Accept-Encoding` (RFC 9110 §12.5.3).

/// The encodings the UI server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value, `None` for identity.
    pub(super) fn header_value(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// The best encoding `accept_encoding` allows among those available: the highest `q` wins, brotli on ties
/// (it is smaller). Identity is the answer when nothing else is acceptable, even if the client refused it:
/// a body the client may not decode beats a 406 for a UI asset.
pub(super) fn negotiate(accept_encoding: Option<&str>, has_brotli: bool, has_gzip: bool) -> Encoding {
    let Some(accept_encoding) = accept_encoding else {
        return Encoding::Identity;
    };
    let brotli = quality(accept_encoding, &["br"]);
    let gzip = quality(accept_encoding, &["gzip", "x-gzip"]);
    let candidates = [(Encoding::Brotli, has_brotli, brotli), (Encoding::Gzip, has_gzip, gzip)];
    candidates
        .into_iter()
        .filter(|&(_, available, q)| available && q > 0.0)
        .fold(None, |best: Option<(Encoding, f32)>, (encoding, _, q)| match best {
            Some((_, best_q)) if best_q >= q => best,
            _ => Some((encoding, q)),
        })
        .map_or(Encoding::Identity, |(encoding, _)| encoding)
}

/// The `q` the header gives any of `names` (`*` when none is listed; 0 when neither is).
fn quality(accept_encoding: &str, names: &[&str]) -> f32 {
    let mut wildcard = 0.0;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|param| param.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if names.iter().any(|name| coding.eq_ignore_ascii_case(name)) {
            return q;
        }
        if coding == "*" {
            wildcard = q;
        }
    }
    wildcard
}
