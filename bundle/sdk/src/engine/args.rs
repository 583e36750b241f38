//! The launch argv a Temps host passes, parsed tolerantly: hosts add flags over time, so unknown flags (and their
//! values) are skipped, never fatal.

use std::path::PathBuf;

use temps_bundle_protocol::Generation;

use super::error::EngineError;

/// The flags the engine understands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LaunchArgs {
    pub socket_path: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub auth_secret: Option<String>,
    pub database_url: Option<String>,
    pub host_api_url: Option<String>,
    /// Serve one member alone (split mode).
    pub member: Option<String>,
    /// Names of flags we did not recognise (never their values), kept for a log line.
    pub unknown: Vec<String>,
}

impl LaunchArgs {
    /// Parses `--flag value` and `--flag=value` forms. An unknown flag swallows the next token when that token does
    /// not itself look like a flag.
    pub(crate) fn parse(argv: &[String]) -> Result<Self, EngineError> {
        let mut args = LaunchArgs::default();
        let mut tokens = argv.iter().peekable();
        while let Some(token) = tokens.next() {
            let (flag, inline) = match token.split_once('=') {
                Some((flag, value)) if token.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (token.as_str(), None),
            };
            let slot = match flag {
                "--socket-path" => Slot::Path(&mut args.socket_path),
                "--data-dir" => Slot::Path(&mut args.data_dir),
                "--auth-secret" => Slot::Text(&mut args.auth_secret),
                "--database-url" => Slot::Text(&mut args.database_url),
                "--host-api-url" => Slot::Text(&mut args.host_api_url),
                "--member" => Slot::Text(&mut args.member),
                _ => {
                    // Only the flag's name is kept: its value may be a secret or a URL and ends up in a log line.
                    args.unknown.push(flag.to_owned());
                    if inline.is_none() && token.starts_with("--") {
                        tokens.next_if(|next| !next.starts_with("--"));
                    }
                    continue;
                }
            };
            let value = match inline {
                Some(value) => value,
                None => tokens.next().cloned().ok_or_else(|| EngineError::Args(format!("{flag} needs a value")))?,
            };
            slot.set(value);
        }
        Ok(args)
    }

    /// `--auth-secret` in argv ⇒ Gen A; otherwise Gen B (protocol §3).
    pub(crate) fn generation(&self) -> Generation {
        if self.auth_secret.is_some() { Generation::A } else { Generation::B }
    }

    /// The socket path, or an error saying it is missing.
    pub(crate) fn require_socket_path(&self) -> Result<&PathBuf, EngineError> {
        self.socket_path.as_ref().ok_or_else(|| EngineError::Args("--socket-path is required".into()))
    }

    /// The data dir, or an error saying it is missing.
    pub(crate) fn require_data_dir(&self) -> Result<&PathBuf, EngineError> {
        self.data_dir.as_ref().ok_or_else(|| EngineError::Args("--data-dir is required".into()))
    }
}

enum Slot<'a> {
    Path(&'a mut Option<PathBuf>),
    Text(&'a mut Option<String>),
}

impl Slot<'_> {
    fn set(self, value: String) {
        match self {
            Slot::Path(slot) => *slot = Some(PathBuf::from(value)),
            Slot::Text(slot) => *slot = Some(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> LaunchArgs {
        LaunchArgs::parse(&line.split_whitespace().map(str::to_owned).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn gen_a_argv() {
        let args = parse("--socket-path /s --database-url postgres://x --auth-secret abc --data-dir /d");
        assert_eq!(args.generation(), Generation::A);
        assert_eq!(args.database_url.as_deref(), Some("postgres://x"));
        assert_eq!(args.data_dir, Some(PathBuf::from("/d")));
    }

    #[test]
    fn gen_b_argv_with_unknown_flags() {
        let args = parse(
            "--socket-path /s --new-flag v --data-dir=/d --bare --host-api-url http://127.0.0.1:1 --member hello",
        );
        assert_eq!(args.generation(), Generation::B);
        assert_eq!(args.socket_path, Some(PathBuf::from("/s")));
        assert_eq!(args.data_dir, Some(PathBuf::from("/d")));
        assert_eq!(args.member.as_deref(), Some("hello"));
        assert_eq!(args.unknown, ["--new-flag", "--bare"]);
    }

    #[test]
    fn missing_value_is_an_error() {
        let argv = vec!["--socket-path".to_owned()];
        assert!(LaunchArgs::parse(&argv).unwrap_err().to_string().contains("--socket-path needs a value"));
    }
}
