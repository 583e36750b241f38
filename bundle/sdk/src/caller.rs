//! Who is calling: the identity the host put in `x-temps-user-*` headers, as an extractor for handlers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

use crate::header_names as names;
use crate::host_headers::{HostHeaders, Seen};
use crate::problem::Problem;

/// The caller of a request. The engine verifies the host's signature and checks the identity headers before a
/// member's handler runs (removing them when they are not to be trusted); handlers extract `Caller` (built from
/// those checked headers; never fails) or [`User`] (401 for anonymous callers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A signed-in Temps user (or API key bound to one).
    User(User),
    /// No identity: a public path, or a Gen A host (which never sends identities).
    Anonymous,
}

/// An authenticated Temps user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    /// `admin`, `platform_admin`, `user`, `reader`, `api_reader`, `custom` or `metrics_ingest`.
    pub role: String,
    pub permissions: Vec<String>,
    /// Echoed back in channel `api_call`s on the caller's behalf; present when the member declares capabilities.
    pub actor_token: Option<String>,
}

/// The roles allowed to change settings and run destructive operations.
pub const ADMIN_ROLES: &[&str] = &["admin", "platform_admin"];

/// Why identity headers could not be turned into a [`Caller`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IdentityError {
    #[error("partial caller identity: {present} present but {missing} missing or empty")]
    Partial { present: String, missing: String },
    #[error("header {header} is not valid: {reason}")]
    Invalid { header: &'static str, reason: String },
    #[error("header {header} appears {count} times; the host sends it once")]
    Repeated { header: &'static str, count: usize },
}

impl Caller {
    /// Parses the identity headers: id + email + role all present ⇒ a user; all absent ⇒ anonymous; anything else
    /// is rejected (a host never sends a partial identity, so one means the request did not come from the host).
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Self, IdentityError> {
        Ok(match Identity::read(&HostHeaders::scan(headers))? {
            None => Caller::Anonymous,
            Some(identity) => Caller::User(identity.to_user()),
        })
    }

    /// Whether the identity headers name a user, with the checks and errors of [`Caller::from_headers`] but
    /// without building the [`User`] (no allocation): the engine checks every request, while only the handlers
    /// that extract a `Caller` need one built.
    pub(crate) fn check_headers(found: &HostHeaders<'_>) -> Result<bool, IdentityError> {
        match well_formed(found) {
            Some(user) => Ok(user),
            // Something the scan did not accept: the full read decides (an unused malformed header beside an
            // absent identity is still anonymous) and names what is wrong.
            None => Ok(Identity::read(found)?.is_some()),
        }
    }

    /// The user, or a 401 problem for anonymous callers.
    pub fn user(&self) -> Result<&User, Problem> {
        match self {
            Caller::User(user) => Ok(user),
            Caller::Anonymous => Err(Problem::authentication_required("this route needs a signed-in Temps user")),
        }
    }

    /// The user if their role is one of `roles`; 401 for anonymous callers, 403 for other roles.
    pub fn require_role(&self, roles: &[&str]) -> Result<&User, Problem> {
        let user = self.user()?;
        if roles.contains(&user.role.as_str()) {
            Ok(user)
        } else {
            Err(Problem::forbidden(format!(
                "role {:?} may not do this; it needs one of: {}",
                user.role,
                roles.join(", ")
            )))
        }
    }

    /// Shorthand for `require_role(ADMIN_ROLES)`.
    pub fn require_admin(&self) -> Result<&User, Problem> {
        self.require_role(ADMIN_ROLES)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(caller) => Ok(caller.clone()),
            None => Caller::from_headers(&parts.headers).map_err(|e| Problem::authentication_required(e.to_string())),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Caller::from_request_parts(parts, state).await?.user().cloned()
    }
}

/// The identity headers of a request, checked and borrowed.
struct Identity<'h> {
    id: i64,
    email: &'h str,
    role: &'h str,
    permissions: Option<&'h str>,
    actor_token: Option<&'h str>,
}

