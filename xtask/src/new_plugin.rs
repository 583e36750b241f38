//! `cargo xtask new <name>`: scaffold `plugins/<name>/` from `xtask/templates/plugin/` and wire it in: the root
//! `[workspace.dependencies]`, the host's feature and optional dependency (`bundle/host/Cargo.toml`), its
//! `use … as _;` and `EXPECTED_MEMBERS` entry (`bundle/host/src/lib.rs`), and the web workspace's lockfile.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::plugins;
use crate::project::Project;
use crate::{invariants, npm, process};

/// The template files, by their path inside `plugins/<name>/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../templates/plugin/Cargo.toml.tmpl")),
    ("build.rs", include_str!("../templates/plugin/build.rs.tmpl")),
    ("src/lib.rs", include_str!("../templates/plugin/src/lib.rs.tmpl")),
    ("src/state.rs", include_str!("../templates/plugin/src/state.rs.tmpl")),
    ("src/error.rs", include_str!("../templates/plugin/src/error.rs.tmpl")),
    ("src/routes/mod.rs", include_str!("../templates/plugin/src/routes/mod.rs.tmpl")),
    ("src/routes/status.rs", include_str!("../templates/plugin/src/routes/status.rs.tmpl")),
    ("src/tests.rs", include_str!("../templates/plugin/src/tests.rs.tmpl")),
    ("web/package.json", include_str!("../templates/plugin/web/package.json.tmpl")),
    ("web/tsconfig.json", include_str!("../templates/plugin/web/tsconfig.json.tmpl")),
    ("web/vite.config.ts", include_str!("../templates/plugin/web/vite.config.ts.tmpl")),
    ("web/index.html", include_str!("../templates/plugin/web/index.html.tmpl")),
    ("web/src/main.tsx", include_str!("../templates/plugin/web/src/main.tsx.tmpl")),
    ("web/src/App.tsx", include_str!("../templates/plugin/web/src/App.tsx.tmpl")),
];

