//! Dying with the launcher. Under the GitHub-source launcher (`bundle/release`) the bundle is the child of a Bun
//! process that Temps stops with SIGKILL, which cannot be forwarded: without this, a host restart would find the old
//! bundle still holding the socket and the SQLite files. The launcher says it is the parent by setting
//! `TEMPS_BUNDLE_LAUNCHER_PID` to its pid; a bundle started by Temps directly has no such variable and is unaffected.

use nix::unistd::{Pid, getppid};

/// The variable the launcher sets (its own pid).
pub(crate) const LAUNCHER_PID_VAR: &str = "TEMPS_BUNDLE_LAUNCHER_PID";

/// When started by the launcher: arrange to be killed when it dies, or exit now if it already has. Runs first
/// thing on the launch path, before the handshake.
pub(crate) fn bind_to_launcher() {
    let Some(value) = std::env::var_os(LAUNCHER_PID_VAR) else { return };
    let Some(launcher) = value.to_str().and_then(|v| v.parse::<i32>().ok()).filter(|pid| *pid > 1).map(Pid::from_raw)
    else {
        exit(&format!("{LAUNCHER_PID_VAR}={value:?} is not a process id"));
    };
    if let Err(error) = die_with_parent() {
        exit(&format!("cannot arrange to die with the launcher: {error}"));
    }
    // The launcher may have died between spawning us and the line above; the death signal would then never come.
    if getppid() != launcher {
        exit(&format!("the launcher (pid {launcher}) is gone: our parent is pid {}", getppid()));
    }
    #[cfg(not(target_os = "linux"))]
    poll_parent(launcher);
}

/// Linux: SIGKILL when the parent dies (`PR_SET_PDEATHSIG`); it is cleared by nothing we do later (no setuid, no exec).
#[cfg(target_os = "linux")]
fn die_with_parent() -> nix::Result<()> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent() -> nix::Result<()> {
    Ok(())
}

/// Elsewhere there is no death signal: a thread notices the re-parenting within a quarter of a second. (Watching
/// stdin is no option: after the handshake the host may close it, and stdin belongs to the handshake reader.)
#[cfg(not(target_os = "linux"))]
fn poll_parent(launcher: Pid) {
    let spawned = std::thread::Builder::new().name("launcher-watch".into()).spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if getppid() != launcher {
                exit(&format!("the launcher (pid {launcher}) exited"));
            }
        }
    });
    if let Err(error) = spawned {
        exit(&format!("cannot watch the launcher: {error}"));
    }
}

/// One log line and exit status 1: there is no host to serve.
fn exit(message: &str) -> ! {
    tracing::error!("temps-bundle cannot run: {message}");
    std::process::exit(1)
}
