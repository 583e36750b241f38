//! Logs: JSON lines on stderr via `tracing`, level `info` unless `RUST_LOG` says otherwise (newest hosts clear the
//! environment, so the default must be useful on its own). Panics are logged the same way.

use tracing_subscriber::EnvFilter;

use crate::panic::panic_message;

/// Installs the JSON subscriber on stderr and a panic hook that logs through it. Safe to call twice.
pub(crate) fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .json()
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init()
        .is_ok();
    if installed {
        std::panic::set_hook(Box::new(|info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            tracing::error!(panic = %panic_message(info.payload()), %location, "a task panicked");
        }));
    }
}
