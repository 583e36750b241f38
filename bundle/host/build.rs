//! Records build facts (target, profile) for the composite manifest's `bundle.build` key, and makes sure the shell
//! UI's `web/shell/dist` exists for `include_dir!` (a placeholder page until `cargo xtask ui` builds it).

fn main() {
    for (var, key) in [("TARGET", "TEMPS_BUNDLE_BUILD_TARGET"), ("PROFILE", "TEMPS_BUNDLE_BUILD_PROFILE")] {
        let value = std::env::var(var).unwrap_or_else(|_| "unknown".to_owned());
        println!("cargo:rustc-env={key}={value}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    temps_bundle_build::ensure_ui_dist_at("../../web/shell/dist");
}
