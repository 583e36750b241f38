//! Makes sure `web/dist` exists for `include_dir!` (a placeholder page until `cargo xtask ui` builds the UI).

fn main() {
    temps_bundle_build::ensure_ui_dist();
}
