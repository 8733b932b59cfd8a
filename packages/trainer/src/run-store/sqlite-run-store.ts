import { createClient, type Client, type InStatement, type Row } from '@libsql/client';
import type {
  ArtifactKind,
  ArtifactRecord,
  JsonValue,
  MetricPoint,
  NewArtifact,
  NewRun,
  NewRunEvent,
  RunEvent,
  RunRecord,
  RunStatus,
  RunStore,
  StoreChanges,
  StoreCursor,
  StoredMetricPoint,
} from '@localbp/core';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { RunStoreError } from './run-store-error';
import { META_TABLE, RUN_STORE_FORMAT, RUN_STORE_SCHEMA_VERSION, SCHEMA_STATEMENTS } from './run-store-schema';

/** Where `localbp` keeps its runs unless `--store` says otherwise (relative to the working directory). */
export const DEFAULT_STORE_PATH = path.join('runs', 'localbp.sqlite');

/** Options of `openRunStore`. */
export interface OpenRunStoreOptions {
  /** For `libsql://` / `http(s)://` stores (sqld, Turso); default: env `LOCALBP_STORE_TOKEN`. */
  authToken?: string;
  /** A `running` run silent for longer than this reads `interrupted`. Default 30 s. */
  staleAfterMs?: number;
  /** Milliseconds a writer waits for another process's transaction. Default 10 s. */
  busyTimeoutMs?: number;
}

const SQLITE_HEADER = 'SQLite format 3\0';
const REMOTE_URL = /^(libsql|https?|wss?):\/\//i;
const METRIC_COLUMNS = 7;
const ROWS_PER_INSERT = 200;

/** Whether a store location is a URL (libsql://, http(s)://) rather than a local file. */
export function isRemoteStoreLocation(location: string): boolean {
  return REMOTE_URL.test(location);
}

const jsonObject = z.record(z.string(), z.json());
const versionsSchema = z.record(z.string(), z.string());
const statusSchema = z.enum(['running', 'completed', 'interrupted', 'failed']);
const kindSchema = z.enum(['reconstruction', 'samples', 'ff-samples', 'checkpoint']);
const nullableNumber = z.union([z.number(), z.bigint().transform(Number), z.null()]);
const integer = z.union([z.number(), z.bigint().transform(Number)]);

function runId(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Reads the first bytes: a non-SQLite file is refused before libsql sees it (and maybe rewrites it). */
function checkSqliteHeader(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // missing: created on open
  }
  if (size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new RunStoreError(`${file} is not a SQLite database, so it cannot be a localbp run store (choose another --store path)`);
  }
}

function describeSqliteError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The run store on SQLite through libsql: a local file in WAL mode (several training processes may
 * write at once; readers never block writers) or a remote sqld/Turso URL.
 */
export class SqliteRunStore implements RunStore {
  private closed = false;

  private constructor(
    private readonly client: Client,
    readonly location: string,
    private readonly staleAfterMs: number,
  ) {}

  /** Opens the store at a file path or URL, creating its tables where they do not exist yet. */
  static async open(location: string, options: OpenRunStoreOptions = {}): Promise<SqliteRunStore> {
    const remote = isRemoteStoreLocation(location);
    let url: string;
    let shown: string;
    if (remote) {
      url = location;
      shown = location;
    } else {
      const file = path.resolve(location.startsWith('file:') ? location.slice('file:'.length) : location);
      try {
        mkdirSync(path.dirname(file), { recursive: true });
      } catch (err) {
        throw new RunStoreError(`cannot create the directory of run store ${file}: ${describeSqliteError(err)}`);
      }
      checkSqliteHeader(file);
      url = `file:${file}`;
      shown = file;
    }
    const authToken = options.authToken ?? process.env.LOCALBP_STORE_TOKEN;
    const client = createClient(remote && authToken ? { url, authToken } : { url });
    const store = new SqliteRunStore(client, shown, options.staleAfterMs ?? 30_000);
    try {
      if (!remote) {
        await client.execute(`PRAGMA busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 10_000))}`);
        await client.execute('PRAGMA journal_mode = WAL');
      }
      await store.ensureSchema();
    } catch (err) {
      client.close();
      if (err instanceof RunStoreError) throw err;
      const message = describeSqliteError(err);
      if (/NOTADB|not a database/i.test(message)) {
        throw new RunStoreError(`${shown} is not a SQLite database, so it cannot be a localbp run store (choose another --store path)`);
      }
      if (/CORRUPT|malformed/i.test(message)) throw new RunStoreError(`run store ${shown} is corrupt: ${message}`);
      throw new RunStoreError(`cannot open run store ${shown}: ${message}`);
    }
    return store;
  }

