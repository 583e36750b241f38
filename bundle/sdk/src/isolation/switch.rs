//! The operator's kill switch: a disabled member answers 503 ("disabled by an administrator"), receives no events
//! and its background tasks are stopped until it is enabled again. The set of disabled members is stored in the
//! bundle's data dir ([`SwitchStore`]), so it survives a restart.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// One member's on/off state. Cheap to clone; every clone sees the same state.
#[derive(Debug, Clone)]
pub(crate) struct Switch {
    disabled: Arc<watch::Sender<bool>>,
}

impl Switch {
    pub(crate) fn new(disabled: bool) -> Self {
        Self { disabled: Arc::new(watch::Sender::new(disabled)) }
    }

    pub(crate) fn is_disabled(&self) -> bool {
        *self.disabled.borrow()
    }

    /// Sets the state; returns whether it changed.
    pub(crate) fn set(&self, disabled: bool) -> bool {
        self.disabled.send_if_modified(|current| std::mem::replace(current, disabled) != disabled)
    }

    /// Resolves once the member is enabled (at once if it is).
    pub(crate) async fn enabled(&self) {
        let mut rx = self.disabled.subscribe();
        let _ = rx.wait_for(|disabled| !*disabled).await;
    }

    /// Resolves once the member is disabled (at once if it is).
    pub(crate) async fn disabled(&self) {
        let mut rx = self.disabled.subscribe();
        let _ = rx.wait_for(|disabled| *disabled).await;
    }
}

/// Where the set of disabled members is kept: `<data-dir>/_bundle/disabled-members.json` (`_` cannot start a
/// member name, so no member's own directory is touched).
#[derive(Debug, Clone)]
pub(crate) struct SwitchStore {
    path: PathBuf,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    disabled: BTreeSet<String>,
}

/// Why the switch state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SwitchStoreError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a valid disabled-members file: {source}")]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

impl SwitchStore {
    /// The store of the bundle whose data dir is `data_dir`.
    pub(crate) fn in_data_dir(data_dir: &Path) -> Self {
        Self { path: data_dir.join("_bundle").join("disabled-members.json") }
    }

    #[cfg(test)]
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The names of the disabled members (none when the file does not exist yet).
    pub(crate) fn load(&self) -> Result<BTreeSet<String>, SwitchStoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
            Err(source) => return Err(SwitchStoreError::Read { path: self.path.clone(), source }),
        };
        let stored: Stored = serde_json::from_str(&text)
            .map_err(|source| SwitchStoreError::Parse { path: self.path.clone(), source })?;
        Ok(stored.disabled)
    }

    /// Replaces the stored set, atomically (temporary file, then rename).
    pub(crate) fn save(&self, disabled: BTreeSet<String>) -> Result<(), SwitchStoreError> {
        let write = |source| SwitchStoreError::Write { path: self.path.clone(), source };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(write)?;
        }
        let text = serde_json::to_string_pretty(&Stored { disabled }).map_err(|e| write(std::io::Error::other(e)))?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text).map_err(write)?;
        std::fs::rename(&temporary, &self.path).map_err(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_round_trips_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let store = SwitchStore::in_data_dir(dir.path());
        assert!(store.load().unwrap().is_empty());
        store.save(BTreeSet::from(["notify".to_owned()])).unwrap();
        assert_eq!(store.load().unwrap(), BTreeSet::from(["notify".to_owned()]));
        std::fs::write(store.path(), "{").unwrap();
        assert!(store.load().unwrap_err().to_string().contains("disabled-members.json"));
    }

    #[tokio::test]
    async fn a_switch_reports_changes() {
        let switch = Switch::new(false);
        switch.enabled().await;
        assert!(switch.set(true));
        assert!(!switch.set(true), "no change");
        switch.disabled().await;
        assert!(switch.is_disabled());
    }
}