/// `cargo xtask new <name>`.
pub fn run(project: &Project, name: &str) -> anyhow::Result<()> {
    plugins::validate_name(name)?;
    let dir = project.root().join("plugins").join(name);
    if dir.exists() {
        bail!("{} already exists", project.display(&dir));
    }
    let names = Names::new(name);
    for (path, template) in TEMPLATES {
        write_new(&dir.join(path), &names.fill(template))?;
    }
    edit(&project.root().join("Cargo.toml"), |text| add_workspace_dependency(text, &names))?;
    edit(&project.host().join("Cargo.toml"), |text| add_host_feature(text, &names))?;
    edit(&project.root().join(invariants::HOST_MEMBERS_FILE), |text| add_host_link(text, &names))?;
    eprintln!("created {} and wired it into the workspace and bundle/host", project.display(&dir));

    let mut fmt = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    fmt.args(["fmt", "-p", "temps-bundle", "-p", &names.package]).current_dir(project.root());
    process::run(&mut fmt)?;
    let mut npm_install = Command::new("npm");
    npm_install.args(["install", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(project.web());
    process::run_quiet(&mut npm_install).context("adding the UI to web/package-lock.json")?;
    npm::link_node_modules(&dir.join("web"), &project.web())?;
    eprintln!("next: cargo xtask ui --plugins {name} && cargo test -p {}", names.package);
    Ok(())
}

/// The spellings of one plugin name the templates and wiring need.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Names {
    /// `deploy-pulse`
    name: String,
    /// `Deploy Pulse`
    title: String,
    /// `DeployPulse`
    type_name: String,
    /// `temps-plugin-deploy-pulse`
    package: String,
    /// `temps_plugin_deploy_pulse`
    crate_name: String,
}

impl Names {
    fn new(name: &str) -> Self {
        let words: Vec<String> = name.split('-').map(capitalize).collect();
        let package = format!("temps-plugin-{name}");
        Self {
            name: name.to_owned(),
            title: words.join(" "),
            type_name: words.concat(),
            crate_name: package.replace('-', "_"),
            package,
        }
    }

    fn fill(&self, template: &str) -> String {
        template.replace("{{name}}", &self.name).replace("{{title}}", &self.title).replace("{{Type}}", &self.type_name)
    }
}

/// Adds `temps-plugin-<name> = { path = "plugins/<name>" }` after the last plugin in `[workspace.dependencies]`.
fn add_workspace_dependency(text: &str, names: &Names) -> anyhow::Result<String> {
    let line = format!("{} = {{ path = \"plugins/{}\" }}", names.package, names.name);
    insert_after_last(text, |l| l.starts_with("temps-plugin-") || l.starts_with("temps-bundle-"), &line)
        .context("the root Cargo.toml has no temps-bundle-*/temps-plugin-* workspace dependency to insert after")
}

/// Adds the feature `<name> = ["dep:temps-plugin-<name>"]` (and to `default`) and the optional dependency.
fn add_host_feature(text: &str, names: &Names) -> anyhow::Result<String> {
    let feature = format!("{} = [\"dep:{}\"]", names.name, names.package);
    let text = insert_after_last(text, |l| l.contains("= [\"dep:temps-plugin-"), &feature)
        .or_else(|| insert_after_last(text, |l| l.trim() == "[features]", &feature))
        .context("bundle/host/Cargo.toml has no [features] table")?;
    let dependency = format!("{} = {{ workspace = true, optional = true }}", names.package);
    let text = insert_after_last(&text, |l| l.starts_with("temps-plugin-"), &dependency)
        .or_else(|| insert_after_last(&text, |l| l.starts_with("temps-bundle-sdk"), &dependency))
        .context("bundle/host/Cargo.toml has no dependency to insert the plugin after")?;
    Ok(add_default_feature(&text, &names.name))
}

/// Adds `#[cfg(feature = "<name>")] use temps_plugin_<name> as _;` and the `EXPECTED_MEMBERS` entry (before the
/// test-only members, which close the list).
fn add_host_link(text: &str, names: &Names) -> anyhow::Result<String> {
    let link = format!("#[cfg(feature = \"{}\")]\nuse {} as _;", names.name, names.crate_name);
    let text = insert_after_last(text, |l| l.starts_with("use temps_plugin_"), &link)
        .context("the host links no plugin (`use temps_plugin_… as _;`) to insert after")?;
    let start = text.find("const EXPECTED_MEMBERS").context("the host has no EXPECTED_MEMBERS")?;
    let list = text.get(start..).unwrap_or_default();
    let close = start + list.find("\n];").context("EXPECTED_MEMBERS is not closed by `];` on its own line")? + 1;
    let members = text.get(start..close).unwrap_or_default();
    let at = members.find("    #[cfg(feature = \"test-members\")]").map_or(close, |offset| start + offset);
    let (before, after) = text.split_at(at);
    Ok(format!("{before}    #[cfg(feature = \"{0}\")]\n    \"{0}\",\n{after}", names.name))
}

fn add_default_feature(text: &str, name: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("default = [").and_then(|l| l.strip_suffix(']')) {
            Some(list) => {
                let mut items: Vec<String> =
                    list.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                items.push(format!("\"{name}\""));
                items.sort();
                format!("default = [{}]", items.join(", "))
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if text.ends_with('\n') { "\n" } else { "" }
}

/// `text` with `new_line` inserted after the last line matching `is_anchor`; `None` when none matches.
fn insert_after_last(text: &str, is_anchor: impl Fn(&str) -> bool, new_line: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().rposition(|l| is_anchor(l))?;
    let mut out: Vec<&str> = lines.get(..=at)?.to_vec();
    out.push(new_line);
    out.extend(lines.get(at + 1..)?);
    Some(out.join("\n") + if text.ends_with('\n') { "\n" } else { "" })
}

fn edit(path: &Path, change: impl FnOnce(&str) -> anyhow::Result<String>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let changed = change(&text).with_context(|| format!("editing {}", path.display()))?;
    std::fs::write(path, changed).with_context(|| format!("writing {}", path.display()))
}

fn write_new(path: &Path, content: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST_CARGO: &str = "[features]\ndefault = [\"hello\"]\nhello = [\"dep:temps-plugin-hello\"]\ntest-members = [\"dep:x\"]\n\n[dependencies]\ntemps-bundle-sdk.workspace = true\ntemps-plugin-hello = { workspace = true, optional = true }\nx = { path = \"x\", optional = true }\n";
    const HOST_MAIN: &str = "#[cfg(feature = \"hello\")]\nuse temps_plugin_hello as _;\n\nconst EXPECTED_MEMBERS: &[&str] = &[\n    #[cfg(feature = \"hello\")]\n    \"hello\",\n    #[cfg(feature = \"test-members\")]\n    \"boom\",\n];\n";

    #[test]
    fn names_are_spelled_for_each_use() {
        let names = Names::new("deploy-pulse");
        assert_eq!(names.title, "Deploy Pulse");
        assert_eq!(names.type_name, "DeployPulse");
        assert_eq!(names.package, "temps-plugin-deploy-pulse");
        assert_eq!(names.crate_name, "temps_plugin_deploy_pulse");
        assert_eq!(names.fill("{{Type}} {{name}} {{title}}"), "DeployPulse deploy-pulse Deploy Pulse");
    }

    #[test]
    fn wires_the_host_features_and_dependency() {
        let text = add_host_feature(HOST_CARGO, &Names::new("notify")).unwrap();
        assert!(text.contains("default = [\"hello\", \"notify\"]"), "{text}");
        assert!(
            text.contains("hello = [\"dep:temps-plugin-hello\"]\nnotify = [\"dep:temps-plugin-notify\"]\n"),
            "{text}"
        );
        assert!(text.contains("temps-plugin-hello = { workspace = true, optional = true }\ntemps-plugin-notify = { workspace = true, optional = true }\n"), "{text}");
    }

    #[test]
    fn links_the_plugin_and_expects_it_before_the_test_members() {
        let text = add_host_link(HOST_MAIN, &Names::new("notify")).unwrap();
        assert!(
            text.contains(
                "use temps_plugin_hello as _;\n#[cfg(feature = \"notify\")]\nuse temps_plugin_notify as _;\n"
            ),
            "{text}"
        );
        assert!(text.contains("    \"hello\",\n    #[cfg(feature = \"notify\")]\n    \"notify\",\n    #[cfg(feature = \"test-members\")]"), "{text}");

        let without_test_members = HOST_MAIN.replace("    #[cfg(feature = \"test-members\")]\n    \"boom\",\n", "");
        let text = add_host_link(&without_test_members, &Names::new("notify")).unwrap();
        assert!(text.contains("    \"notify\",\n];"), "{text}");
    }

    #[test]
    fn adds_the_workspace_dependency() {
        let root = "[workspace.dependencies]\ntemps-bundle-sdk = { path = \"bundle/sdk\" }\ntemps-plugin-hello = { path = \"plugins/hello\" }\n\nanyhow = \"1\"\n";
        let text = add_workspace_dependency(root, &Names::new("notify")).unwrap();
        assert!(text.contains("temps-plugin-hello = { path = \"plugins/hello\" }\ntemps-plugin-notify = { path = \"plugins/notify\" }\n\nanyhow"), "{text}");
    }

    #[test]
    fn every_template_is_filled() {
        let names = Names::new("deploy-pulse");
        for (path, template) in TEMPLATES {
            assert!(!names.fill(template).contains("{{"), "{path} has an unknown placeholder");
        }
    }
}
