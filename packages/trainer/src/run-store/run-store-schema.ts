/** Marks a database as a localbp run store; anything else is foreign and refused. */
export const RUN_STORE_FORMAT = 'localbp-run-store';
/** Bumped on every incompatible change; older readers refuse newer stores. */
export const RUN_STORE_SCHEMA_VERSION = 1;
export const META_TABLE = 'localbp_meta';

export const SCHEMA_STATEMENTS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, command TEXT NOT NULL, config TEXT NOT NULL,
    backend TEXT NOT NULL, versions TEXT NOT NULL, status TEXT NOT NULL,
    started_at REAL NOT NULL, ended_at REAL, pid INTEGER, host TEXT, heartbeat_at REAL)`,
  `CREATE TABLE IF NOT EXISTS metrics (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL, epoch INTEGER NOT NULL, cell TEXT, key TEXT NOT NULL, value REAL, wall_time REAL NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS metrics_by_run ON metrics (run_id, id)`,
  `CREATE TABLE IF NOT EXISTS artifacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL, epoch INTEGER NOT NULL, cell TEXT, kind TEXT NOT NULL, mime TEXT NOT NULL,
    bytes BLOB, path TEXT, size INTEGER NOT NULL, wall_time REAL NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS artifacts_by_run ON artifacts (run_id, id)`,
  `CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL, payload TEXT NOT NULL, wall_time REAL NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, kind, id)`,
  `INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES ('format', '${RUN_STORE_FORMAT}')`,
  `INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES ('schema_version', '${RUN_STORE_SCHEMA_VERSION}')`,
];
