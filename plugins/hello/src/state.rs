//! What hello's handlers and event hook share.

use crate::recent::RecentEvents;
use crate::visits::VisitCounter;

/// hello's state. Cheap to clone.
#[derive(Clone)]
pub struct HelloState {
    pub visits: VisitCounter,
    pub recent: RecentEvents,
}
