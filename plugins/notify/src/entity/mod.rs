//! notify's tables as sea-orm entities (the schema itself is [`crate::schema`]'s migrations).

pub mod delivery;
pub mod target;
