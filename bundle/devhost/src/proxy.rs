//! The header rules of the Temps HTTP proxy (§5): what is stripped from the client's request and what is injected.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use temps_bundle_protocol::manifest::path_has_prefix;
use temps_bundle_protocol::{Generation, headers};

use crate::caller::{Caller, DEV_USER_EMAIL, DEV_USER_ID};
use crate::error::DevHostError;

/// Client headers the host drops: credentials, everything it owns, and hop-by-hop headers.
const STRIPPED: &[HeaderName] = &[
    header::COOKIE,
    header::AUTHORIZATION,
    header::PROXY_AUTHORIZATION,
    header::HOST,
    header::CONNECTION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::CONTENT_LENGTH,
];

/// Paths the host never forwards (it answers 404 itself).
pub(crate) fn is_never_forwarded(path: &str) -> bool {
    path_has_prefix(path, headers::EVENTS_PATH) || path_has_prefix(path, headers::CHANNEL_PATH)
}

/// The client's headers minus what the host strips.
pub(crate) fn forwardable(client: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for (name, value) in client {
        let hop_by_hop =
            STRIPPED.contains(name) || name.as_str() == "keep-alive" || name.as_str() == "proxy-connection";
        if !hop_by_hop && !name.as_str().starts_with(headers::PREFIX) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

/// What the host adds for one request.
pub(crate) struct Injected<'a> {
    pub(crate) generation: Generation,
    pub(crate) plugin_name: &'a str,
    pub(crate) secret: &'a str,
    pub(crate) caller: &'a Caller,
    /// Minted only for user callers of plugins that declare capabilities.
    pub(crate) actor_token: Option<String>,
}

/// Sets the host's headers: plugin and request id always; in Gen B the signature and the caller's identity.
pub(crate) fn inject(headers_out: &mut HeaderMap, injected: &Injected<'_>) -> Result<(), DevHostError> {
    set(headers_out, headers::PLUGIN, injected.plugin_name)?;
    set(headers_out, headers::REQUEST_ID, &uuid::Uuid::new_v4().to_string())?;
    if injected.generation == Generation::A {
        return Ok(());
    }
    let wrong_secret = format!("wrong-{}", uuid::Uuid::new_v4());
    let signature = match injected.caller {
        Caller::WrongSecret => Some(wrong_secret.as_str()),
        Caller::NoSecret => None,
        _ => Some(injected.secret),
    };
    if let Some(signature) = signature {
        set(headers_out, headers::AUTH_SIGNATURE, signature)?;
    }
    match injected.caller {
        Caller::User { id, email, role, permissions } => {
            set_identity(headers_out, *id, email, role, &permissions.join(","))?;
            if let Some(token) = &injected.actor_token {
                set(headers_out, headers::ACTOR_TOKEN, token)?;
            }
        }
        Caller::WrongSecret | Caller::NoSecret => {
            set_identity(headers_out, DEV_USER_ID, DEV_USER_EMAIL, "admin", "projects:read")?;
        }
        Caller::Partial => set(headers_out, headers::USER_ROLE, "admin")?,
        Caller::Anonymous => {}
    }
    Ok(())
}

fn set_identity(out: &mut HeaderMap, id: i64, email: &str, role: &str, permissions: &str) -> Result<(), DevHostError> {
    set(out, headers::USER_ID, &id.to_string())?;
    set(out, headers::USER_EMAIL, email)?;
    set(out, headers::USER_ROLE, role)?;
    set(out, headers::USER_PERMISSIONS, permissions)
}

fn set(out: &mut HeaderMap, name: &'static str, value: &str) -> Result<(), DevHostError> {
    // Temps sends identity values (emails, names) as raw UTF-8 bytes, so non-ASCII ones go out as they are.
    let value = HeaderValue::from_bytes(value.as_bytes())
        .map_err(|_| DevHostError::InvalidRequest(format!("`{value}` cannot be sent as the {name} header")))?;
    out.insert(HeaderName::from_static(name), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_headers() -> HeaderMap {
        let mut client = HeaderMap::new();
        for (name, value) in [
            ("cookie", "session=1"),
            ("authorization", "Bearer t"),
            ("x-temps-user-role", "admin"),
            ("X-Temps-Auth-Signature", "forged"),
            ("accept", "application/json"),
            ("connection", "keep-alive"),
        ] {
            client.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_static(value));
        }
        client
    }

    fn names(map: &HeaderMap) -> Vec<&str> {
        let mut names: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn strips_credentials_and_host_headers() {
        assert_eq!(names(&forwardable(&client_headers())), ["accept"]);
    }

    #[test]
    fn injected_headers_per_generation_and_caller() {
        let check = |generation, caller: Caller, want: &[&str]| {
            let mut out = HeaderMap::new();
            let injected = Injected { generation, plugin_name: "p", secret: "s", caller: &caller, actor_token: None };
            inject(&mut out, &injected).unwrap();
            let mut want = want.to_vec();
            want.sort_unstable();
            assert_eq!(names(&out), want, "{generation:?} {caller:?}");
        };
        let base = ["x-temps-plugin", "x-temps-request-id"];
        let identity = ["x-temps-user-id", "x-temps-user-email", "x-temps-user-role", "x-temps-user-permissions"];
        check(Generation::A, Caller::admin(), &base);
        check(Generation::B, Caller::Anonymous, &[&base[..], &["x-temps-auth-signature"]].concat());
        check(Generation::B, Caller::admin(), &[&base[..], &["x-temps-auth-signature"], &identity[..]].concat());
        check(Generation::B, Caller::NoSecret, &[&base[..], &identity[..]].concat());
        check(Generation::B, Caller::Partial, &[&base[..], &["x-temps-auth-signature", "x-temps-user-role"]].concat());
    }

    #[test]
    fn never_forwarded_paths() {
        for (path, want) in
            [("/_events", true), ("/_temps/channel", true), ("/_events/x", true), ("/_eventsx", false), ("/ui/", false)]
        {
            assert_eq!(is_never_forwarded(path), want, "{path}");
        }
    }
}
