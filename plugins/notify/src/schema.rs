//! The notify store's schema. Times are Unix milliseconds; a delivery row exists before its first network call.

use temps_bundle_store::Migration;

/// Applied in order by `Store::open_for`; never edit a released migration, add one.
pub static MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "targets and deliveries",
    sql: "
CREATE TABLE targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('slack', 'discord', 'json')),
    events TEXT NOT NULL,              -- JSON array of patterns
    project_id INTEGER,
    environment TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,               -- UUIDv4, sent as x-temps-notify-delivery on every attempt
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body TEXT NOT NULL,
    test INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_status_code INTEGER,
    last_error TEXT,
    latency_ms INTEGER,
    delivered_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (target_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_log ON deliveries (created_at);
",
}];
