//! Writing a set of outputs through a staging folder in the same parent, moved into place only once every one of
//! them is complete: a failure while writing (disk full, a bad input found late) leaves the previous outputs as
//! they were and no partial files. Same parent = same file system, so each move is a `rename`.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// `<out_dir>/.staging-<key>/`, removed on drop (after a commit it is empty).
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
}

impl Staging {
    /// Creates the staging folder, clearing one an interrupted run left behind.
    pub fn new(out_dir: &Path, key: &str) -> anyhow::Result<Self> {
        let dir = out_dir.join(format!(".staging-{key}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("removing the leftover {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { dir, out_dir: out_dir.to_path_buf() })
    }

    /// Where outputs are written first (laid out as under `out_dir`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a staged path ends up after [`Staging::commit`].
    pub fn final_path(&self, staged: &Path) -> PathBuf {
        staged.strip_prefix(&self.dir).map_or_else(|_| staged.to_path_buf(), |relative| self.out_dir.join(relative))
    }

    /// Moves each staged path (file or folder) over its final path. A folder cannot be renamed over a non-empty
    /// one, so the old one is moved aside first and put back if the new one cannot take its place.
    pub fn commit(self, staged: &[&Path]) -> anyhow::Result<()> {
        for path in staged {
            let target = self.final_path(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            if path.is_dir() && target.exists() {
                replace_folder(path, &target)?;
            } else {
                std::fs::rename(path, &target)
                    .with_context(|| format!("moving {} to {}", path.display(), target.display()))?;
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Best effort: a leftover is cleared by the next run's `Staging::new`.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn replace_folder(new: &Path, target: &Path) -> anyhow::Result<()> {
    let mut aside = target.as_os_str().to_owned();
    aside.push(".old");
    let aside = PathBuf::from(aside);
    if aside.exists() {
        std::fs::remove_dir_all(&aside).with_context(|| format!("removing the leftover {}", aside.display()))?;
    }
    std::fs::rename(target, &aside).with_context(|| format!("moving the old {} aside", target.display()))?;
    if let Err(error) = std::fs::rename(new, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(error).with_context(|| format!("moving {} to {}", new.display(), target.display()));
    }
    std::fs::remove_dir_all(&aside).with_context(|| format!("removing the old {}", aside.display()))
}
