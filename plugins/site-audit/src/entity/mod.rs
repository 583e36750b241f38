//! One sea-orm entity per table of [`crate::schema`].

pub mod audit;
pub mod finding;
pub mod link;
pub mod page;
