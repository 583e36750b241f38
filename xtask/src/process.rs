//! Running external commands (cargo, npm, node, vite) with errors that name the command, its folder and its output.

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
    let output = command.stdin(Stdio::null()).output().with_context(|| format!("cannot start {what}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if !output.status.success() {
        bail!("{what} failed ({}):\n{}", output.status, indent(&text));
    }
    Ok(text)
}

/// Runs `command` and returns its stdout; stderr is shown only if it fails.
pub fn stdout_of(command: &mut Command) -> anyhow::Result<String> {
    let what = describe(command);
    let output = command.stdin(Stdio::null()).output().with_context(|| format!("cannot start {what}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("{what} failed ({}):\n{}", output.status, indent(&stderr));
    }
    String::from_utf8(output.stdout).with_context(|| format!("{what} printed something that is not UTF-8"))
}

/// `text` indented by four spaces, without terminal colour codes (some tools colour even when piped).
fn indent(text: &str) -> String {
    strip_ansi(text).lines().map(|l| format!("    {l}\n")).collect()
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_codes_are_stripped_from_captured_output() {
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[0m and \u{1b}[38;5;246mgrey\u{1b}[0m"), "red and grey");
    }

    #[test]
    fn failures_name_the_command_its_folder_and_its_output() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo oops; exit 3"]).current_dir("/");
        let error = run_quiet(&mut command).unwrap_err().to_string();
        assert!(error.contains("`sh -c echo oops; exit 3` (in /) failed"), "{error}");
        assert!(error.contains("    oops"), "{error}");
    }
}
