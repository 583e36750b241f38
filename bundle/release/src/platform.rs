//! The platforms a release can carry, under each of the names the outside world uses for them: the launcher's
//! `bin/<dir>/` folder, Temps' registry key, npm's `os`/`cpu`/`libc`, Node's `process.platform`/`arch`, and Bun's
//! `--target`.

/// One platform a bundle binary can be built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// `bin/<dir>/` in the launcher folder and the npm package's suffix: `linux-x64`, `darwin-arm64`, …
    pub dir: &'static str,
    /// Temps' registry platform key (`temps-install.md`): `linux-amd64-gnu`, …
    pub registry_key: &'static str,
    /// npm `os` and Node's `process.platform`.
    pub os: &'static str,
    /// npm `cpu` and Node's `process.arch`.
    pub cpu: &'static str,
    /// npm `libc` (Linux only).
    pub libc: Option<&'static str>,
    /// The `bun build --compile --target` a Temps host on this platform uses.
    pub bun_target: &'static str,
}

/// Every platform Temps' registry and GitHub-source builder know.
pub const PLATFORMS: &[Platform] = &[
    platform("linux-x64", "linux-amd64-gnu", "linux", "x64", Some("glibc"), "bun-linux-x64-baseline"),
    platform("linux-arm64", "linux-arm64-gnu", "linux", "arm64", Some("glibc"), "bun-linux-arm64"),
    platform("linux-x64-musl", "linux-amd64-musl", "linux", "x64", Some("musl"), "bun-linux-x64-musl"),
    platform("linux-arm64-musl", "linux-arm64-musl", "linux", "arm64", Some("musl"), "bun-linux-arm64-musl"),
    platform("darwin-x64", "darwin-amd64", "darwin", "x64", None, "bun-darwin-x64"),
    platform("darwin-arm64", "darwin-arm64", "darwin", "arm64", None, "bun-darwin-arm64"),
];

const fn platform(
    dir: &'static str,
    registry_key: &'static str,
    os: &'static str,
    cpu: &'static str,
    libc: Option<&'static str>,
    bun_target: &'static str,
) -> Platform {
    Platform { dir, registry_key, os, cpu, libc, bun_target }
}

impl Platform {
    /// The platform named by any of its names (`linux-x64`, `linux-amd64-gnu`, `bun-linux-x64-baseline`).
    pub fn find(name: &str) -> Option<&'static Platform> {
        PLATFORMS.iter().find(|p| p.dir == name || p.registry_key == name || p.bun_target == name)
    }

    /// The platform this code was compiled for, if Temps knows it.
    pub fn current() -> Option<&'static Platform> {
        let cpu = match std::env::consts::ARCH {
            "x86_64" => "x64",
            "aarch64" => "arm64",
            _ => return None,
        };
        let os = match std::env::consts::OS {
            "linux" => "linux",
            "macos" => "darwin",
            _ => return None,
        };
        let libc = (os == "linux").then_some(if cfg!(target_env = "musl") { "musl" } else { "glibc" });
        PLATFORMS.iter().find(|p| p.os == os && p.cpu == cpu && p.libc == libc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_finds_its_platform_and_names_are_unique() {
        for p in PLATFORMS {
            for name in [p.dir, p.registry_key, p.bun_target] {
                assert_eq!(Platform::find(name), Some(p), "{name}");
            }
        }
        assert_eq!(Platform::find("windows-x64"), None);
    }

    #[test]
    fn the_build_machine_is_a_known_platform() {
        if cfg!(all(target_os = "linux", target_arch = "x86_64", target_env = "gnu")) {
            assert_eq!(Platform::current().map(|p| p.dir), Some("linux-x64"));
        }
    }
}
