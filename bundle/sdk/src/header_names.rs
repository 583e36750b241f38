//! The identity headers as parsed `HeaderName`s, for naming them in messages and removing them from requests whose
//! identity is not trusted (a `HeaderMap` call by `&str` validates and lower-cases the name each time). Reading
//! them is one pass over the map (`host_headers`).

use axum::http::HeaderName;
use temps_bundle_protocol::headers;

pub(crate) static USER_ID: HeaderName = HeaderName::from_static(headers::USER_ID);
pub(crate) static USER_EMAIL: HeaderName = HeaderName::from_static(headers::USER_EMAIL);
pub(crate) static USER_ROLE: HeaderName = HeaderName::from_static(headers::USER_ROLE);
pub(crate) static USER_PERMISSIONS: HeaderName = HeaderName::from_static(headers::USER_PERMISSIONS);
pub(crate) static ACTOR_TOKEN: HeaderName = HeaderName::from_static(headers::ACTOR_TOKEN);

/// Every identity header: what the engine removes when the identity is not to be trusted.
pub(crate) static IDENTITY: [&HeaderName; 5] = [&USER_ID, &USER_EMAIL, &USER_ROLE, &USER_PERMISSIONS, &ACTOR_TOKEN];
