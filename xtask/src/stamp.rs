//! Input hashes and stamp files: a step records the hash of its inputs in `target/xtask/<key>.stamp` when it
//! succeeds, and is skipped next time while the hash is unchanged.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

/// Folders never hashed: installed packages and build output are not inputs.
const SKIPPED_DIRS: &[&str] = &["node_modules", "dist", ".vite", "target"];

/// A SHA-256 over named pieces (file paths and contents, or plain strings), in the order they are added.
#[derive(Debug, Default)]
pub struct InputHash {
    hasher: Sha256,
}

impl InputHash {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a labelled string (a tool version, a flag).
    pub fn text(&mut self, label: &str, value: &str) -> &mut Self {
        self.piece(label.as_bytes(), value.as_bytes());
        self
    }

    /// Adds one file (its path relative to `root`, and its bytes); a missing file counts as a distinct input.
    pub fn file(&mut self, root: &Path, path: &Path) -> anyhow::Result<&mut Self> {
        let label = path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned();
        match std::fs::read(path) {
            Ok(bytes) => self.piece(label.as_bytes(), &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.piece(label.as_bytes(), b"<missing>"),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
        Ok(self)
    }

    /// Adds every file under `dir` (sorted, recursively), skipping `node_modules`, `dist` and other build output.
    pub fn tree(&mut self, root: &Path, dir: &Path) -> anyhow::Result<&mut Self> {
        for path in files_under(dir)? {
            self.file(root, &path)?;
        }
        Ok(self)
    }

    /// The hex digest.
    pub fn finish(&self) -> String {
        self.hasher.clone().finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn piece(&mut self, label: &[u8], bytes: &[u8]) {
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        for part in [label, bytes] {
            self.hasher.update((part.len() as u64).to_le_bytes());
            self.hasher.update(part);
        }
    }
}

/// A stamp file under `target/xtask/`.
#[derive(Debug, Clone)]
pub struct Stamp {
    path: PathBuf,
}

impl Stamp {
    /// The stamp named `key` (e.g. `npm-ci`, `ui-hello`) in `stamps_dir`.
    pub fn new(stamps_dir: &Path, key: &str) -> Self {
        Self { path: stamps_dir.join(format!("{key}.stamp")) }
    }

    /// Whether the stamp records exactly `hash`.
    pub fn matches(&self, hash: &str) -> bool {
        std::fs::read_to_string(&self.path).is_ok_and(|recorded| recorded.trim() == hash)
    }

    /// Records `hash`.
    pub fn write(&self, hash: &str) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&self.path, hash).with_context(|| format!("writing {}", self.path.display()))
    }

    /// Holds an exclusive lock on `<key>.lock` beside the stamp until the guard is dropped, so two xtask processes
    /// (parallel tests, two terminals) never check-and-rebuild the same output at once: the second waits, then
    /// finds the stamp current and skips.
    pub fn lock(&self) -> anyhow::Result<std::fs::File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let path = self.path.with_extension("lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        file.lock().with_context(|| format!("locking {}", path.display()))?;
        Ok(file)
    }

    /// Forgets the recorded hash (after a failure, so the next run retries).
    pub fn clear(&self) {
        // A stamp that cannot be removed only costs a skipped rebuild check; nothing to report.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Every regular file under `dir`, sorted, not following symlinks, without the skipped folders.
pub fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", current.display())),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = entry.file_name();
            if kind.is_dir() && !SKIPPED_DIRS.iter().any(|s| name == *s) {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_changes_with_content_and_ignores_build_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("dist")).unwrap();
        std::fs::write(root.join("src/a.ts"), "a").unwrap();
        let hash = || InputHash::new().tree(root, root).unwrap().finish();
        let first = hash();
        std::fs::write(root.join("dist/out.js"), "built").unwrap();
        assert_eq!(hash(), first, "dist is not an input");
        std::fs::write(root.join("src/a.ts"), "b").unwrap();
        assert_ne!(hash(), first, "a changed source is");
    }

    #[test]
    fn stamps_remember_one_hash() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = Stamp::new(dir.path(), "x");
        assert!(!stamp.matches("abc"));
        stamp.write("abc").unwrap();
        assert!(stamp.matches("abc"));
        assert!(!stamp.matches("abd"));
        stamp.clear();
        assert!(!stamp.matches("abc"));
    }

    #[test]
    fn a_held_lock_keeps_a_second_builder_out_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = Stamp::new(&dir.path().join("stamps"), "ui-shell");
        let held = stamp.lock().unwrap();
        let second = std::fs::File::open(dir.path().join("stamps/ui-shell.lock")).unwrap();
        assert!(second.try_lock().is_err(), "a second process would wait");
        drop(held);
        assert!(second.try_lock().is_ok(), "and proceed once the first is done");
    }
}
