//! The in-memory half of a running process: started members behind the bundle's service, and the event bus.
//! `serve::run` builds it for the socket and `testing` builds it for in-process tests, so a test member is served
//! by exactly the code that serves it in the binary.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;

use super::composite::CompositeManifest;
use super::dispatch::Dispatch;
use super::protocol_routes::protocol_routes;
use super::router::{App, app_router};
use super::service::BundleService;
use super::signature::HostSecret;
use super::start::MemberSlot;
use crate::channel::ChannelHub;
use crate::events::EventBus;
use crate::isolation::switch::SwitchStore;

/// What serves requests and events once the members started.
pub(crate) struct Assembly {
    pub(crate) app: Arc<App>,
    pub(crate) service: BundleService,
    /// Read by `testing`, which delivers events straight to it; the binary's events arrive on the channel socket,
    /// whose route hands them to it.
    #[cfg_attr(not(feature = "testing"), allow(dead_code, reason = "only the testing harness reads it"))]
    pub(crate) bus: Arc<EventBus>,
}

/// The bundle as the members started: `composite` is `None` in split mode (the one member owns every path).
pub(crate) struct Parts {
    pub(crate) slots: Vec<MemberSlot>,
    pub(crate) secret: HostSecret,
    pub(crate) channel: Arc<ChannelHub>,
    pub(crate) composite: Option<CompositeManifest>,
    pub(crate) shell_ui: Option<Router>,
    /// Compact JSON ([`super::openapi::openapi_json`]).
    pub(crate) openapi: Option<Bytes>,
    /// Where the kill switch is stored (`None`: split mode and tests, where nothing flips it).
    pub(crate) switch_store: Option<SwitchStore>,
}

/// Wires the started members to the event bus, the protocol routes and the bundle's own routes.
pub(crate) fn assemble(parts: Parts) -> Assembly {
    let Parts { slots, secret, channel, composite, shell_ui, openapi, switch_store } = parts;
    let bus = Arc::new(EventBus::new(
        slots
            .iter()
            .filter_map(|slot| Some((slot.manifest.events.clone(), slot.started()?.clone(), slot.isolation.clone())))
            .collect(),
    ));
    let protocol = protocol_routes(channel, bus.clone(), secret.clone());
    let split = composite.is_none();
    let app = Arc::new(
        App::new(Dispatch::new(secret, slots, split), composite, shell_ui)
            .with_openapi(openapi)
            .with_switch_store(switch_store),
    );
    let service = BundleService::new(app.clone(), app_router(app.clone(), protocol));
    Assembly { app, service, bus }
}
