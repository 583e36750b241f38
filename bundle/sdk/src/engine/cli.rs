//! The human-facing commands of the bundle binary: `manifest`, `list`, `--help`, `--version`, and the hidden
//! `registered` that `cargo xtask bundle` checks a fresh build with. Anything else is a launch by a Temps host.

use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::BundleConfig;
use super::compose::Composition;
use super::composite::composite_manifest;
use crate::host::MemberSource;

const CLI_WORDS: &[&str] = &["manifest", "list", "registered", "help", "--help", "-h", "--version", "-V"];

/// Whether argv is a CLI command rather than a host launch (which always carries `--socket-path`).
pub(crate) fn is_cli_invocation(argv: &[String]) -> bool {
    match argv.first() {
        None => true,
        Some(first) => CLI_WORDS.contains(&first.as_str()),
    }
}

/// Runs a CLI command and returns the exit status. Output goes to stdout; errors to stderr.
pub(crate) fn run(config: &BundleConfig, argv: &[String]) -> ExitCode {
    let matches = match command(config)
        .try_get_matches_from(std::iter::once(config.name.to_owned()).chain(argv.iter().cloned()))
    {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    if matches.subcommand_name() == Some("registered") {
        // Before validation on purpose: the build checks what registered even when it is not what was expected.
        return print(&registered_json());
    }
    let set = match Composition::from_inventory(&config.expected_names()) {
        Ok(set) => set,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let output = match matches.subcommand() {
        Some(("manifest", sub)) => manifest_json(config, &set, sub),
        Some(("list", _)) => Ok(members_table(config, &set)),
        _ => Ok(command(config).render_long_help().to_string()),
    };
    match output {
        Ok(text) => print(&text),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// Every registration linked into the binary as `[{"package", "name", "version"}]`, unvalidated.
fn registered_json() -> String {
    let entries: Vec<serde_json::Value> = crate::registry::registrations()
        .map(|registration| {
            let manifest = registration.construct().manifest();
            serde_json::json!({
                "package": registration.package,
                "name": manifest.name,
                "version": manifest.version,
            })
        })
        .collect();
    serde_json::Value::Array(entries).to_string()
}

fn command(config: &BundleConfig) -> Command {
    Command::new(config.name)
        .version(config.version)
        .about(format!("{}: a bundle of Temps plugins served as one external plugin", config.display_name))
        .after_help(
            "Temps starts this binary with --socket-path and --data-dir (and --auth-secret for older hosts); \
             add --member <name> to serve one member alone (split mode).",
        )
        .subcommand(
            Command::new("manifest")
                .about("Print the composite manifest (JSON) without starting anything")
                .arg(Arg::new("member").long("member").help("print this member's own manifest instead"))
                .arg(Arg::new("compact").long("compact").action(ArgAction::SetTrue).help("one line, no indentation")),
        )
        .subcommand(Command::new("list").about("List the members of this bundle"))
        .subcommand(Command::new("registered").hide(true).about("Print what registered, unvalidated (JSON)"))
}

fn manifest_json(config: &BundleConfig, set: &Composition, sub: &ArgMatches) -> Result<String, String> {
    let value = match sub.get_one::<String>("member") {
        Some(name) => {
            let entry = set.get(name).ok_or_else(|| format!("no member named {name:?} (members: {})", set.names()))?;
            serde_json::to_value(&entry.manifest)
        }
        None => serde_json::to_value(composite_manifest(config, set)),
    }
    .map_err(|e| e.to_string())?;
    let text =
        if sub.get_flag("compact") { serde_json::to_string(&value) } else { serde_json::to_string_pretty(&value) };
    text.map_err(|e| e.to_string())
}

/// The members as an aligned text table.
pub(crate) fn members_table(config: &BundleConfig, set: &Composition) -> String {
    let mut rows = vec![["NAME", "VERSION", "MOUNT", "SOURCE", "EVENTS", "DESCRIPTION"].map(str::to_owned)];
    for entry in &set.members {
        let m = &entry.manifest;
        let source = config.members.iter().find(|spec| spec.name == entry.name).map(|spec| spec.source);
        rows.push([
            entry.name.clone(),
            m.version.clone(),
            format!("/{}", entry.name),
            source.map_or_else(|| "-".to_owned(), source_label),
            if m.events.is_empty() { "-".to_owned() } else { m.events.join(",") },
            m.description.clone().or_else(|| m.display_name.clone()).unwrap_or_default(),
        ]);
    }
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `path`, `git <url>@<short commit>` or `registry <version>`.
fn source_label(source: MemberSource) -> String {
    match source {
        MemberSource::Path => "path".to_owned(),
        MemberSource::Git { url, commit } => format!("git {url}@{}", commit.get(..12).unwrap_or(commit)),
        MemberSource::Registry { version } => format!("registry {version}"),
    }
}
