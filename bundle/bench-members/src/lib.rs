//! The synthetic member type for `cargo xtask bench`: `Synth<N>` is `synth-NNN`, answering `GET /ping` with `pong`
//! and nothing else, so a benchmark measures what the runtime costs per member (start-up, memory, dispatch) rather
//! than what a member does. This crate registers nothing: the bench generates one small crate per member count
//! (`target/bench/synth/synth-<n>/`) that registers `Synth<0>` … `Synth<n-1>`, and a bundle file naming them.

use temps_bundle_sdk::prelude::*;

/// The synthetic member number `N`, registered as `synth-NNN`.
#[derive(Default)]
pub struct Synth<const N: usize>;

impl<const N: usize> Plugin for Synth<N> {
    type State = ();

    fn manifest(&self) -> PluginManifest {
        ManifestBuilder::new(&format!("synth-{N:03}"), "0.0.1").display_name(&format!("Synth {N:03} (bench)")).build()
    }

    async fn on_start(&self, _ctx: &Context) -> Result<(), BoxError> {
        Ok(())
    }

    fn router(&self, _ctx: &Context, _state: ()) -> Router {
        Router::new().route("/ping", axum::routing::get(pong))
    }
}

/// One handler for every `Synth<N>`: a closure here would be a new type, and so new machine code, per member, and
/// the request-cost rows would then measure the instruction cache as much as the runtime.
async fn pong() -> &'static str {
    "pong"
}
