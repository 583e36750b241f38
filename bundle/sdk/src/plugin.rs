//! The `Plugin` trait a member implements, and its type-erased form the engine drives.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use temps_bundle_protocol::{PluginEvent, PluginManifest};

use crate::context::Context;

/// The error type of fallible plugin hooks: any error, boxed. Plugins keep their own `thiserror` enums and use `?`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A member of the bundle.
///
/// The engine calls, in order: [`Plugin::manifest`] (once, before anything starts), [`Plugin::on_start`]
/// (async; what it returns is the member's state), [`Plugin::router`] with that state, then [`Plugin::on_event`]
/// for every subscribed event and [`Plugin::on_shutdown`] once at the end. `/health` and `/ui/` are served by the
/// SDK: a member's router never needs them (and cannot collide with them).
pub trait Plugin: Send + Sync + 'static {
    /// Whatever the member's handlers need (stores, settings, clients). Cloned into the router and hooks.
    type State: Clone + Send + Sync + 'static;

    /// The member's manifest; build it with [`crate::ManifestBuilder`].
    fn manifest(&self) -> PluginManifest;

    /// Async initialization: open storage, load settings. An error marks the member failed (its routes answer 503
    /// naming the cause) while the other members serve.
    fn on_start(&self, ctx: &Context) -> impl Future<Output = Result<Self::State, BoxError>> + Send;

    /// The member's routes, relative to its mount point (`/` here is `/<name>/` in the bundle).
    fn router(&self, ctx: &Context, state: Self::State) -> Router;

    /// Called for each platform event matching the manifest's `events`, each on its own task.
    fn on_event(&self, ctx: &Context, state: &Self::State, event: PluginEvent) -> impl Future<Output = ()> + Send {
        let _ = (ctx, state, event);
        async {}
    }

    /// Called once when the bundle shuts down gracefully (SIGTERM/SIGINT), after in-flight requests finished.
    fn on_shutdown(&self, ctx: &Context, state: &Self::State) -> impl Future<Output = ()> + Send {
        let _ = (ctx, state);
        async {}
    }

    /// The member's built web UI (usually `include_dir!("$CARGO_MANIFEST_DIR/web/dist")`), served at `/ui/`.
    fn ui(&self) -> Option<&'static include_dir::Dir<'static>> {
        None
    }

    /// An OpenAPI description of the member's routes, if it has one.
    fn openapi(&self) -> Option<serde_json::Value> {
        None
    }
}

/// A boxed, sendable future.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A plugin with its concrete types erased, as the engine stores it.
#[doc(hidden)]
pub trait Member: Send + Sync {
    fn manifest(&self) -> PluginManifest;
    fn ui(&self) -> Option<&'static include_dir::Dir<'static>>;
    fn openapi(&self) -> Option<serde_json::Value>;
    fn start(self: Arc<Self>, ctx: Context) -> BoxFuture<'static, Result<Arc<dyn Started>, BoxError>>;
}

/// A member whose `on_start` succeeded: its state is captured inside.
#[doc(hidden)]
pub trait Started: Send + Sync {
    fn router(&self) -> Router;
    fn on_event(&self, event: PluginEvent) -> BoxFuture<'static, ()>;
    fn on_shutdown(&self) -> BoxFuture<'static, ()>;
    /// The member's state, for the `testing` harness to hand back typed.
    #[cfg(feature = "testing")]
    fn state(&self) -> &(dyn std::any::Any + Send + Sync);
}

/// Wraps a [`Plugin`] as a [`Member`].
pub(crate) struct Erased<P>(pub(crate) P);

struct Running<P: Plugin> {
    plugin: Arc<Erased<P>>,
    ctx: Context,
    state: P::State,
}

impl<P: Plugin> Member for Erased<P> {
    fn manifest(&self) -> PluginManifest {
        self.0.manifest()
    }

    fn ui(&self) -> Option<&'static include_dir::Dir<'static>> {
        self.0.ui()
    }

    fn openapi(&self) -> Option<serde_json::Value> {
        self.0.openapi()
    }

    fn start(self: Arc<Self>, ctx: Context) -> BoxFuture<'static, Result<Arc<dyn Started>, BoxError>> {
        Box::pin(async move {
            let state = self.0.on_start(&ctx).await?;
            let running: Arc<dyn Started> = Arc::new(Running { plugin: self, ctx, state });
            Ok(running)
        })
    }
}

impl<P: Plugin> Started for Running<P> {
    fn router(&self) -> Router {
        self.plugin.0.router(&self.ctx, self.state.clone())
    }

    fn on_event(&self, event: PluginEvent) -> BoxFuture<'static, ()> {
        let (plugin, ctx, state) = (self.plugin.clone(), self.ctx.clone(), self.state.clone());
        Box::pin(async move { plugin.0.on_event(&ctx, &state, event).await })
    }

    fn on_shutdown(&self) -> BoxFuture<'static, ()> {
        let (plugin, ctx, state) = (self.plugin.clone(), self.ctx.clone(), self.state.clone());
        Box::pin(async move { plugin.0.on_shutdown(&ctx, &state).await })
    }

    #[cfg(feature = "testing")]
    fn state(&self) -> &(dyn std::any::Any + Send + Sync) {
        &self.state
    }
}
