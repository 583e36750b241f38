//! Synthetic members for `cargo xtask bench`, linked into `temps-bundle` only by its `bench-members-1|10|100`
//! features: `synth-000` … `synth-099`, each answering `GET /ping` with `pong` and nothing else, so a benchmark
//! measures what the runtime costs per member (start-up, memory, dispatch) rather than what a member does.

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
        Router::new().route("/ping", axum::routing::get(|| async { "pong" }))
    }
}

/// `register!` for each listed member number.
macro_rules! register_synth {
    ($($n:literal)*) => {
        $(temps_bundle_sdk::register!(Synth<$n>);)*
    };
}

register_synth!(0);

#[cfg(feature = "ten")]
register_synth!(1 2 3 4 5 6 7 8 9);

#[cfg(feature = "hundred")]
register_synth!(
    10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39
    40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69
    70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99
);
