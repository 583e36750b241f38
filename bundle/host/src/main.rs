//! `temps-bundle`: the binary Temps runs. Thin on purpose: the member set and configuration come from the
//! library half of this crate, the behaviour from the engine.

use std::process::ExitCode;

fn main() -> ExitCode {
    temps_bundle_sdk::host::main(temps_bundle::config())
}
