import { createClient, type Client, type InStatement } from '@libsql/client';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { WeightArray } from '../protocol/weight-array';
import { CLIENT_NAME_PATTERN, generateToken, hashToken } from './credentials';
import type { RoundReport } from './round-report';

/** A problem with the server's state database that a user can act on. */
export class ServerStateError extends Error {
  override readonly name = 'ServerStateError';
}

/** The last completed round: everything a restarted server needs to continue from it. */
export interface ServerCheckpoint {
  round: number;
  versions: Record<string, number>;
  weights: WeightArray[];
  history: RoundReport[];
}

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)',
  'CREATE TABLE IF NOT EXISTS clients (name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, ordinal INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS weights (name TEXT PRIMARY KEY, position INTEGER NOT NULL, shape TEXT NOT NULL, data BLOB NOT NULL)',
  'CREATE TABLE IF NOT EXISTS versions (unit TEXT PRIMARY KEY, version INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS rounds (round INTEGER PRIMARY KEY, completed_at TEXT NOT NULL, test_accuracy REAL, report TEXT NOT NULL)',
];

/**
 * The server's embedded SQLite database: configuration, client credentials (hashed), and after
 * every completed round the weights, unit versions and round report, written in one transaction so
 * a `kill -9` leaves either the previous round or the new one, never a mix.
 */
export class ServerStateDb {
  private constructor(
    private readonly db: Client,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<ServerStateDb> {
    const resolved = path.resolve(file);
    mkdirSync(path.dirname(resolved), { recursive: true });
    const db = createClient({ url: `file:${resolved}` });
    try {
      // Wait for locks first: switching to WAL (or recovering the WAL of a killed server) needs one briefly.
      await db.execute('PRAGMA busy_timeout=5000');
      await db.execute('PRAGMA journal_mode=WAL');
      await db.batch(SCHEMA, 'write');
    } catch (err) {
      db.close();
      throw new ServerStateError(`cannot open state database ${resolved}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new ServerStateDb(db, resolved);
  }

  close(): void {
    this.db.close();
  }

  /** Provisions a client and returns its token: shown once, only its hash is stored. */
  async addClient(name: string): Promise<string> {
    if (!CLIENT_NAME_PATTERN.test(name)) {
      throw new ServerStateError(`client name "${name}": use 1-64 letters, digits, dots, dashes or underscores`);
    }
    const existing = await this.db.execute({ sql: 'SELECT 1 FROM clients WHERE name = ?', args: [name] });
    if (existing.rows.length) throw new ServerStateError(`client "${name}" already exists in ${this.file}`);
    const token = generateToken();
    await this.db.execute({
      sql: 'INSERT INTO clients (name, token_hash, created_at, ordinal) VALUES (?, ?, ?, (SELECT COALESCE(MAX(ordinal), -1) + 1 FROM clients))',
      args: [name, hashToken(token), new Date().toISOString()],
    });
    return token;
  }

  async clientForTokenHash(tokenHash: string): Promise<string | null> {
    const rs = await this.db.execute({ sql: 'SELECT name FROM clients WHERE token_hash = ?', args: [tokenHash] });
    return rs.rows.length ? String(rs.rows[0]!.name) : null;
  }

  /** Client names in the order they were added (cell ownership in cell-distributed mode follows it). */
  async clientNames(): Promise<string[]> {
    const rs = await this.db.execute('SELECT name FROM clients ORDER BY ordinal');
    return rs.rows.map((r) => String(r.name));
  }

  async readMeta(key: string): Promise<string | null> {
    const rs = await this.db.execute({ sql: 'SELECT value FROM meta WHERE key = ?', args: [key] });
    return rs.rows.length ? String(rs.rows[0]!.value) : null;
  }

  async writeMeta(key: string, value: string): Promise<void> {
    await this.db.execute({ sql: 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', args: [key, value] });
  }

  /**
   * Atomically records a completed round (round 0 = the initial weights), in one write transaction. A round is
   * stored once: committing the same round number again fails instead of overwriting it. `midway` runs inside the
   * open transaction after the weights are written (a fault-injection test kills the process there).
   */
  async commitRound(
    round: number,
    versions: Record<string, number>,
    weights: readonly WeightArray[],
    report: RoundReport | null,
    midway?: () => Promise<void>,
  ): Promise<void> {
    const statements: InStatement[] = weights.map((w, position) => ({
      sql: 'INSERT INTO weights (name, position, shape, data) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position, shape = excluded.shape, data = excluded.data',
      args: [w.name, position, JSON.stringify(w.shape), new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength)],
    }));
    const rest: InStatement[] = [];
    for (const [unit, version] of Object.entries(versions)) {
      rest.push({ sql: 'INSERT INTO versions (unit, version) VALUES (?, ?) ON CONFLICT(unit) DO UPDATE SET version = excluded.version', args: [unit, version] });
    }
    if (report) {
      rest.push({
        sql: 'INSERT INTO rounds (round, completed_at, test_accuracy, report) VALUES (?, ?, ?, ?)',
        args: [round, new Date().toISOString(), report.testAccuracy, JSON.stringify(report)],
      });
    }
    rest.push({ sql: "INSERT INTO meta (key, value) VALUES ('round', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", args: [String(round)] });
    const tx = await this.db.transaction('write');
    try {
      await tx.batch(statements);
      if (midway) await midway();
      await tx.batch(rest);
      await tx.commit();
    } finally {
      tx.close();
    }
  }

  /** SQLite's own consistency check of the file: "ok" when every page, index and constraint is sound. */
  async integrityCheck(): Promise<string> {
    const rs = await this.db.execute('PRAGMA integrity_check');
    return rs.rows.map((r) => String(r[0])).join('; ');
  }

  /** The last completed round, or null for a fresh database. */
  async readCheckpoint(): Promise<ServerCheckpoint | null> {
    const round = await this.readMeta('round');
    if (round === null) return null;
    const weights = (await this.db.execute('SELECT name, shape, data FROM weights ORDER BY position')).rows.map((r) => {
      const data = r.data as ArrayBuffer;
      return { name: String(r.name), shape: JSON.parse(String(r.shape)) as number[], values: new Float32Array(data.slice(0)) };
    });
    const versions: Record<string, number> = {};
    for (const r of (await this.db.execute('SELECT unit, version FROM versions')).rows) versions[String(r.unit)] = Number(r.version);
    const history = (await this.db.execute('SELECT report FROM rounds ORDER BY round')).rows.map((r) => JSON.parse(String(r.report)) as RoundReport);
    return { round: Number(round), versions, weights, history };
  }
}
