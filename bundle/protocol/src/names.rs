//! Validation of the identifiers the protocol constrains: plugin names, versions and secrets.

/// The longest plugin name or version the host accepts.
pub const MAX_NAME_LEN: usize = 64;

/// Checks a plugin name: 1–64 of `[a-z0-9-]`, no leading, trailing or doubled `-` (`^[a-z0-9]+(-[a-z0-9]+)*$`).
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Err("is longer than 64 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err("may only contain a-z, 0-9 and '-'");
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Err("may not start or end with '-' or contain '--'");
    }
    Ok(())
}

/// Checks a plugin version: 1–64 of `[A-Za-z0-9.+-]`.
pub fn check_version(version: &str) -> Result<(), &'static str> {
    if version.is_empty() {
        return Err("is empty");
    }
    if version.len() > MAX_NAME_LEN {
        return Err("is longer than 64 characters");
    }
    if !version.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-')) {
        return Err("may only contain A-Z, a-z, 0-9, '.', '+' and '-'");
    }
    Ok(())
}

/// Names a bundle member may not take: the bundle's own routes (`/ui/`, `/health`, …) or names Temps reserves.
/// Anything starting with `_` is reserved too (`/_bundle/`, `/_events`, `/_temps/`).
pub const RESERVED_MEMBER_NAMES: &[&str] = &["ui", "health", "api", "assets", "plugins"];

/// Checks a member name: a valid plugin name ([`check_name`]) that is not reserved ([`RESERVED_MEMBER_NAMES`]).
pub fn check_member_name(name: &str) -> Result<(), &'static str> {
    check_name(name)?;
    if RESERVED_MEMBER_NAMES.contains(&name) {
        return Err("is reserved (reserved: ui, health, api, assets, plugins, and anything starting with '_')");
    }
    Ok(())
}

/// Checks an auth secret the way the official SDK does: `^[A-Za-z0-9_-]{32,256}$`.
pub fn check_secret(secret: &str) -> Result<(), &'static str> {
    if secret.trim().is_empty() {
        return Err("is empty or blank");
    }
    if !(32..=256).contains(&secret.len()) {
        return Err("must be 32 to 256 characters long");
    }
    if !secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err("may only contain A-Z, a-z, 0-9, '_' and '-'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "hello", "deploy-pulse", "a1-b2-c3", &"x".repeat(64)] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "Hello", "a_b", "a.b", "ü", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn member_names() {
        assert_eq!(check_member_name("notify"), Ok(()));
        assert!(check_member_name("ui").is_err_and(|why| why.starts_with("is reserved")));
        assert!(check_member_name("_bundle").is_err(), "a leading '_' is never a valid name");
        assert!(check_member_name("Notify").is_err());
        let listed = RESERVED_MEMBER_NAMES.join(", ");
        assert!(check_member_name("api").is_err_and(|why| why.contains(&listed)), "the message lists them all");
    }

    #[test]
    fn versions() {
        assert_eq!(check_version("1.4.0-rc.1+build.5"), Ok(()));
        assert!(check_version("").is_err());
        assert!(check_version("1 0").is_err());
    }

    #[test]
    fn secrets() {
        assert_eq!(check_secret("0f8fad5b-d9cb-469f-a165-70867728950e"), Ok(()));
        assert!(check_secret("   ").is_err());
        assert!(check_secret("short").is_err());
        assert!(check_secret(&format!("{}!", "a".repeat(40))).is_err());
    }
}
