import { createClient } from '@libsql/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStoreError } from './run-store-error';
import { RUN_STORE_SCHEMA_VERSION } from './run-store-schema';
import { RunWriter } from './run-writer';
import { openRunStore, type SqliteRunStore } from './sqlite-run-store';

// Child processes use the built entry, as other packages and the CLI do (turbo builds before testing).
const BUILT_ENTRY = fileURLToPath(new URL('../../dist/run-store.js', import.meta.url));

const NEW_RUN = { name: 'test run', command: 'localbp train --epochs 1', config: { model: 'lbp', width: 16 }, backend: 'cpu', versions: { node: process.version } };

let dir: string;
const open: SqliteRunStore[] = [];
async function store(file = path.join(dir, 'runs.sqlite'), options = {}): Promise<SqliteRunStore> {
  const s = await openRunStore(file, options);
  open.push(s);
  return s;
}

/** Runs a script in a fresh Node process with the built store entry as `lib`. */
function child(script: string, args: string[] = []): { done: Promise<number | null>; pid: number; stdout: () => string; kill: () => void } {
  const source = `import * as lib from ${JSON.stringify(BUILT_ENTRY)};\nconst args = ${JSON.stringify(args)};\n${script}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(err);
      resolve(code);
    }),
  );
  return { done, pid: proc.pid!, stdout: () => out, kill: () => proc.kill('SIGKILL') };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'localbp-store-'));
});

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteRunStore', () => {
  it('records a run with its metrics, artifacts and events, and reads them back', async () => {
    const s = await store();
    const run = await s.createRun(NEW_RUN);
    expect(run).toMatchObject({ name: 'test run', status: 'running', backend: 'cpu', config: { width: 16 }, pid: process.pid });
    await s.addMetrics([
      { runId: run.id, step: 1, epoch: 0, cell: 'cell-1', key: 'loss/cell-1', value: 0.5, wallTime: 1 },
      { runId: run.id, step: 1, epoch: 0, cell: null, key: 'loss/head', value: Number.NaN, wallTime: 1 },
    ]);
    const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    const artifactId = await s.addArtifact({ runId: run.id, step: 1, epoch: 0, cell: 'cell-1', kind: 'reconstruction', mime: 'image/png', bytes: png });
    await s.addEvent({ runId: run.id, kind: 'federation-round', payload: { round: 1, clients: [] } });
    await s.finishRun(run.id, 'completed');

    const again = await store(s.location);
    const [listed] = await again.listRuns();
    expect(listed).toMatchObject({ id: run.id, status: 'completed' });
    expect(listed!.endedAt).toBeGreaterThanOrEqual(listed!.startedAt);
    const metrics = await again.metrics(run.id);
    expect(metrics.map((m) => [m.key, m.cell, m.value])).toEqual([
      ['loss/cell-1', 'cell-1', 0.5],
      ['loss/head', null, null],
    ]);
    expect((await again.metrics(run.id, { keys: ['loss/head'] })).length).toBe(1);
    const artifact = await again.readArtifact(artifactId);
    expect(artifact?.record).toMatchObject({ kind: 'reconstruction', cell: 'cell-1', size: png.length });
    expect([...artifact!.bytes]).toEqual([...png]);
    expect((await again.events(run.id, { kind: 'federation-round' }))[0]?.payload).toEqual({ round: 1, clients: [] });
    const changes = await again.changesSince({ metric: 1, artifact: 0, event: 0 });
    expect(changes.metrics.map((m) => m.key)).toEqual(['loss/head']);
    expect(changes.cursor).toEqual(await again.cursor());
  });

  it('writes buffered points in batches of flushEvery, and on a timer', async () => {
    const s = await store();
    const writer = await RunWriter.begin(s, NEW_RUN, { flushEvery: 5, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) writer.log('loss/cell-1', i, { step: i, epoch: 0, cell: 'cell-1' });
    expect(writer.pending).toBe(4);
    expect(await s.metrics(writer.runId)).toHaveLength(0);
    writer.log('loss/cell-1', 4, { step: 4, epoch: 0 });
    await writer.flush();
    expect(await s.metrics(writer.runId)).toHaveLength(5);
    writer.log('loss/cell-1', 5, { step: 5, epoch: 0 });
    await writer.finish('completed');
    expect((await s.metrics(writer.runId)).map((m) => m.value)).toEqual([0, 1, 2, 3, 4, 5]);

    const timed = await RunWriter.begin(s, NEW_RUN, { flushEvery: 1000, flushIntervalMs: 30 });
    timed.log('testAccuracy', 0.9, { step: 1, epoch: 0 });
    await expect.poll(async () => (await s.metrics(timed.runId)).length, { timeout: 5000 }).toBe(1);
    await timed.finish('completed');
  });

  it('records federated rounds as validated events plus the global accuracy', async () => {
    const s = await store();
    const writer = await RunWriter.begin(s, NEW_RUN);
    const clients = [
      { clientId: 'client-1', participated: true, cells: ['cell-1'], examples: 600, loss: 0.2 },
      { clientId: 'client-2', participated: true, cells: ['cell-1'], examples: 600, loss: null, rejected: { code: 'stale-round', reason: 'update for round 1 arrived in round 2' } },
    ];
    await writer.federationRound({ round: 2, testAccuracy: 0.8, clients });
    await expect(writer.federationRound({ round: -1, testAccuracy: 0.8, clients })).rejects.toThrow(/round/);
    await expect(writer.federationRound({ round: 3, testAccuracy: 0.8, clients: [{ ...clients[0]!, clientId: '' }] })).rejects.toThrow(/clientId/);
    await writer.finish('completed');
    const events = await s.events(writer.runId, { kind: 'federation-round' });
    expect(events.map((e) => e.payload)).toEqual([{ round: 2, testAccuracy: 0.8, clients }]);
    expect((await s.metrics(writer.runId)).map((m) => [m.key, m.step, m.value])).toEqual([['testAccuracy', 2, 0.8]]);
  });

  it('keeps what a killed process flushed and shows its run as interrupted', async () => {
    const file = path.join(dir, 'killed.sqlite');
    const proc = child(
      `const s = await lib.openRunStore(args[0]);
       const w = await lib.RunWriter.begin(s, { name: 'doomed', command: 'x', config: {}, backend: 'cpu', versions: {} }, { flushEvery: 10 });
       for (let i = 0; i < 25; i++) w.log('loss/cell-1', i, { step: i, epoch: 0 });
       await w.flush();
       w.log('loss/cell-1', 99, { step: 99, epoch: 0 });
       console.log('flushed ' + w.runId);
       setInterval(() => {}, 1000);`,
      [file],
    );
    await expect.poll(() => proc.stdout(), { timeout: 30_000 }).toMatch(/flushed/);
    const s = await store(file);
    expect((await s.listRuns())[0]?.status).toBe('running');
    proc.kill();
    await proc.done;
    const [run] = await s.listRuns();
    expect(run).toMatchObject({ name: 'doomed', status: 'interrupted', endedAt: null });
    expect((await s.metrics(run!.id)).map((m) => m.value)).toEqual([...Array(25).keys()]);
  });

  it('reads a running run whose heartbeat went stale as interrupted', async () => {
    const s = await store();
    const run = await s.createRun(NEW_RUN);
    await new Promise((r) => setTimeout(r, 30));
    expect((await s.getRun(run.id))?.status).toBe('running');
    const strict = await store(s.location, { staleAfterMs: 10 });
    expect((await strict.getRun(run.id))?.status).toBe('interrupted');
    await s.heartbeat(run.id);
    expect((await store(s.location, { staleAfterMs: 5000 }).then((x) => x.getRun(run.id)))?.status).toBe('running');
  });

  it('takes concurrent writes from two processes into one new store', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const writer = `const s = await lib.openRunStore(args[0]);
      const w = await lib.RunWriter.begin(s, { name: args[1], command: 'x', config: {}, backend: 'cpu', versions: {} }, { flushEvery: 50 });
      for (let i = 0; i < 2000; i++) { w.log('loss/cell-1', i, { step: i, epoch: 0 }); if (i % 50 === 49) await w.flush(); }
      await w.event('done', { n: 2000 });
      await w.finish('completed');
      await s.close();`;
    const a = child(writer, [file, 'a']);
    const b = child(writer, [file, 'b']);
    expect(await Promise.all([a.done, b.done])).toEqual([0, 0]);
    const s = await store(file);
    const runs = await s.listRuns();
    expect(runs.map((r) => r.name).sort()).toEqual(['a', 'b']);
    for (const run of runs) {
      expect(run.status).toBe('completed');
      const values = (await s.metrics(run.id)).map((m) => m.value);
      expect(values).toEqual([...Array(2000).keys()]);
    }
  });

  it('refuses a file that is not SQLite and leaves it untouched', async () => {
    const file = path.join(dir, 'notes.sqlite');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(50));
    const before = readFileSync(file);
    await expect(openRunStore(file)).rejects.toThrow(RunStoreError);
    await expect(openRunStore(file)).rejects.toThrow(/notes\.sqlite is not a SQLite database/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt SQLite file', async () => {
    const file = path.join(dir, 'corrupt.sqlite');
    const s = await store(file);
    await s.createRun(NEW_RUN);
    await s.close();
    const bytes = readFileSync(file);
    // Keep the 100-byte header, scramble the schema page that follows it.
    for (let i = 100; i < Math.min(bytes.length, 4096); i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(file, bytes);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    await expect(openRunStore(file)).rejects.toThrow(RunStoreError);
    await expect(openRunStore(file)).rejects.toThrow(/corrupt|not a SQLite database|cannot open/);
  });

  it('refuses a SQLite database of another application', async () => {
    const file = path.join(dir, 'app.sqlite');
    const other = createClient({ url: `file:${file}` });
    await other.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
    await other.execute("INSERT INTO users (email) VALUES ('a@example.com')");
    other.close();
    await expect(openRunStore(file)).rejects.toThrow(/app\.sqlite is a SQLite database but not a localbp run store \(it holds tables users\)/);
    const check = createClient({ url: `file:${file}` });
    expect((await check.execute('SELECT COUNT(*) AS n FROM users')).rows[0]?.n).toBe(1);
    check.close();
  });

  it('refuses a store written by a newer schema', async () => {
    const file = path.join(dir, 'future.sqlite');
    await (await store(file)).close();
    const raw = createClient({ url: `file:${file}` });
    await raw.execute(`UPDATE localbp_meta SET value = '${RUN_STORE_SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    raw.close();
    await expect(openRunStore(file)).rejects.toThrow(/schema version 2, newer than this localbp reads \(1\)/);
  });
});
