//! Running external commands (cargo, npm, node, vite) with errors that name the command, its folder and its output.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

/// `program arg…` (and `(in <dir>)` when the command has a working directory), for messages.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    let line = words.join(" ");
    match command.get_current_dir() {
        Some(dir) => format!("`{line}` (in {})", dir.display()),
        None => format!("`{line}`"),
    }
}

/// Runs `command` with the terminal's stdin/stdout/stderr; fails when it exits non-zero.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let what = describe(command);
    let status = command.status().with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Runs `command` with its output captured; fails with that output when it exits non-zero.
/// Returns stdout and stderr, interleaved per stream (stdout first).
pub fn run_quiet(command: &mut Command) -> anyhow::Result<String> {
    let what = describe(command);
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        bail!("{what} failed ({}):\n{}", output.status, indent(&text));
    }
    Ok(text)
}

/// Runs `command` and returns its stdout; stderr is shown only if it fails.
pub fn stdout_of(command: &mut Command) -> anyhow::Result<String> {
    let what = describe(command);
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start {what}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("{what} failed ({}):\n{}", output.status, indent(&stderr));
    }
    String::from_utf8(output.stdout).with_context(|| format!("{what} printed something that is not UTF-8"))
}

/// Whether `program --version` runs (the program is installed and on `PATH`).
pub fn available(program: impl AsRef<Path>) -> bool {
    Command::new(program.as_ref())
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
