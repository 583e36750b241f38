//! The plugin side of the start-up handshake: the stdout lines and, in Gen B, the launch config on stdin.
//!
//! **Invariant:** nothing but these lines is ever written to stdout; logs go to stderr.

use std::io::{BufRead, Write};
use std::time::Duration;

use serde::Serialize;
use temps_bundle_protocol::names::check_secret;
use temps_bundle_protocol::{
    HelloMessage, LaunchConfig, MAX_LAUNCH_CONFIG_LINE, ManifestLine, PROTOCOL_VERSION, ReadyMessage,
};

use super::error::{EngineError, LaunchConfigError};

/// How long a Gen B plugin waits for its launch config unless `TEMPS_BUNDLE_LAUNCH_TIMEOUT_MS` says otherwise.
pub(crate) const DEFAULT_LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);

/// Writes Gen B's `hello` line.
pub(crate) fn write_hello<M: Serialize>(manifest: &M) -> Result<(), EngineError> {
    write_line(&HelloMessage { protocol_version: PROTOCOL_VERSION, manifest })
}

/// Writes Gen A's `manifest` line.
pub(crate) fn write_manifest_line<M: Serialize>(manifest: &M) -> Result<(), EngineError> {
    write_line(&ManifestLine { manifest })
}

/// Writes the `ready` line (with `protocol_version` in Gen B).
pub(crate) fn write_ready(message: &ReadyMessage) -> Result<(), EngineError> {
    write_line(message)
}

/// What the manifest asked of the host, to check the launch config against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requested {
    pub database: bool,
    pub host_data: bool,
}

/// Reads and validates the launch config from stdin, waiting at most `timeout`.
pub(crate) async fn read_launch_config(timeout: Duration, requested: Requested) -> Result<LaunchConfig, EngineError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    // A plain thread, not the runtime's blocking pool: if the host never writes, the process must still be able to
    // exit without waiting for this read.
    std::thread::spawn(move || {
        let _ = tx.send(read_line(std::io::stdin().lock()));
    });
    let line = match tokio::time::timeout(timeout, rx).await {
        Ok(Ok(line)) => line?,
        Ok(Err(_)) => return Err(LaunchConfigError::ReaderStopped.into()),
        Err(_) => return Err(LaunchConfigError::Timeout { after: timeout }.into()),
    };
    Ok(parse_launch_config(&line, requested)?)
}

/// The launch timeout, from `TEMPS_BUNDLE_LAUNCH_TIMEOUT_MS` when set.
pub(crate) fn launch_timeout() -> Duration {
    super::knobs::env_duration("TEMPS_BUNDLE_LAUNCH_TIMEOUT_MS", DEFAULT_LAUNCH_TIMEOUT)
}

/// Reads one line of at most [`MAX_LAUNCH_CONFIG_LINE`] bytes. EOF before any byte is an error; a last line
/// without `\n` is accepted.
pub(crate) fn read_line(reader: impl BufRead) -> Result<String, LaunchConfigError> {
    let mut bytes = Vec::new();
    let limit = MAX_LAUNCH_CONFIG_LINE as u64 + 1;
    reader.take(limit).read_until(b'\n', &mut bytes).map_err(LaunchConfigError::Read)?;
    if bytes.is_empty() {
        return Err(LaunchConfigError::Closed);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > MAX_LAUNCH_CONFIG_LINE {
        return Err(LaunchConfigError::TooLong { limit: MAX_LAUNCH_CONFIG_LINE });
    }
    String::from_utf8(bytes).map_err(|_| LaunchConfigError::NotUtf8)
}

/// Parses and validates a launch config line (protocol §2.2 step 4).
pub(crate) fn parse_launch_config(line: &str, requested: Requested) -> Result<LaunchConfig, LaunchConfigError> {
    if line.trim().is_empty() {
        return Err(LaunchConfigError::Empty);
    }
    let config: LaunchConfig = serde_json::from_str(line.trim_end_matches('\r')).map_err(LaunchConfigError::Json)?;
    if config.protocol_version != PROTOCOL_VERSION {
        return Err(LaunchConfigError::ProtocolVersion { given: config.protocol_version, speaks: PROTOCOL_VERSION });
    }
    check_secret(&config.auth_secret).map_err(LaunchConfigError::Secret)?;
    check_access("database_url", "requires_db", requested.database, config.database_url.is_some())?;
    check_access("host_data_dir", "requires_host_data_access", requested.host_data, config.host_data_dir.is_some())?;
    Ok(config)
}

fn check_access(key: &'static str, flag: &'static str, requested: bool, given: bool) -> Result<(), LaunchConfigError> {
    match (requested, given) {
        (true, false) => Err(LaunchConfigError::Withheld { key, flag }),
        (false, true) => Err(LaunchConfigError::Unrequested { key, flag }),
        _ => Ok(()),
    }
}

fn write_line<T: Serialize>(message: &T) -> Result<(), EngineError> {
    let mut line = serde_json::to_vec(message).map_err(|e| EngineError::WriteHandshake(e.into()))?;
    line.push(b'\n');
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&line).and_then(|()| stdout.flush()).map_err(EngineError::WriteHandshake)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Requested = Requested { database: false, host_data: false };
    const SECRET: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn check(line: &str, requested: Requested, expected_error: Option<&str>) {
        let result = parse_launch_config(line, requested);
        match (result, expected_error) {
            (Ok(_), None) => {}
            (Err(e), Some(needle)) => assert!(e.to_string().contains(needle), "{line}: {e}"),
            (other, _) => panic!("{line}: unexpected {other:?}"),
        }
    }

    #[test]
    fn launch_configs() {
        let ok =
            format!(r#"{{"protocol_version":2,"auth_secret":"{SECRET}","database_url":null,"host_data_dir":null}}"#);
        check(&ok, NONE, None);
        check("not json", NONE, Some("not valid JSON"));
        check(&ok.replace(":2,", ":3,"), NONE, Some("protocol_version is 3"));
        check(&ok.replace(SECRET, "   "), NONE, Some("auth_secret is empty or blank"));
        check(&ok, Requested { database: true, host_data: false }, Some("sets requires_db but database_url is null"));
        let with_db = ok.replace(r#""database_url":null"#, r#""database_url":"postgres://h/db""#);
        check(&with_db, NONE, Some("database_url was given"));
        check(&with_db, Requested { database: true, host_data: false }, None);
        check("", NONE, Some("empty"));
    }

    #[test]
    fn line_reading() {
        assert_eq!(read_line(&b"abc\nrest"[..]).unwrap(), "abc");
        assert_eq!(read_line(&b"no newline"[..]).unwrap(), "no newline");
        assert!(read_line(&b""[..]).unwrap_err().to_string().contains("closed before"));
        let long = vec![b'x'; MAX_LAUNCH_CONFIG_LINE + 10];
        assert!(read_line(&long[..]).unwrap_err().to_string().contains("longer than 65536 bytes"));
    }
}
