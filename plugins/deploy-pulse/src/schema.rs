//! deploy-pulse's tables, as store migrations. Released migrations are never edited: add a new one instead.

use temps_bundle_store::Migration;

/// The file inside the member's data dir.
pub const DB_FILE: &str = "deploy-pulse.sqlite3";

pub static MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "events, deployments and projects",
        sql: "
        -- Every deployment event received, once: the UNIQUE event id makes a redelivery a no-op.
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            event_type TEXT NOT NULL,
            deployment_id INTEGER,
            project_id INTEGER,
            occurred_at INTEGER,
            received_at INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX events_deployment ON events (deployment_id);

        -- One row per deployment; times are Unix milliseconds (UTC).
        CREATE TABLE deployments (
            deployment_id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL,
            environment_id INTEGER,
            environment_name TEXT,
            state TEXT NOT NULL,
            host_state TEXT,
            branch TEXT,
            commit_sha TEXT,
            commit_message TEXT,
            commit_author TEXT,
            url TEXT,
            error_message TEXT,
            created_at INTEGER,
            started_at INTEGER,
            succeeded_at INTEGER,
            failed_at INTEGER,
            cancelled_at INTEGER,
            ready_at INTEGER
        );
        CREATE INDEX deployments_project ON deployments (project_id, deployment_id);
        CREATE INDEX deployments_environment ON deployments (environment_id);

        -- Project names and slugs, from backfill (events carry only ids).
        CREATE TABLE projects (
            project_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            slug TEXT NOT NULL
        );
    ",
    },
    Migration {
        version: 2,
        name: "retention indexes",
        sql: "
        -- The pruner deletes by these moments; without the indexes each pass scans both tables.
        CREATE INDEX events_received ON events (received_at);
        CREATE INDEX deployments_created ON deployments (created_at);
    ",
    },
];
