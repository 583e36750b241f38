//! Tests of the bundle file reader: what it accepts, and that every refusal names the line and the fix.

use super::*;

const GOOD: &str = r#"
[bundle]
name = "acme-tools"
version = "1.4.0"
description = "Acme's Temps plugins"

[sdk]
git = ["https://example.test/temps-bundle"]

[members.deploy-pulse]
path = "../plugins/deploy-pulse"
request_timeout_ms = 5000
event_backlog = 64

[members.seo]
git = "https://example.test/acme/temps-seo"
tag = "v1.2.0"
package = "temps-plugin-seo"

[members.status-page]
version = "0.3"
registry = "acme"
"#;

fn parse(text: &str) -> Result<BundleFile, String> {
    BundleFile::parse(Path::new("/work/acme/acme-tools.toml"), text).map_err(|e| e.to_string())
}

fn refusal(text: &str) -> String {
    match parse(text) {
        Ok(file) => panic!("accepted: {file:?}"),
        Err(message) => message,
    }
}

#[test]
fn reads_every_kind_of_member() {
    let file = parse(GOOD).unwrap();
    assert_eq!((file.name.as_str(), file.version.as_str(), file.stem.as_str()), ("acme-tools", "1.4.0", "acme-tools"));
    assert_eq!(file.display_name(), "Acme Tools");
    assert_eq!(file.lock_path(), Path::new("/work/acme/acme-tools.lock"));
    assert_eq!(file.sdk_git, ["https://example.test/temps-bundle"]);
    let pulse = &file.members["deploy-pulse"];
    assert_eq!(pulse.source, Source::Path("/work/plugins/deploy-pulse".into()));
    assert_eq!(pulse.limits.request_timeout_ms, Some(5000));
    assert_eq!(pulse.limits.event_backlog, Some(64));
    assert_eq!(pulse.limits.max_body_bytes, None);
    let seo = &file.members["seo"];
    let git =
        Source::Git { url: "https://example.test/acme/temps-seo".into(), reference: GitRef::Tag("v1.2.0".into()) };
    assert_eq!(seo.source, git);
    assert_eq!(seo.package.as_deref(), Some("temps-plugin-seo"));
    let registry = Source::Registry { version: "0.3".into(), registry: Some("acme".into()) };
    assert_eq!(file.members["status-page"].source, registry);
    assert_eq!(file.optimize_members, MemberOptimization::Size, "the default");
    let speed = GOOD.replace("description =", "optimize_members = \"speed\"\ndescription =");
    assert_eq!(parse(&speed).unwrap().optimize_members, MemberOptimization::Speed);
}

#[test]
fn refusals_name_the_line_and_what_is_wrong() {
    let head = "[bundle]\nname = \"acme\"\nversion = \"1.0.0\"\n";
    let cases = [
        (
            format!("{head}\n[members.a]\npath = \"a\"\ntiemout = 3\n"),
            "line 7: unknown field `tiemout`, expected one of `path`, `git`",
        ),
        (
            format!("{head}\n[members.a]\npath = \"a\"\nrequest_timeout_ms = 0\n"),
            "line 7: [members.a] request_timeout_ms must be > 0",
        ),
        (
            format!("{head}\n[members.a]\npath = \"a\"\nevent_backlog = -1\n"),
            "line 7: invalid value: integer `-1`, expected u32",
        ),
        (
            format!("{head}\n[members.a]\npath = \"a\"\nmax_body_bytes = \"1M\"\n"),
            "line 7: invalid type: string \"1M\", expected u64",
        ),
        (format!("{head}\n[members.a]\npath = \"a\"\ngit = \"b\"\n"), "line 5: [members.a]: give exactly one source"),
        (format!("{head}\n[members.a]\npath = \"a\"\ntag = \"v1\"\n"), "[members.a]: `tag` only goes with `git`"),
        (
            format!("{head}\n[members.a]\ngit = \"u\"\ntag = \"v1\"\nrev = \"abc\"\n"),
            "give at most one of `tag`, `rev`, `branch`",
        ),
        (format!("{head}\n[members.ui]\npath = \"a\"\n"), "line 5: [members.ui]: `ui` is reserved"),
        (
            format!("{head}\n[members.Bad_Name]\npath = \"a\"\n"),
            "line 5: [members.Bad_Name]: the member name may only contain",
        ),
        (format!("{head}\n[members.a]\npath = \"a\"\n\n[members.a]\npath = \"b\"\n"), "line 8: duplicate key"),
        (head.to_owned(), "the bundle has no members"),
        (
            "[bundle]\nname = \"acme\"\nversion = \"1.0\"\n[members.a]\npath = \"a\"\n".to_owned(),
            "line 3: [bundle] version \"1.0\" is not SemVer",
        ),
        (
            "[bundle]\nname = \"Acme\"\nversion = \"1.0.0\"\n[members.a]\npath = \"a\"\n".to_owned(),
            "line 2: [bundle] name \"Acme\" may only contain",
        ),
        ("[bundle]\nname = \"acme\"\n[members.a]\npath = \"a\"\n".to_owned(), "missing field `version`"),
        (
            format!("{head}optimize_members = \"fast\"\n[members.a]\npath = \"a\"\n"),
            "line 4: [bundle] optimize_members \"fast\" is not one of \"size\" (the default) or \"speed\"",
        ),
        (
            format!("{head}colour = 1\n[members.a]\npath = \"a\"\n"),
            "line 4: unknown field `colour`, expected one of `name`, `version`, `description`, `display_name`",
        ),
    ];
    for (text, needle) in cases {
        let message = refusal(&text);
        assert!(message.starts_with("/work/acme/acme-tools.toml"), "{message}");
        assert!(message.contains(needle), "expected {needle:?} in {message:?}");
    }
}

#[test]
fn the_unknown_key_message_lists_every_valid_member_key() {
    let message = refusal("[bundle]\nname = \"a\"\nversion = \"1.0.0\"\n[members.a]\npath = \"a\"\ncolour = 1\n");
    for key in [
        "path",
        "git",
        "tag",
        "rev",
        "branch",
        "version",
        "registry",
        "package",
        "request_timeout_ms",
        "max_concurrent_requests",
        "max_body_bytes",
        "event_timeout_ms",
        "event_backlog",
    ] {
        assert!(message.contains(&format!("`{key}`")), "{key} missing in {message}");
    }
}

#[test]
fn semver_rules() {
    for ok in ["0.1.0", "1.4.0-rc.1+build.5", "10.20.30"] {
        assert!(check_semver(ok).is_ok(), "{ok}");
    }
    for bad in ["1.0", "01.0.0", "1.0.0.0", "v1.0.0", "1.0.x", ""] {
        assert!(check_semver(bad).is_err(), "{bad}");
    }
}
