//! The checks that need the built binary: what each member crate registered (its hidden `registered` command
//! lists the `inventory` without validating it) against what the bundle file names.
//!
//! Each member's crate must register exactly the members the file names for it: normally one, under the
//! file's key. A crate that holds several members (the repository's `bundle/test-members`) is named once per
//! member with the same source; one that registers something the file does not name is refused.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::error::BundleError;
use crate::metadata::MemberPackage;

/// One entry of `<binary> registered`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Registered {
    pub package: String,
    pub name: String,
    pub version: String,
}

/// Runs `<binary> registered`.
pub fn read(binary: &Path) -> Result<Vec<Registered>, BundleError> {
    let what = format!("`{} registered`", binary.display());
    let output = Command::new(binary)
        .arg("registered")
        .output()
        .map_err(|source| BundleError::Spawn { command: what.clone(), source })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr).trim_end().to_owned();
        return Err(BundleError::Command { command: what, output: text });
    }
    serde_json::from_slice(&output.stdout).map_err(|e| BundleError::Output { what, message: e.to_string() })
}

/// Every mismatch between the file's members and what registered, each naming the member, its crate and the fix.
pub fn check(members: &[MemberPackage], registered: &[Registered]) -> Result<(), BundleError> {
    let mut problems = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&Registered>> = BTreeMap::new();
    for entry in registered {
        by_name.entry(entry.name.as_str()).or_default().push(entry);
    }
    for (name, entries) in &by_name {
        if entries.len() > 1 {
            let packages: Vec<&str> = entries.iter().map(|e| e.package.as_str()).collect();
            problems.push(format!(
                "two members are named `{name}` (registered by {}): member names must be unique",
                packages.join(" and ")
            ));
        }
    }
    let mut packages: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for member in members {
        packages.entry(member.package.name.as_str()).or_default().push(member.member.as_str());
    }
    for (package, keys) in &packages {
        let mut declared: Vec<&str> =
            registered.iter().filter(|r| r.package == *package).map(|r| r.name.as_str()).collect();
        declared.sort_unstable();
        problems.extend(package_problems(package, keys, &declared));
    }
    for entry in registered {
        if !packages.contains_key(entry.package.as_str()) {
            problems.push(format!(
                "package {} registers member `{}` but is not a member of the bundle file (a member's dependency \
                 must not register plugins itself)",
                entry.package, entry.name
            ));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(BundleError::Members(problems)) }
}

/// The problems of one member crate: `keys` are the file's members built from it, `declared` what it registers.
fn package_problems(package: &str, keys: &[&str], declared: &[&str]) -> Vec<String> {
    if declared.is_empty() {
        return vec![format!(
            "member `{}`: package {package} registers no plugin (its library must call \
             `temps_bundle_sdk::register!(YourPlugin);`)",
            keys.join("`, `")
        )];
    }
    if let ([key], [name]) = (keys, declared) {
        if key != name {
            return vec![format!(
                "member `{key}`: package {package} declares the name `{name}` in its manifest; the key must equal \
                 it (rename the table to [members.{name}])"
            )];
        }
        return Vec::new();
    }
    let mut problems = Vec::new();
    if keys.len() == 1 && declared.len() > 1 {
        problems.push(format!(
            "member `{}`: package {package} registers several plugins ({}); a member crate registers exactly one",
            keys[0],
            declared.join(", ")
        ));
        return problems;
    }
    for key in keys.iter().filter(|k| !declared.contains(k)) {
        problems.push(format!(
            "member `{key}`: package {package} registers no member of that name (it registers {})",
            declared.join(", ")
        ));
    }
    for name in declared.iter().filter(|n| !keys.contains(n)) {
        problems.push(format!("package {package} also registers `{name}`, which the bundle file does not name"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_one(keys: &[&str], declared: &[&str]) -> String {
        package_problems("temps-plugin-x", keys, declared).join("\n")
    }

    #[test]
    fn a_crate_registers_exactly_the_members_named_for_it() {
        assert_eq!(check_one(&["seo"], &["seo"]), "");
        assert_eq!(check_one(&["boom", "slow"], &["slow", "boom"]), "");
        for (keys, declared, needle) in [
            (&["seo"][..], &[][..], "registers no plugin"),
            (
                &["seo"],
                &["seo-tools"],
                "declares the name `seo-tools` in its manifest; the key must equal it (rename the table to [members.seo-tools])",
            ),
            (
                &["seo"],
                &["seo", "extra"],
                "registers several plugins (seo, extra); a member crate registers exactly one",
            ),
            (
                &["boom", "gone"],
                &["boom", "slow"],
                "member `gone`: package temps-plugin-x registers no member of that name",
            ),
            (&["boom", "gone"], &["boom", "slow"], "also registers `slow`"),
        ] {
            let text = check_one(keys, declared);
            assert!(text.contains(needle), "{keys:?} {declared:?}: {text}");
        }
    }
}
