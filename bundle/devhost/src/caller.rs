//! Who a proxied request comes from, and therefore which identity headers the host injects (§5).

/// The caller of a proxied request. Only Gen B hosts send identity; the odd variants exist to test a plugin's checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An authenticated Temps user: signature plus role, permissions, id and email.
    User { id: i64, email: String, role: String, permissions: Vec<String> },
    /// No Temps login: signature only (legitimate on public paths).
    Anonymous,
    /// A user identity with a wrong `x-temps-auth-signature`.
    WrongSecret,
    /// A user identity without any `x-temps-auth-signature`.
    NoSecret,
    /// The right signature but only `x-temps-user-role` of the identity headers.
    Partial,
}

/// The dev user's id and email.
pub const DEV_USER_ID: i64 = 1;
pub const DEV_USER_EMAIL: &str = "dev@localhost";

impl Caller {
    /// The dev user with the `admin` role.
    pub fn admin() -> Self {
        Self::user("admin")
    }

    /// The dev user with the given role and the permissions a user of that role typically has.
    pub fn user(role: &str) -> Self {
        Self::User {
            id: DEV_USER_ID,
            email: DEV_USER_EMAIL.to_owned(),
            role: role.to_owned(),
            permissions: permissions_for_role(role).iter().map(|p| (*p).to_owned()).collect(),
        }
    }
}

/// A plausible permission set per role; Temps computes these from its RBAC tables.
fn permissions_for_role(role: &str) -> &'static [&'static str] {
    const READ: &[&str] = &["projects:read", "deployments:read", "environments:read"];
    const WRITE: &[&str] =
        &["projects:read", "projects:write", "deployments:read", "deployments:write", "environments:read"];
    const ADMIN: &[&str] = &[
        "projects:read",
        "projects:write",
        "deployments:read",
        "deployments:write",
        "environments:read",
        "environments:write",
        "settings:read",
        "settings:write",
        "users:read",
        "users:write",
    ];
    match role {
        "admin" | "platform_admin" => ADMIN,
        "user" | "custom" => WRITE,
        "reader" | "api_reader" => READ,
        _ => &[],
    }
}
