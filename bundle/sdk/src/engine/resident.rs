//! Keeping the resident set to what the bundle is doing now: right after `ready` (the start-up peak is over) and
//! then every [`RELEASE_INTERVAL`], the kits' hooks close what sits idle ([`crate::memory`]), the freed heap memory
//! goes back to the system ([`super::heap`]) and the binary's code leaves the resident set ([`super::code_pages`]).
//! What runs steadily maps its code back within the interval; what ran once (start-up, a finished crawl, a quiet
//! store) stays out. An idle bundle ends up with the code of its runtime and timers resident, whatever its members
//! did before.

use std::time::{Duration, Instant};

/// How often the bundle gives memory back after the first time. A release takes 1–5 ms (most of it reading
/// `/proc/self/smaps`); code that runs afterwards costs a minor fault per 64 KiB it maps back.
pub(crate) const RELEASE_INTERVAL: Duration = Duration::from_secs(30);

/// Releases now, then every [`RELEASE_INTERVAL`], on the runtime: a blocking thread would itself stay resident.
pub(crate) fn spawn_periodic_release() {
    tokio::spawn(async {
        let mut tick = tokio::time::interval(RELEASE_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            release().await;
        }
    });
}

async fn release() {
    let started = Instant::now();
    let hooks = crate::memory::run_hooks().await;
    let heap_released = super::heap::release_free_memory();
    match super::code_pages::drop_resident() {
        Ok(code) => tracing::debug!(
            hooks,
            heap_released,
            %code,
            took_us = started.elapsed().as_micros() as u64,
            "memory given back (freed heap pages; the binary's code, which stays in the page cache)"
        ),
        Err(error) => {
            tracing::warn!(hooks, heap_released, %error, "could not unmap the binary's code; it stays resident")
        }
    }
}