  private async ensureSchema(): Promise<void> {
    const tables = (await this.client.execute("SELECT name FROM sqlite_master WHERE type = 'table'")).rows.map((r) => String(r.name));
    const ours = tables.includes(META_TABLE);
    const foreign = tables.filter((t) => !t.startsWith('sqlite_'));
    if (!ours && foreign.length > 0) {
      throw new RunStoreError(
        `${this.location} is a SQLite database but not a localbp run store (it holds tables ${foreign.slice(0, 5).join(', ')}); choose another --store path`,
      );
    }
    if (!ours) {
      // One write transaction: a second process creating the same store at once finds everything in place.
      await this.client.batch([...SCHEMA_STATEMENTS], 'write');
    }
    const meta = new Map(
      (await this.client.execute(`SELECT key, value FROM ${META_TABLE}`)).rows.map((r) => [String(r.key), String(r.value)]),
    );
    if (meta.get('format') !== RUN_STORE_FORMAT) {
      throw new RunStoreError(`${this.location} is a SQLite database but not a localbp run store (format "${meta.get('format') ?? 'missing'}")`);
    }
    const version = Number(meta.get('schema_version'));
    if (!Number.isInteger(version) || version < 1) {
      throw new RunStoreError(`run store ${this.location} has no valid schema version ("${meta.get('schema_version') ?? 'missing'}")`);
    }
    if (version > RUN_STORE_SCHEMA_VERSION) {
      throw new RunStoreError(
        `run store ${this.location} has schema version ${version}, newer than this localbp reads (${RUN_STORE_SCHEMA_VERSION}); upgrade localbp`,
      );
    }
  }

  private check(): void {
    if (this.closed) throw new RunStoreError(`run store ${this.location} is closed`);
  }

  /** Records a new run as running and returns its record. */
  async createRun(run: NewRun): Promise<RunRecord> {
    this.check();
    const id = run.id ?? runId();
    const now = Date.now();
    await this.client.execute({
      sql: `INSERT INTO runs (id, name, command, config, backend, versions, status, started_at, ended_at, pid, host, heartbeat_at)
            VALUES (?, ?, ?, ?, ?, ?, 'running', ?, NULL, ?, ?, ?)`,
      args: [id, run.name, run.command, JSON.stringify(run.config), run.backend, JSON.stringify(run.versions), now, process.pid, hostname(), now],
    });
    return (await this.getRun(id))!;
  }

  async reopenRun(id: string): Promise<RunRecord> {
    this.check();
    const now = Date.now();
    const result = await this.client.execute({
      sql: "UPDATE runs SET status = 'running', ended_at = NULL, pid = ?, host = ?, heartbeat_at = ? WHERE id = ?",
      args: [process.pid, hostname(), now, id],
    });
    if (result.rowsAffected === 0) throw new RunStoreError(`run ${id} is not in store ${this.location}`);
    return (await this.getRun(id))!;
  }

  /** Marks a run completed, interrupted or failed. */
  async finishRun(id: string, status: Exclude<RunStatus, 'running'>): Promise<void> {
    this.check();
    const now = Date.now();
    await this.client.execute({
      sql: 'UPDATE runs SET status = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?',
      args: [status, now, now, id],
    });
  }

  async heartbeat(id: string): Promise<void> {
    this.check();
    await this.client.execute({ sql: 'UPDATE runs SET heartbeat_at = ? WHERE id = ?', args: [Date.now(), id] });
  }

  async addMetrics(points: readonly MetricPoint[]): Promise<void> {
    this.check();
    if (points.length === 0) return;
    const statements: InStatement[] = [];
    for (let start = 0; start < points.length; start += ROWS_PER_INSERT) {
      const chunk = points.slice(start, start + ROWS_PER_INSERT);
      const args: Array<string | number | null> = [];
      for (const p of chunk) {
        args.push(p.runId, p.step, p.epoch, p.cell, p.key, p.value !== null && Number.isFinite(p.value) ? p.value : null, p.wallTime);
      }
      const row = `(${new Array(METRIC_COLUMNS).fill('?').join(', ')})`;
      statements.push({
        sql: `INSERT INTO metrics (run_id, step, epoch, cell, key, value, wall_time) VALUES ${chunk.map(() => row).join(', ')}`,
        args,
      });
    }
    await this.client.batch(statements, 'write');
  }