impl<'h> Identity<'h> {
    /// `None` when no identity is present; an error for a partial, repeated or malformed one.
    fn read(found: &HostHeaders<'h>) -> Result<Option<Self>, IdentityError> {
        let fields = [&names::USER_ID, &names::USER_EMAIL, &names::USER_ROLE];
        let id = header_str(found.user_id, &names::USER_ID);
        let email = header_str(found.user_email, &names::USER_EMAIL);
        let role = header_str(found.user_role, &names::USER_ROLE);
        let (id, email, role) = match (id?, email?, role?) {
            (None, None, None) => return Ok(None),
            (Some(id), Some(email), Some(role)) => (id, email, role),
            values => {
                // Only a request that did not come from the host gets here: the lists are built for the message.
                let given = [values.0.is_some(), values.1.is_some(), values.2.is_some()];
                let (present, missing): (Vec<_>, Vec<_>) = fields.iter().zip(given).partition(|(_, given)| *given);
                let list =
                    |of: Vec<(&&HeaderName, bool)>| of.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
                return Err(IdentityError::Partial { present: list(present), missing: list(missing) });
            }
        };
        let id = id.trim().parse::<i64>().map_err(|e| IdentityError::Invalid {
            header: names::USER_ID.as_str(),
            reason: format!("{id:?} is not an integer ({e})"),
        })?;
        let permissions = header_str(found.user_permissions, &names::USER_PERMISSIONS)?;
        let actor_token = header_str(found.actor_token, &names::ACTOR_TOKEN)?;
        Ok(Some(Identity { id, email, role, permissions, actor_token }))
    }

    fn to_user(&self) -> User {
        User {
            id: self.id,
            email: self.email.to_owned(),
            role: self.role.to_owned(),
            permissions: self
                .permissions
                .map(|list| list.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            actor_token: self.actor_token.map(str::to_owned),
        }
    }
}

/// The engine's check of every request, without the strings [`Identity::read`] makes: `Some(user?)` when the
/// identity headers are absent or well-formed as `read` would take them, `None` when any of them is not (then
/// `read` decides).
/// Host headers are ASCII, so the UTF-8 validation of each value is one ASCII scan of it; only an id is parsed.
fn well_formed(found: &HostHeaders<'_>) -> Option<bool> {
    // The value as `header_str` takes it (one value, trimmed, empty meaning absent), without its `&str`.
    fn given<'h>(seen: Seen<'h>) -> Option<Option<&'h [u8]>> {
        match seen.single().ok()?.map(HeaderValue::as_bytes) {
            Some(bytes) if !(bytes.is_ascii() || std::str::from_utf8(bytes).is_ok()) => None,
            value => Some(value.map(<[u8]>::trim_ascii).filter(|v| !v.is_empty())),
        }
    }
    let (id, email, role) = (given(found.user_id)?, given(found.user_email)?, given(found.user_role)?);
    given(found.user_permissions)?;
    given(found.actor_token)?;
    match (id, email, role) {
        (None, None, None) => Some(false),
        (Some(id), Some(_), Some(_)) => std::str::from_utf8(id).ok()?.parse::<i64>().ok().map(|_| true),
        _ => None,
    }
}

