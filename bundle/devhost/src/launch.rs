//! Where a plugin process lives and how it is started: data dir, socket path and the exact argv of §1.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tempfile::TempDir;
use temps_bundle_protocol::Generation;
use tokio::process::Command;

use crate::error::DevHostError;
use crate::options::SpawnOptions;

/// Where things live for one plugin process; the temporary directories are removed when this is dropped.
#[derive(Debug)]
pub(crate) struct Paths {
    pub(crate) work_dir: PathBuf,
    pub(crate) data_dir: PathBuf,
    pub(crate) socket_path: PathBuf,
    /// `None` when the caller chose the socket path ([`SpawnOptions::socket_path`]).
    _socket_dir: Option<TempDir>,
    _work_tempdir: Option<TempDir>,
}

/// The longest socket path a `sockaddr_un` holds (with its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// Creates `<work_dir>/plugin-data/` (the plugin creates its own directory in it) and a private socket directory.
pub(crate) fn prepare_paths(opts: &SpawnOptions) -> Result<Paths, DevHostError> {
    let prepare = |what: &'static str, path: &Path| {
        let path = path.to_owned();
        move |source| DevHostError::Prepare { what, path, source }
    };
    let work_tempdir = match &opts.work_dir {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("temps-devhost-")
                .tempdir()
                .map_err(prepare("the work dir", &std::env::temp_dir()))?,
        ),
    };
    let work_dir = match (&opts.work_dir, &work_tempdir) {
        (Some(dir), _) => std::path::absolute(dir).map_err(prepare("the work dir", dir))?,
        (None, Some(temp)) => temp.path().to_owned(),
        (None, None) => std::env::temp_dir(),
    };
    let plugin_data = work_dir.join("plugin-data");
    std::fs::create_dir_all(&plugin_data).map_err(prepare("plugin-data", &plugin_data))?;
    let (socket_path, socket_dir) = match &opts.socket_path {
        Some(path) => (path.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("tpd-")
                .tempdir_in("/tmp")
                .map_err(prepare("the socket dir", Path::new("/tmp")))?;
            (dir.path().join(format!("{}.sock", opts.plugin_name)), Some(dir))
        }
    };
    if socket_path.as_os_str().len() > MAX_SOCKET_PATH {
        let too_long = std::io::Error::other(format!("longer than {MAX_SOCKET_PATH} bytes"));
        return Err(prepare("the socket", &socket_path)(too_long));
    }
    Ok(Paths {
        data_dir: plugin_data.join(&opts.plugin_name),
        work_dir,
        socket_path,
        _socket_dir: socket_dir,
        _work_tempdir: work_tempdir,
    })
}

/// The exact argv of each generation (§1), then the extra arguments. With [`SpawnOptions::exec_through_fd`] the
/// program is opened first and run as `/proc/self/fd/N`; the returned file must stay open until the spawn.
pub(crate) fn command(
    opts: &SpawnOptions,
    paths: &Paths,
    secret: &str,
    database_url: &str,
) -> std::io::Result<(Command, Option<std::fs::File>)> {
    let (mut command, held) = match opts.exec_through_fd {
        false => (Command::new(&opts.program), None),
        true => {
            let file = std::fs::File::open(&opts.program)?;
            // Rust opens files close-on-exec; the child must inherit this one to exec it by its /proc path.
            nix::fcntl::fcntl(&file, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()))?;
            (Command::new(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&file))), Some(file))
        }
    };
    command.arg("--socket-path").arg(&paths.socket_path);
    match opts.generation {
        Generation::A => {
            command.args(["--database-url", database_url, "--auth-secret", secret]);
            command.arg("--data-dir").arg(&paths.data_dir);
        }
        Generation::B => {
            command.arg("--data-dir").arg(&paths.data_dir);
            if let Some(url) = &opts.host_api_url {
                command.args(["--host-api-url", url]);
            }
        }
    }
    command.args(&opts.extra_args);
    if opts.clear_env {
        command.env_clear();
    }
    command.envs(opts.env.iter().map(|(k, v)| (k, v)));
    let stdin = match opts.generation {
        Generation::A => Stdio::null(),
        Generation::B => Stdio::piped(),
    };
    command.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    Ok((command, held))
}
