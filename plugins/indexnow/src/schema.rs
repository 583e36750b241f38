//! The indexnow store's schema. Times are Unix milliseconds.

use temps_bundle_store::Migration;

/// Applied in order by `Store::open_for`; never edit a released migration, add one.
pub static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "submissions, pages and submitted URLs",
        sql: "
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,                -- the origin (scheme://host[:port])
    start_url TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('deployment', 'manual')),
    event_id TEXT UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('changed', 'all', 'urls')),
    requested_urls TEXT,               -- JSON array, mode 'urls' only
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'submitted', 'nothing_changed', 'blocked', 'failed', 'interrupted')),
    reason TEXT,
    pages_found INTEGER NOT NULL DEFAULT 0,
    urls_submitted INTEGER NOT NULL DEFAULT 0,
    batches INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    requested_by TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX submissions_site ON submissions (site, id);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    content_hash TEXT,
    etag TEXT,
    last_modified TEXT,
    last_seen_at INTEGER NOT NULL,
    submitted_hash TEXT,
    submitted_etag TEXT,
    submitted_last_modified TEXT,
    last_submitted_at INTEGER,
    UNIQUE (site, url)
);
CREATE TABLE submitted_urls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    batch INTEGER NOT NULL
);
CREATE INDEX submitted_urls_submission ON submitted_urls (submission_id);
",
    },
    Migration {
        version: 2,
        name: "queued submissions found by index",
        // The worker's `status = 'queued' ORDER BY id` scanned every finished submission first: each deployment
        // event cost more than the last (3 ms of CPU per event after 3 000 submissions).
        sql: "CREATE INDEX submissions_status ON submissions (status, id);",
    },
];