  /** Stores an artifact (image grid, checkpoint reference) and returns its id. */
  async addArtifact(artifact: NewArtifact): Promise<number> {
    this.check();
    if (!artifact.bytes && !artifact.path) throw new RunStoreError('an artifact needs bytes or a path');
    const result = await this.client.execute({
      sql: `INSERT INTO artifacts (run_id, step, epoch, cell, kind, mime, bytes, path, size, wall_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        artifact.runId,
        artifact.step,
        artifact.epoch,
        artifact.cell,
        artifact.kind,
        artifact.mime,
        artifact.bytes ?? null,
        artifact.path ?? null,
        artifact.bytes?.byteLength ?? 0,
        Date.now(),
      ],
    });
    return Number(result.lastInsertRowid);
  }

  /** Stores a run event (e.g. an error, a federation round) and returns its id. */
  async addEvent(event: NewRunEvent): Promise<number> {
    this.check();
    const result = await this.client.execute({
      sql: 'INSERT INTO events (run_id, kind, payload, wall_time) VALUES (?, ?, ?, ?)',
      args: [event.runId, event.kind, JSON.stringify(event.payload), Date.now()],
    });
    return Number(result.lastInsertRowid);
  }

  /** Every run, newest first. */
  async listRuns(): Promise<RunRecord[]> {
    this.check();
    const rows = (await this.client.execute('SELECT * FROM runs ORDER BY started_at DESC, id')).rows;
    return rows.map((r) => this.toRun(r));
  }

  /** One run by id, or null. */
  async getRun(id: string): Promise<RunRecord | null> {
    this.check();
    const row = (await this.client.execute({ sql: 'SELECT * FROM runs WHERE id = ?', args: [id] })).rows[0];
    return row ? this.toRun(row) : null;
  }

  /** A run's metric points, optionally only some keys, in the order they were written. */
  async metrics(runId: string, options: { keys?: readonly string[] } = {}): Promise<StoredMetricPoint[]> {
    this.check();
    const keys = options.keys ?? [];
    const filter = keys.length ? ` AND key IN (${keys.map(() => '?').join(', ')})` : '';
    // One JSON text from SQLite instead of a row object per point: ~5x faster for 100k-point runs.
    const row = (
      await this.client.execute({
        sql: `SELECT json_group_array(json_array(id, step, epoch, cell, key, value, wall_time) ORDER BY id) AS points
              FROM metrics WHERE run_id = ?${filter}`,
        args: [runId, ...keys],
      })
    ).rows[0];
    const points: unknown = JSON.parse(String(row?.points ?? '[]'));
    if (!Array.isArray(points)) throw new RunStoreError(`run store ${this.location}: unreadable metrics of run ${runId}`);
    return points.map((p: unknown) => {
      if (!isMetricTuple(p)) throw new RunStoreError(`run store ${this.location}: malformed metric row ${JSON.stringify(p)}`);
      const [id, step, epoch, cell, key, value, wallTime] = p;
      return { id, runId, step, epoch, cell, key, value, wallTime };
    });
  }

  /** A run's artifact records (without their bytes). */
  async artifacts(runId: string): Promise<ArtifactRecord[]> {
    this.check();
    const rows = (
      await this.client.execute({ sql: `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY id`, args: [runId] })
    ).rows;
    return rows.map(toArtifact);
  }

  /** An artifact's record and bytes, or null. */
  async readArtifact(id: number): Promise<{ record: ArtifactRecord; bytes: Uint8Array } | null> {
    this.check();
    const row = (await this.client.execute({ sql: `SELECT ${ARTIFACT_COLUMNS}, bytes FROM artifacts WHERE id = ?`, args: [id] })).rows[0];
    if (!row) return null;
    const bytes = row.bytes instanceof ArrayBuffer ? new Uint8Array(row.bytes) : new Uint8Array(0);
    return { record: toArtifact(row), bytes };
  }

  /** A run's events, optionally of one kind, in order. */
  async events(runId: string, options: { kind?: string } = {}): Promise<RunEvent[]> {
    this.check();
    const rows = (
      await this.client.execute(
        options.kind
          ? { sql: 'SELECT * FROM events WHERE run_id = ? AND kind = ? ORDER BY id', args: [runId, options.kind] }
          : { sql: 'SELECT * FROM events WHERE run_id = ? ORDER BY id', args: [runId] },
      )
    ).rows;
    return rows.map(toEvent);
  }

  async cursor(): Promise<StoreCursor> {
    this.check();
    const row = (
      await this.client.execute(
        'SELECT (SELECT COALESCE(MAX(id), 0) FROM metrics) AS m, (SELECT COALESCE(MAX(id), 0) FROM artifacts) AS a, (SELECT COALESCE(MAX(id), 0) FROM events) AS e',
      )
    ).rows[0]!;
    return { metric: Number(row.m), artifact: Number(row.a), event: Number(row.e) };
  }

  async changesSince(cursor: StoreCursor, limit = 5000): Promise<StoreChanges> {
    this.check();
    const [m, a, e] = await this.client.batch(
      [
        { sql: 'SELECT * FROM metrics WHERE id > ? ORDER BY id LIMIT ?', args: [cursor.metric, limit + 1] },
        { sql: `SELECT ${ARTIFACT_COLUMNS} FROM artifacts WHERE id > ? ORDER BY id LIMIT ?`, args: [cursor.artifact, limit] },
        { sql: 'SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?', args: [cursor.event, limit] },
      ],
      'read',
    );
    const more = m!.rows.length > limit;
    const metrics = m!.rows.slice(0, limit).map(toMetric);
    const artifacts = a!.rows.map(toArtifact);
    const events = e!.rows.map(toEvent);
    return {
      metrics,
      artifacts,
      events,
      more,
      cursor: {
        metric: metrics.at(-1)?.id ?? cursor.metric,
        artifact: artifacts.at(-1)?.id ?? cursor.artifact,
        event: events.at(-1)?.id ?? cursor.event,
      },
    };
  }

  /** Flushes and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  private toRun(row: Row): RunRecord {
    const r = runRowSchema.parse(row);
    const config = jsonObject.parse(JSON.parse(r.config)) as { [key: string]: JsonValue };
    return {
      id: r.id,
      name: r.name,
      command: r.command,
      config,
      backend: r.backend,
      versions: versionsSchema.parse(JSON.parse(r.versions)),
      status: r.status === 'running' && this.isAbandoned(r.pid, r.host, r.heartbeat_at) ? 'interrupted' : r.status,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      pid: r.pid,
      host: r.host,
      heartbeatAt: r.heartbeat_at,
    };
  }

  /** A running row whose process is gone (same host) or silent too long (any host) was killed. */
  private isAbandoned(pid: number | null, host: string | null, heartbeatAt: number | null): boolean {
    if (pid !== null && host === hostname()) {
      try {
        process.kill(pid, 0);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
      }
    }
    return heartbeatAt === null || Date.now() - heartbeatAt > this.staleAfterMs;
  }
}

const ARTIFACT_COLUMNS = 'id, run_id, step, epoch, cell, kind, mime, path, size, wall_time';

const runRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  command: z.string(),
  config: z.string(),
  backend: z.string(),
  versions: z.string(),
  status: statusSchema,
  started_at: integer,
  ended_at: nullableNumber,
  pid: nullableNumber,
  host: z.string().nullable(),
  heartbeat_at: nullableNumber,
});

const metricRowSchema = z.object({
  id: integer,
  run_id: z.string(),
  step: integer,
  epoch: integer,
  cell: z.string().nullable(),
  key: z.string(),
  value: nullableNumber,
  wall_time: integer,
});

const artifactRowSchema = z.object({
  id: integer,
  run_id: z.string(),
  step: integer,
  epoch: integer,
  cell: z.string().nullable(),
  kind: kindSchema,
  mime: z.string(),
  path: z.string().nullable(),
  size: integer,
  wall_time: integer,
});

const eventRowSchema = z.object({ id: integer, run_id: z.string(), kind: z.string(), payload: z.string(), wall_time: integer });

type MetricTuple = [number, number, number, string | null, string, number | null, number];

function isMetricTuple(p: unknown): p is MetricTuple {
  return (
    Array.isArray(p) &&
    p.length === 7 &&
    typeof p[0] === 'number' &&
    typeof p[1] === 'number' &&
    typeof p[2] === 'number' &&
    (p[3] === null || typeof p[3] === 'string') &&
    typeof p[4] === 'string' &&
    (p[5] === null || typeof p[5] === 'number') &&
    typeof p[6] === 'number'
  );
}

function toMetric(row: Row): StoredMetricPoint {
  const r = metricRowSchema.parse(row);
  return { id: r.id, runId: r.run_id, step: r.step, epoch: r.epoch, cell: r.cell, key: r.key, value: r.value, wallTime: r.wall_time };
}

function toArtifact(row: Row): ArtifactRecord {
  const r = artifactRowSchema.parse(row);
  const kind: ArtifactKind = r.kind;
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    epoch: r.epoch,
    cell: r.cell,
    kind,
    mime: r.mime,
    path: r.path,
    size: r.size,
    wallTime: r.wall_time,
  };
}

function toEvent(row: Row): RunEvent {
  const r = eventRowSchema.parse(row);
  return { id: r.id, runId: r.run_id, kind: r.kind, payload: z.json().parse(JSON.parse(r.payload)) as JsonValue, wallTime: r.wall_time };
}

/** Opens (creating if needed) the run store at a file path, `file:` URL, or `libsql://` / `http(s)://` URL. */
export function openRunStore(location: string = DEFAULT_STORE_PATH, options?: OpenRunStoreOptions): Promise<SqliteRunStore> {
  return SqliteRunStore.open(location, options);
}
