//! Header names of the host's HTTP proxy (§5) and the problem type it uses for authentication failures.

/// The installed plugin name; always sent.
pub const PLUGIN: &str = "x-temps-plugin";
/// A fresh UUIDv4 per proxied request; always sent.
pub const REQUEST_ID: &str = "x-temps-request-id";
/// The per-process secret, verbatim (Gen B only). Compared in constant time; nothing is HMAC-signed.
pub const AUTH_SIGNATURE: &str = "x-temps-auth-signature";
/// The caller's role, for authenticated callers.
pub const USER_ROLE: &str = "x-temps-user-role";
/// The caller's permissions, comma-separated.
pub const USER_PERMISSIONS: &str = "x-temps-user-permissions";
/// The caller's user id (an integer).
pub const USER_ID: &str = "x-temps-user-id";
/// The caller's email.
pub const USER_EMAIL: &str = "x-temps-user-email";
/// A short-lived token echoed back in channel `api_call`s, sent when the plugin declares capabilities.
pub const ACTOR_TOKEN: &str = "x-temps-actor-token";
/// Every header the host owns starts with this; the host strips client copies of them.
pub const PREFIX: &str = "x-temps-";

/// The problem type of the 401 a Gen B plugin answers when authentication fails.
pub const AUTH_REQUIRED_PROBLEM: &str = "https://temps.sh/problems/plugin-authentication-required";

/// Path of the platform channel WebSocket on the plugin's socket.
pub const CHANNEL_PATH: &str = "/_temps/channel";
/// Path the host posts events to when the channel is down.
pub const EVENTS_PATH: &str = "/_events";
