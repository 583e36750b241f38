//! One sea-orm entity per table of [`crate::schema`].

pub mod page;
pub mod submission;
pub mod submitted_url;
