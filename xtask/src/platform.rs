//! The Temps platform key of the machine building the bundle (temps-protocol.md §10: `linux-amd64-gnu`, …).
//!
//! The bundle is built for the host (no `--target`), so the xtask's own compile-time target is the bundle's.

/// `linux-amd64-gnu`, `linux-arm64-musl`, `darwin-arm64`, …; `<os>-<arch>` for platforms Temps does not list.
pub fn platform_key() -> String {
    key(std::env::consts::OS, std::env::consts::ARCH, cfg!(target_env = "musl"))
}

fn key(os: &str, arch: &str, musl: bool) -> String {
    let arch = match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    match os {
        "linux" => format!("linux-{arch}-{}", if musl { "musl" } else { "gnu" }),
        "macos" => format!("darwin-{arch}"),
        other => format!("{other}-{arch}"),
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn keys_follow_the_registry_names() {
        assert_eq!(key("linux", "x86_64", false), "linux-amd64-gnu");
        assert_eq!(key("linux", "x86_64", true), "linux-amd64-musl");
        assert_eq!(key("linux", "aarch64", false), "linux-arm64-gnu");
        assert_eq!(key("macos", "aarch64", false), "darwin-arm64");
        assert_eq!(key("macos", "x86_64", false), "darwin-amd64");
    }
}
