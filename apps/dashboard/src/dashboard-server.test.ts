import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunStore, RunWriter, type SqliteRunStore } from '@localbp/trainer/run-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDashboardServer, type DashboardServer } from './index.js';

const PKG = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};
const EXPECTED_HEALTH = { ok: true, name: PKG.name, version: PKG.version };


const dir = mkdtempSync(path.join(tmpdir(), 'localbp-dashboard-http-'));
let store: SqliteRunStore;
beforeAll(async () => {
  store = await openRunStore(path.join(dir, 'runs.sqlite'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function rawRequest(url: string, method: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server over plain HTTP', () => {
  let server: DashboardServer;

  beforeAll(async () => {
    server = await startDashboardServer({ store, port: 0, pollMs: 50 });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('listens on 127.0.0.1 with an ephemeral port', () => {
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(Number(url.port)).not.toBe(4173);
  });

  it('reports this package in the health payload', () => {
    expect(EXPECTED_HEALTH.name).toBe('@localbp/dashboard');
  });

  it('answers GET /api/health with the package name and version', async () => {
    const res = await rawRequest(new URL('/api/health', server.url).href, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ ...EXPECTED_HEALTH, store: store.location });
  });

  it('answers unknown paths with a 404 JSON body', async () => {
    const res = await rawRequest(new URL('/no/such/page', server.url).href, 'GET');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: 'not found', path: '/no/such/page' });
  });

  it('rejects non-GET methods with 405 and an Allow header', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await rawRequest(server.url, method);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: 'method not allowed', method });
    }
    const apiPost = await rawRequest(new URL('/api/health', server.url).href, 'POST');
    expect(apiPost.status).toBe(405);
  });

  it('rejects an invalid port', async () => {
    await expect(startDashboardServer({ store, port: 70_000 })).rejects.toThrow(RangeError);
  });

  it('close() is idempotent', async () => {
    const other = await startDashboardServer({ store: path.join(dir, 'own.sqlite'), port: 0 });
    await Promise.all([other.close(), other.close()]);
    await expect(rawRequest(new URL('/api/health', other.url).href, 'GET')).rejects.toThrow();
  });
});

/** Reads server-sent events from /api/stream until `until` holds for the events so far. */
function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: Array<{ id?: string; event: string; data: unknown }>) => boolean,
): Promise<Array<{ id?: string; event: string; data: unknown }>> {
  return new Promise((resolve, reject) => {
    const events: Array<{ id?: string; event: string; data: unknown }> = [];
    const req = request(url, { headers, agent: false }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => l && !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
          ) as Record<string, string>;
          if (fields.event) events.push({ ...(fields.id ? { id: fields.id } : {}), event: fields.event, data: JSON.parse(fields.data ?? 'null') });
          if (until(events)) {
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    req.on('error', (err) => (events.length ? undefined : reject(err)));
    req.end();
  });
}

describe('dashboard API over the run store', () => {
  let server: DashboardServer;
  let writer: RunWriter;

  beforeAll(async () => {
    server = await startDashboardServer({ store, port: 0, pollMs: 50 });
    writer = await RunWriter.begin(store, { name: 'api run', command: 'test', config: { model: { model: 'lbp' }, data: { dataset: 'mnist' } }, backend: 'cpu', versions: {} });
    for (let step = 1; step <= 3; step++) writer.log('loss/cell-1', 1 / step, { step, epoch: 0, cell: 'cell-1' });
    writer.log('testAccuracy', 0.5, { step: 3, epoch: 0 });
    await writer.flush();
  });

  afterAll(async () => {
    await writer.finish('completed');
    await server.close();
  });

  it('lists runs with model, dataset and accuracies, and serves their metrics as columns', async () => {
    const runs = JSON.parse((await rawRequest(new URL('/api/runs', server.url).href, 'GET')).body) as Array<Record<string, unknown>>;
    expect(runs.find((r) => r.id === writer.runId)).toMatchObject({ name: 'api run', model: 'lbp', dataset: 'mnist', status: 'running', bestTestAccuracy: 0.5, lastTestAccuracy: 0.5 });
    const columns = JSON.parse((await rawRequest(new URL(`/api/runs/${writer.runId}/metrics`, server.url).href, 'GET')).body) as Record<string, unknown[]>;
    expect(columns.key).toEqual(['loss/cell-1', 'loss/cell-1', 'loss/cell-1', 'testAccuracy']);
    expect(columns.step).toEqual([1, 2, 3, 3]);
    const missing = await rawRequest(new URL('/api/runs/nope/metrics', server.url).href, 'GET');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'no run "nope" in this store' });
  });

  it('streams new rows once, and resumes after the Last-Event-ID it is given', async () => {
    const streamUrl = new URL('/api/stream', server.url).href;
    // From the start of the store: everything so far arrives in `changes`, with a cursor as event id.
    const all = await readEvents(streamUrl, { 'last-event-id': '0-0-0' }, (ev) => ev.some((e) => e.event === 'changes'));
    const first = all.find((e) => e.event === 'changes')!;
    const firstMetrics = (first.data as { metrics: Array<{ runId: string; value: number }> }).metrics.filter((m) => m.runId === writer.runId);
    expect(firstMetrics.map((m) => m.value)).toEqual([1, 0.5, 1 / 3, 0.5]);
    expect(all.some((e) => e.event === 'runs')).toBe(true);

    // Reconnect with that id: only what was written afterwards comes.
    const resumed = readEvents(streamUrl, { 'last-event-id': first.id! }, (ev) => ev.some((e) => e.event === 'changes'));
    await new Promise((r) => setTimeout(r, 150));
    writer.log('loss/cell-1', 0.125, { step: 4, epoch: 0, cell: 'cell-1' });
    await writer.flush();
    const later = (await resumed).find((e) => e.event === 'changes')!;
    expect((later.data as { metrics: Array<{ value: number; step: number }> }).metrics.map((m) => [m.step, m.value])).toEqual([[4, 0.125]]);
    expect(later.id).not.toBe(first.id);
  });
});
