//! Gzipped tarballs with fixed owners, times and modes, so that equal inputs give byte-equal archives (and equal
//! npm `integrity` values).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::ReleaseError;

/// Writes `entries` (file on disk → path inside the archive) to `tarball`, in the given order.
pub fn write_tgz(entries: &[(PathBuf, PathBuf)], tarball: &Path) -> Result<(), ReleaseError> {
    let io = |action| ReleaseError::io(action, tarball);
    let file = std::fs::File::create(tarball).map_err(io("creating"))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, name) in entries {
        tar.append_path_with_name(path, name).map_err(ReleaseError::io("adding to a tarball", path))?;
    }
    let mut gzip = tar.into_inner().map_err(io("finishing the tar stream of"))?;
    gzip.flush().map_err(io("writing"))?;
    gzip.finish().map_err(io("finishing the gzip stream of"))?;
    Ok(())
}
