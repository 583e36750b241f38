//! deploy-pulse's tables as sea-orm entities (the schema itself is [`crate::schema`]'s migrations).

pub mod deployment;
pub mod event;
pub mod project;
