//! Reading one handshake line from the child's stdout while watching for the child's exit and a timeout.

use std::process::ExitStatus;
use std::time::Duration;

use temps_bundle_protocol::MAX_HANDSHAKE_LINE;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout};

/// Why no line could be read.
#[derive(Debug)]
pub(crate) enum LineError {
    Timeout(Duration),
    Exited(ExitStatus),
    /// stdout closed without any byte of a new line.
    Eof,
    /// stdout closed in the middle of a line.
    PartialAtEof(String),
    TooLong,
    NotUtf8,
    Io(std::io::Error),
}

impl LineError {
    /// A sentence saying what happened while waiting for `what` (e.g. "its ready line").
    pub(crate) fn describe(&self, what: &str) -> String {
        match self {
            Self::Timeout(timeout) => format!("timed out after {timeout:?} waiting for {what}"),
            Self::Exited(status) => format!("the plugin {} before sending {what}", describe_exit(*status)),
            Self::Eof => format!("the plugin closed stdout before sending {what}"),
            Self::PartialAtEof(partial) => {
                format!("stdout closed in the middle of {what} (no terminating \\n): {}", shorten(partial))
            }
            Self::TooLong => format!("{what} is longer than {MAX_HANDSHAKE_LINE} bytes"),
            Self::NotUtf8 => format!("{what} is not UTF-8"),
            Self::Io(e) => format!("reading {what} from stdout failed: {e}"),
        }
    }
}

/// Reads one `\n`-terminated line (without the `\n`), failing early when the child exits.
pub(crate) async fn read_line(
    stdout: &mut BufReader<ChildStdout>,
    child: &mut Child,
    timeout: Duration,
) -> Result<String, LineError> {
    let mut line = Vec::new();
    let waited = tokio::time::timeout(timeout, async {
        tokio::select! {
            // Reading first: a line written just before exiting still counts.
            biased;
            read = read_until_newline(stdout, &mut line) => read,
            status = child.wait() => Err(status.map_or_else(LineError::Io, LineError::Exited)),
        }
    })
    .await;
    match waited.unwrap_or(Err(LineError::Timeout(timeout))) {
        Ok(line) => String::from_utf8(line).map_err(|_| LineError::NotUtf8),
        // A closed stdout usually means the child is exiting: its status says more than "closed".
        Err(LineError::Eof) => match tokio::time::timeout(EXIT_GRACE, child.wait()).await {
            Ok(Ok(status)) => Err(LineError::Exited(status)),
            _ => Err(LineError::Eof),
        },
        Err(other) => Err(other),
    }
}

/// How long a child that closed stdout gets to exit before "closed stdout" is reported instead.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// "exited with status 1" or "was killed by signal 9".
pub(crate) fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => format!("exited ({status})"),
    }
}

/// A line for an error message: at most 300 characters.
pub(crate) fn shorten(line: &str) -> String {
    match line.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

async fn read_until_newline(stdout: &mut BufReader<ChildStdout>, line: &mut Vec<u8>) -> Result<Vec<u8>, LineError> {
    loop {
        let available = stdout.fill_buf().await.map_err(LineError::Io)?;
        if available.is_empty() {
            return Err(match line.is_empty() {
                true => LineError::Eof,
                false => LineError::PartialAtEof(String::from_utf8_lossy(line).into_owned()),
            });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let taken = newline.unwrap_or(available.len());
        line.extend_from_slice(&available[..taken]);
        stdout.consume(newline.map_or(taken, |n| n + 1));
        if line.len() > MAX_HANDSHAKE_LINE {
            return Err(LineError::TooLong);
        }
        if newline.is_some() {
            return Ok(std::mem::take(line));
        }
    }
}
