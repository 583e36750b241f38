//! The human-facing commands: `manifest`, `list`, `--version`, `--help`.

use std::process::Command;

use crate::support::{binary, expected_members};

fn run(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(binary()).args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (output.status.success(), text(output.stdout), text(output.stderr))
}

#[test]
fn manifest_prints_the_composite_without_starting_anything() {
    let (ok, stdout, _) = run(&["manifest"]);
    assert!(ok);
    let manifest: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(manifest["name"], "temps-bundle");
    assert_eq!(manifest["bundle"]["members"].as_array().unwrap().len(), expected_members().len());
    let (ok, stdout, _) = run(&["manifest", "--member", "hello", "--compact"]);
    assert!(ok);
    assert_eq!(stdout.lines().count(), 1);
    let (ok, _, stderr) = run(&["manifest", "--member", "nobody"]);
    assert!(!ok);
    assert!(stderr.contains("no member named \"nobody\""), "{stderr}");
}

#[test]
fn list_version_and_help() {
    let (ok, stdout, _) = run(&["list"]);
    assert!(ok);
    let rows: Vec<&str> = stdout.lines().collect();
    assert!(rows[0].starts_with("NAME"), "{stdout}");
    assert!(rows.iter().any(|r| r.starts_with("hello ") && r.contains("/hello")), "{stdout}");
    let (ok, stdout, _) = run(&["--version"]);
    assert!(ok && stdout.starts_with("temps-bundle "), "{stdout}");
    let (ok, stdout, _) = run(&["--help"]);
    assert!(ok && stdout.contains("manifest") && stdout.contains("--member"), "{stdout}");
}
