//! Registration through `inventory`: `register!(MyPlugin)` submits a static descriptor the engine reads once.

use std::sync::Arc;

use crate::plugin::{Erased, Member, Plugin};

/// A registered member: the crate it came from and how to construct it.
pub struct Registration {
    /// The Cargo package that registered it, for error messages.
    pub(crate) package: &'static str,
    construct: fn() -> Arc<dyn Member>,
}

impl Registration {
    #[doc(hidden)]
    pub const fn new(package: &'static str, construct: fn() -> Arc<dyn Member>) -> Self {
        Self { package, construct }
    }

    pub(crate) fn construct(&self) -> Arc<dyn Member> {
        (self.construct)()
    }
}

inventory::collect!(Registration);

/// Every registration linked into this binary, in link order (which is not meaningful: the engine sorts by name).
pub(crate) fn registrations() -> impl Iterator<Item = &'static Registration> {
    inventory::iter::<Registration>.into_iter()
}

/// Builds a registered plugin; `register!` names it. Not part of the API.
pub fn construct<P: Plugin + Default>() -> Arc<dyn Member> {
    Arc::new(Erased(P::default()))
}

/// Registers a plugin type (which must implement [`Plugin`] and `Default`) as a member of whatever bundle links
/// this crate.
///
/// ```ignore
/// temps_bundle_sdk::register!(HelloPlugin);
/// ```
#[macro_export]
macro_rules! register {
    ($plugin:ty) => {
        $crate::__private::inventory::submit! {
            $crate::__private::Registration::new(env!("CARGO_PKG_NAME"), $crate::__private::construct::<$plugin>)
        }
    };
}
