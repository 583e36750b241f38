//! The site-audit store's schema. Times are Unix milliseconds; a page row is written as soon as it is crawled.

use temps_bundle_store::Migration;

/// Applied in order by `Store::open_for`; never edit a released migration, add one.
pub static MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "audits, pages, links and findings",
    sql: "
CREATE TABLE audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,                -- the origin crawled (scheme://host[:port])
    start_url TEXT NOT NULL,
    trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'deployment')),
    event_id TEXT UNIQUE,              -- the deployment.succeeded event, so a redelivered event audits once
    project_id INTEGER,
    environment TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'failed', 'interrupted')),
    stop_reason TEXT,
    error TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    requested_by TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX audits_site ON audits (site, id);
CREATE INDEX audits_status ON audits (status, id);
CREATE TABLE pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    depth INTEGER NOT NULL,
    found_on TEXT,
    in_sitemap INTEGER NOT NULL,
    status INTEGER,
    failure TEXT,
    final_url TEXT NOT NULL,
    redirects TEXT NOT NULL,           -- JSON array of {url, status, location}
    content_type TEXT,
    bytes INTEGER NOT NULL,
    truncated INTEGER NOT NULL,
    elapsed_ms INTEGER NOT NULL,
    title TEXT,
    description TEXT,
    h1_count INTEGER,
    canonical TEXT,
    lang TEXT,
    noindex INTEGER NOT NULL,
    UNIQUE (audit_id, url)
);
CREATE TABLE links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    from_url TEXT NOT NULL,
    to_url TEXT NOT NULL
);
CREATE INDEX links_to ON links (audit_id, to_url);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'notice')),
    url TEXT NOT NULL,
    detail TEXT NOT NULL,
    hint TEXT NOT NULL,
    UNIQUE (audit_id, kind, url)
);
",
}];
