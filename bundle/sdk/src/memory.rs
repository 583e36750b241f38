//! The bundle's periodic memory release, and the work a kit hooks into it. Right after `ready`, and then every
//! 30 s, the bundle runs every hook registered with [`on_release`] (a store closes its unused SQLite connections),
//! then gives freed heap memory back to the system and takes its binary's code out of the resident set. So an idle
//! bundle keeps resident what it is doing, not what it did: the code and caches of work that stopped (start-up, a
//! finished crawl, a quiet store) leave within one interval, and nothing has to wake up on its own timer to tidy.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::panic::panic_message;

/// A registered hook: makes the work of one release, or says (`None`) that what it tends is gone.
type Hook = Arc<dyn Fn() -> Option<BoxFuture<'static, ()>> + Send + Sync>;

static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

/// Runs `hook` on every release from now on: each time, it returns the work to do (awaited before the bundle
/// gives memory back), or `None` once what it tends no longer exists, which unregisters it. Hooks run one after
/// another on the runtime, so each should be short (close what is idle, clear a cache); a panicking hook is
/// logged and unregistered. Outside a running bundle hooks are registered and never run, unless a test runs them
/// (`testing::run_memory_release_hooks`).
///
/// ```
/// use std::sync::{Arc, Mutex, PoisonError};
///
/// let cache: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(vec![0; 4096]));
/// let weak = Arc::downgrade(&cache);
/// temps_bundle_sdk::memory::on_release(move || {
///     let cache = weak.upgrade()?;
///     Some(async move { cache.lock().unwrap_or_else(PoisonError::into_inner).clear() })
/// });
/// ```
pub fn on_release<F, Fut>(hook: F)
where
    F: Fn() -> Option<Fut> + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let hook: Hook = Arc::new(move || hook().map(|work| work.boxed()));
    HOOKS.lock().unwrap_or_else(PoisonError::into_inner).push(hook);
}

/// Runs every hook once; drops the ones whose subject is gone or that panicked. Returns how many ran (panicked
/// ones included).
pub(crate) async fn run_hooks() -> usize {
    let hooks: Vec<Hook> = HOOKS.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let mut gone = Vec::new();
    let mut ran = 0;
    for hook in &hooks {
        let finished = match std::panic::catch_unwind(AssertUnwindSafe(|| hook())) {
            Ok(None) => {
                gone.push(Arc::clone(hook));
                continue;
            }
            Ok(Some(work)) => AssertUnwindSafe(work).catch_unwind().await,
            Err(panic) => Err(panic),
        };
        ran += 1;
        if let Err(panic) = finished {
            tracing::error!(panic = %panic_message(&*panic), "a memory-release hook panicked; it is unregistered");
            gone.push(Arc::clone(hook));
        }
    }
    if !gone.is_empty() {
        HOOKS.lock().unwrap_or_else(PoisonError::into_inner).retain(|h| !gone.iter().any(|g| Arc::ptr_eq(g, h)));
    }
    ran
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn hooks_run_on_each_release_until_their_subject_is_gone_or_they_panic() {
        let runs = Arc::new(AtomicUsize::new(0));
        let subject = Arc::new(());
        let (weak, counter) = (Arc::downgrade(&subject), Arc::clone(&runs));
        on_release(move || {
            let _alive = weak.upgrade()?;
            let counter = Arc::clone(&counter);
            Some(async move {
                counter.fetch_add(1, Ordering::SeqCst);
            })
        });
        let panics = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&panics);
        on_release(move || {
            let counter = Arc::clone(&counter);
            Some(async move {
                counter.fetch_add(1, Ordering::SeqCst);
                panic!("a broken hook");
            })
        });
        run_hooks().await;
        run_hooks().await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "the live hook ran on both releases");
        assert_eq!(panics.load(Ordering::SeqCst), 1, "the panicking hook ran once, then was unregistered");
        // A registered hook holds its own clone of the counter.
        assert_eq!(Arc::strong_count(&panics), 1, "the panicking hook is unregistered");
        assert_eq!(Arc::strong_count(&runs), 2, "the live one is still registered");
        drop(subject);
        run_hooks().await;
        assert_eq!(runs.load(Ordering::SeqCst), 2, "a hook whose subject is gone does not run");
        assert_eq!(Arc::strong_count(&runs), 1, "and is unregistered");
    }
}
