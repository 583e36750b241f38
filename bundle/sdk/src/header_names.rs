//! The host's signature and identity headers as parsed `HeaderName`s, for the lookups every member request makes:
//! a `HeaderMap` lookup by `&str` validates and lower-cases the name on each call, one by `&HeaderName` only hashes.

use axum::http::HeaderName;
use temps_bundle_protocol::headers;

pub(crate) static AUTH_SIGNATURE: HeaderName = HeaderName::from_static(headers::AUTH_SIGNATURE);
pub(crate) static USER_ID: HeaderName = HeaderName::from_static(headers::USER_ID);
pub(crate) static USER_EMAIL: HeaderName = HeaderName::from_static(headers::USER_EMAIL);
pub(crate) static USER_ROLE: HeaderName = HeaderName::from_static(headers::USER_ROLE);
pub(crate) static USER_PERMISSIONS: HeaderName = HeaderName::from_static(headers::USER_PERMISSIONS);
pub(crate) static ACTOR_TOKEN: HeaderName = HeaderName::from_static(headers::ACTOR_TOKEN);

/// Every identity header: what the engine removes when the identity is not to be trusted.
pub(crate) static IDENTITY: [&HeaderName; 5] = [&USER_ID, &USER_EMAIL, &USER_ROLE, &USER_PERMISSIONS, &ACTOR_TOKEN];
