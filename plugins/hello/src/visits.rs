//! The visit counter: a number in a text file in the member's data dir.
//!
//! Every increment holds one lock from the read to the write, so concurrent visits never lose an update, and
//! writes go to a temporary file that is renamed over the counter, so a reader (or a process killed mid-write)
//! only ever sees the old number or the new one, never half of one. A counter file that does not hold a number
//! is reported, not silently reset to zero.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use crate::error::HelloError;

/// The counter file and the lock that serializes increments. Cheap to clone.
#[derive(Clone)]
pub struct VisitCounter {
    inner: Arc<Mutex<PathBuf>>,
}

impl VisitCounter {
    /// Uses the counter at `path` (absent means zero); fails if the file exists but cannot be read as a number.
    pub async fn open(path: PathBuf) -> Result<Self, HelloError> {
        read(&path).await?;
        Ok(Self { inner: Arc::new(Mutex::new(path)) })
    }

    /// Counts one visit and returns the new total.
    pub async fn increment(&self) -> Result<u64, HelloError> {
        let path = self.inner.lock().await;
        let visits = read(&path).await?.saturating_add(1);
        write_atomically(&path, &visits.to_string())
            .await
            .map_err(|source| HelloError::WriteCounter { path: path.clone(), source })?;
        Ok(visits)
    }
}

async fn read(path: &Path) -> Result<u64, HelloError> {
    match tokio::fs::read_to_string(path).await {
        Ok(text) => text.trim().parse().map_err(|_| HelloError::CorruptCounter {
            path: path.to_owned(),
            content: text.chars().take(40).collect(),
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(source) => Err(HelloError::ReadCounter { path: path.to_owned(), source }),
    }
}

/// Writes `text` to `<path>.tmp`, flushes it to disk, and renames it over `path` (atomic on POSIX).
async fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    let mut file = tokio::fs::File::create(&temp).await?;
    file.write_all(text.as_bytes()).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&temp, path).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_visits_are_all_counted() {
        let dir = tempfile::tempdir().unwrap();
        let counter = VisitCounter::open(dir.path().join("visits.txt")).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let counter = counter.clone();
            tasks.spawn(async move {
                for _ in 0..50 {
                    counter.increment().await.unwrap();
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        assert_eq!(std::fs::read_to_string(dir.path().join("visits.txt")).unwrap(), "400");
        assert_eq!(counter.increment().await.unwrap(), 401);
    }

    #[tokio::test]
    async fn a_half_written_temp_file_is_ignored_and_a_corrupt_counter_is_not_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visits.txt");
        std::fs::write(&path, "41").unwrap();
        // What a process killed between create and rename leaves behind.
        std::fs::write(dir.path().join("visits.txt.tmp"), "9").unwrap();
        let counter = VisitCounter::open(path.clone()).await.unwrap();
        assert_eq!(counter.increment().await.unwrap(), 42);
        // What the old non-atomic write left for a moment: a truncated, still empty file.
        std::fs::write(&path, "").unwrap();
        let error = counter.increment().await.unwrap_err();
        assert!(matches!(error, HelloError::CorruptCounter { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "", "the counter was not reset to 1");
        assert!(VisitCounter::open(path).await.is_err(), "start-up refuses a corrupt counter too");
    }
}
