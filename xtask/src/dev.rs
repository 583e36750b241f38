//! `cargo xtask dev`: will run the bundle under the dev host (`temps-devhost`) with the UIs built. Not wired yet.

/// Always fails: the dev host's command line is not wired here yet.
pub fn run() -> anyhow::Result<()> {
    anyhow::bail!(
        "not yet: needs the dev host (meanwhile: cargo build -p temps-bundle -p temps-bundle-devhost && target/debug/temps-devhost -- target/debug/temps-bundle)"
    )
}
