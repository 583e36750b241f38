//! The client's DNS resolver: resolves with the system resolver, then refuses the whole answer if any address is
//! not allowed. Because reqwest connects only to the addresses this returns, what was checked is what is dialled.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::Refusal;
use crate::guard;
use crate::policy::OutboundPolicy;

/// A [`Resolve`] implementation that applies an [`OutboundPolicy`] to every answer.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<OutboundPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // Boxed as the inner error itself so that `find_refusal` can downcast it out of reqwest's error chain.
            let addrs = resolve_checked(&policy, &host).await.map_err(|failure| match failure {
                ResolveFailure::Refused(refusal) => Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>,
                ResolveFailure::Lookup(error) => Box::new(error),
            })?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Why a name could not be turned into allowed addresses.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveFailure {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Lookup(#[from] std::io::Error),
}

/// How long a name may take to resolve. The system resolver runs on a blocking thread that cannot be cancelled;
/// the request gives up on it after this, and the process never waits for it at exit.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves `host` and checks every address against `policy`.
pub(crate) async fn resolve_checked(policy: &OutboundPolicy, host: &str) -> Result<Vec<SocketAddr>, ResolveFailure> {
    // The port is replaced by the URL's; 0 is only there to satisfy `lookup_host`.
    let lookup = async { tokio::net::lookup_host((host, 0)).await.map(Iterator::collect) };
    check_resolved(policy, host, within(RESOLVE_TIMEOUT, host, lookup).await?)
}

/// `lookup`, or a timeout error naming `host` after `timeout`.
async fn within(
    timeout: Duration,
    host: &str,
    lookup: impl Future<Output = std::io::Result<Vec<SocketAddr>>>,
) -> std::io::Result<Vec<SocketAddr>> {
    tokio::time::timeout(timeout, lookup).await.unwrap_or_else(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("resolving {host} took longer than {} ms", timeout.as_millis()),
        ))
    })
}

/// Refuses the answer for `host` if any of `addrs` is not allowed.
fn check_resolved(
    policy: &OutboundPolicy,
    host: &str,
    addrs: Vec<SocketAddr>,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    // One bad address refuses the name: a mixed answer is exactly what a rebinding attack serves.
    if let Some((address, reason)) =
        addrs.iter().find_map(|a| guard::refusal(policy, host, a.ip()).map(|r| (a.ip(), r)))
    {
        tracing::warn!(%host, %address, reason, "refused an outbound connection to a non-public address");
        return Err(Refusal::Blocked { url: None, host: host.to_owned(), address, reason }.into());
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lookup_that_never_answers_times_out_naming_the_host() {
        let never = std::future::pending::<std::io::Result<Vec<SocketAddr>>>();
        let error = within(Duration::from_millis(20), "slow.example", never).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(error.to_string(), "resolving slow.example took longer than 20 ms");
    }
}
