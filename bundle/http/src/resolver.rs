//! The client's DNS resolver: resolves with the system resolver, then refuses the whole answer if any address is
//! not allowed. Because reqwest connects only to the addresses this returns, what was checked is what is dialled.

use std::net::SocketAddr;
use std::sync::Arc;

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

/// Resolves `host` and checks every address against `policy`.
pub(crate) async fn resolve_checked(policy: &OutboundPolicy, host: &str) -> Result<Vec<SocketAddr>, ResolveFailure> {
    // The port is replaced by the URL's; 0 is only there to satisfy `lookup_host`.
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    // One bad address refuses the name: a mixed answer is exactly what a rebinding attack serves.
    if let Some((address, reason)) =
        addrs.iter().find_map(|a| guard::refusal(policy, host, a.ip()).map(|r| (a.ip(), r)))
    {
        tracing::warn!(%host, %address, reason, "refused an outbound connection to a non-public address");
        return Err(Refusal::Blocked { url: None, host: host.to_owned(), address, reason }.into());
    }
    Ok(addrs)
}