/// The one value of identity header `name` as UTF-8 (Temps sends emails and names as raw UTF-8 bytes), trimmed;
/// `None` when absent or empty. A repeated header is refused: which copy would win is exactly what a forger wants
/// to choose.
fn header_str<'h>(seen: Seen<'h>, name: &'static HeaderName) -> Result<Option<&'h str>, IdentityError> {
    let header = name.as_str();
    let Some(value) = seen.single().map_err(|count| IdentityError::Repeated { header, count })? else {
        return Ok(None);
    };
    let text = std::str::from_utf8(value.as_bytes()).map_err(|e| IdentityError::Invalid {
        header,
        reason: format!("it is not valid UTF-8 (invalid byte at offset {})", e.valid_up_to()),
    })?;
    // ASCII trimming: a header value's own whitespace is spaces and tabs (the parser already drops them around it).
    Ok(Some(text.trim_ascii()).filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use temps_bundle_protocol::headers;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn checking_agrees_with_parsing() {
        let cases: Vec<Vec<(&'static str, &str)>> = vec![
            vec![],
            vec![(headers::USER_ID, "7"), (headers::USER_EMAIL, "a@b.c"), (headers::USER_ROLE, "admin")],
            vec![(headers::USER_ROLE, "admin")],
            vec![(headers::USER_ID, "x"), (headers::USER_EMAIL, "a@b.c"), (headers::USER_ROLE, "user")],
            vec![(headers::USER_PERMISSIONS, "a,b")],
            vec![(headers::USER_ID, " 7 "), (headers::USER_EMAIL, "a@b.c"), (headers::USER_ROLE, "  ")],
            vec![
                (headers::USER_ID, "99999999999999999999"),
                (headers::USER_EMAIL, "a@b.c"),
                (headers::USER_ROLE, "user"),
            ],
        ];
        for case in cases {
            let map = headers(&case);
            let parsed = Caller::from_headers(&map).map(|c| c != Caller::Anonymous);
            assert_eq!(Caller::check_headers(&HostHeaders::scan(&map)), parsed, "{case:?}");
        }
    }

    /// The engine's ASCII fast path and the full read agree on raw bytes too: UTF-8 (an email), invalid UTF-8 in
    /// each header, repeated headers, with and without an identity.
    #[test]
    fn checking_agrees_with_parsing_on_raw_bytes() {
        let user: [(&'static str, &[u8]); 3] =
            [(headers::USER_ID, b"7"), (headers::USER_EMAIL, b"a@b.c"), (headers::USER_ROLE, b"admin")];
        let extra: [(&'static str, &[u8]); 2] = [(headers::USER_PERMISSIONS, b"a,b"), (headers::ACTOR_TOKEN, b"t")];
        let mut cases: Vec<Vec<(&'static str, Vec<u8>)>> = Vec::new();
        for with_user in [true, false] {
            let base: Vec<(&'static str, Vec<u8>)> =
                user.iter().filter(|_| with_user).chain(&extra).map(|(name, value)| (*name, value.to_vec())).collect();
            cases.push(base.clone());
            for (i, name) in base.iter().map(|(name, _)| *name).enumerate() {
                for bad in [&b"\xff\xfe"[..], "ü@b.c".as_bytes(), b"x"] {
                    let mut case = base.clone();
                    case[i].1 = bad.to_vec();
                    cases.push(case);
                }
                let mut repeated = base.clone();
                repeated.push((name, b"again".to_vec()));
                cases.push(repeated);
            }
        }
        for case in cases {
            let mut map = HeaderMap::new();
            for (name, value) in &case {
                map.append(*name, HeaderValue::from_bytes(value).unwrap());
            }
            let parsed = Caller::from_headers(&map).map(|c| c != Caller::Anonymous);
            assert_eq!(Caller::check_headers(&HostHeaders::scan(&map)), parsed, "{case:?}");
        }
    }

    #[test]
    fn full_identity_is_a_user() {
        let caller = Caller::from_headers(&headers(&[
            (headers::USER_ID, "7"),
            (headers::USER_EMAIL, "a@b.c"),
            (headers::USER_ROLE, "admin"),
            (headers::USER_PERMISSIONS, "projects:read, projects:write"),
        ]))
        .unwrap();
        let user = caller.require_admin().unwrap();
        assert_eq!(user.id, 7);
        assert_eq!(user.permissions, ["projects:read", "projects:write"]);
    }

    #[test]
    fn no_identity_is_anonymous_and_partial_is_rejected() {
        assert_eq!(Caller::from_headers(&HeaderMap::new()).unwrap(), Caller::Anonymous);
        let err = Caller::from_headers(&headers(&[(headers::USER_ROLE, "admin")])).unwrap_err();
        assert!(err.to_string().contains("x-temps-user-id, x-temps-user-email missing"), "{err}");
        let err = Caller::from_headers(&headers(&[
            (headers::USER_ID, "x"),
            (headers::USER_EMAIL, "a@b.c"),
            (headers::USER_ROLE, "user"),
        ]))
        .unwrap_err();
        assert!(matches!(err, IdentityError::Invalid { .. }));
    }

    #[test]
    fn identities_are_utf8_and_refused_when_not() {
        let mut map = headers(&[(headers::USER_ID, "7"), (headers::USER_ROLE, "user")]);
        map.insert(headers::USER_EMAIL, HeaderValue::from_bytes("zoë@exämple.com".as_bytes()).unwrap());
        let Caller::User(user) = Caller::from_headers(&map).unwrap() else { panic!("not a user") };
        assert_eq!(user.email, "zoë@exämple.com");
        map.insert(headers::USER_EMAIL, HeaderValue::from_bytes(b"zo\xff@example.com").unwrap());
        let err = Caller::from_headers(&map).unwrap_err().to_string();
        assert!(err.contains("x-temps-user-email") && err.contains("not valid UTF-8"), "{err}");
    }

    #[test]
    fn repeated_identity_headers_are_refused() {
        for name in
            [headers::USER_ID, headers::USER_EMAIL, headers::USER_ROLE, headers::USER_PERMISSIONS, headers::ACTOR_TOKEN]
        {
            let mut map = headers(&[
                (headers::USER_ID, "7"),
                (headers::USER_EMAIL, "a@b.c"),
                (headers::USER_ROLE, "user"),
                (headers::USER_PERMISSIONS, "p"),
                (headers::ACTOR_TOKEN, "t"),
            ]);
            map.append(name, HeaderValue::from_static("admin"));
            let err = Caller::from_headers(&map).unwrap_err();
            assert_eq!(err, IdentityError::Repeated { header: name, count: 2 });
        }
    }

    #[test]
    fn roles() {
        let reader = Caller::User(User {
            id: 1,
            email: "r@x".into(),
            role: "reader".into(),
            permissions: vec![],
            actor_token: None,
        });
        assert_eq!(reader.require_admin().unwrap_err().status, 403);
        assert_eq!(Caller::Anonymous.require_admin().unwrap_err().status, 401);
    }
}
