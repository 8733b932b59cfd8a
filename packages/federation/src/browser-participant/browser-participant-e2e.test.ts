import { resolveBackend } from '@localbp/core';
import { clientShard, loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederationClient } from '../client/federation-client';
import { runParticipant, type ParticipantSummary } from '../client/run-participant';
import type { WeightArray } from '../protocol/weight-array';
import { startFederationServer, type RunningFederationServer } from '../server/federation-server';
import { ServerStateDb } from '../server/server-state-db';

// A browser tab and a Node process federate one model: a real server (HTTP over loopback, SQLite state,
// provisioned tokens), the page bundled for browsers from the built packages, headless Chromium, real MNIST.
const CHROMIUM_PATH = process.env.LOCALBP_CHROMIUM || '/usr/bin/chromium';
// `pnpm test` installs Chromium first; only with that set-up skipped (LOCALBP_SKIP_TEST_SETUP=1) can it be missing:
// then the suite skips and says why in one line, rather than failing every test.
const NO_CHROMIUM = !existsSync(CHROMIUM_PATH);
if (NO_CHROMIUM) console.warn(`browser participant e2e skipped: no Chromium at ${CHROMIUM_PATH} (run "sudo apt-get install -y chromium" or set LOCALBP_CHROMIUM=/path/to/chrome)`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = 2;
/** Small enough for a few seconds a round on 2 busy cores. */
const MODEL = { model: 'lbp', cells: [{ type: 'ae' }, { type: 'ae' }], width: 16, head: { hidden: [] }, seed: 1 };

const dir = mkdtempSync(path.join(tmpdir(), 'localbp-browser-participant-'));
const statePath = path.join(dir, 'state.db');
const serverLog: string[] = [];
let browserShard: LabeledSplit;
let nodeShard: LabeledSplit;
let bundleInputs: string[];
let pages: Server;
let pageOrigin: string;
/** The same page server under another name: another origin, not allowed to call the federation server. */
let foreignOrigin: string;
let server: RunningFederationServer;
let initialWeights: WeightArray[];
const tokens = { browser: '', node: '' };
let browser: Browser;

/** tfjs-backend-wasm's binaries (the one @localbp/core loads), which the page fetches from its own directory. */
function wasmBinaries(): Record<string, Uint8Array> {
  const fromCore = createRequire(createRequire(import.meta.url).resolve('@localbp/core/package.json'));
  const wasmDir = path.dirname(fromCore.resolve('@tensorflow/tfjs-backend-wasm'));
  return Object.fromEntries(readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).map((f) => [`/${f}`, readFileSync(path.join(wasmDir, f))]));
}

/** The participant page: its HTML, its script bundled for browsers, tfjs's wasm binaries, and one MNIST shard as raw bytes. */
async function startPageServer(script: string, shard: LabeledSplit): Promise<Server> {
  const html = readFileSync(path.join(HERE, 'index.html'));
  const manifest = JSON.stringify({ images: 'shard/images', labels: 'shard/labels', imageShape: shard.imageShape, numClasses: shard.numClasses, classNames: shard.classNames });
  const routes: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html; charset=utf-8', html],
    '/participant-page.js': ['text/javascript; charset=utf-8', script],
    '/shard.json': ['application/json', manifest],
    '/shard/images': ['application/octet-stream', shard.images],
    '/shard/labels': ['application/octet-stream', shard.labels],
    ...Object.fromEntries(Object.entries(wasmBinaries()).map(([name, bytes]) => [name, ['application/wasm', bytes] as [string, Uint8Array]])),
  };
  const pageServer = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route[0] }).end(route[1]);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  return pageServer;
}

/** The preflight a browser sends before a request with an Authorization header (Node's fetch lets a test set Origin). */
function preflight(origin: string): Promise<Response> {
  return fetch(new URL('/v1/task', server.url), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
}

async function openParticipant(origin: string, backend = 'cpu'): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => serverLog.push(`[page error] ${e.message}`));
  await page.goto(`${origin}/?server=${encodeURIComponent(server.url)}&shard=shard.json&backend=${backend}`);
  return page;
}

async function join(page: Page, token: string): Promise<void> {
  await page.fill('#token', token);
  await page.click('#start');
}

function unitDistance(a: readonly WeightArray[], b: readonly WeightArray[], unit: string): number {
  let sq = 0;
  for (const w of a.filter((x) => x.name.startsWith(`${unit}/`))) {
    const other = b.find((x) => x.name === w.name)!;
    w.values.forEach((v, i) => (sq += (v - other.values[i]!) ** 2));
  }
  return Math.sqrt(sq);
}

beforeAll(async () => {
  if (NO_CHROMIUM) return;
  await resolveBackend('cpu', { quiet: true });
  const mnist = loadDataset('mnist');
  const train = subset(mnist.train, 400);
  browserShard = clientShard(train, 2, 0, { kind: 'iid' }, 1);
  nodeShard = clientShard(train, 2, 1, { kind: 'iid' }, 1);
  // Bundled as a user's bundler would: from the built packages, through their `browser` export conditions.
  const bundle = await build({
    entryPoints: [path.join(HERE, 'participant-page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundleInputs = Object.keys(bundle.metafile.inputs);
  pages = await startPageServer(bundle.outputFiles[0]!.text, browserShard);
  const { port } = pages.address() as AddressInfo;
  pageOrigin = `http://127.0.0.1:${port}`;
  foreignOrigin = `http://localhost:${port}`;

  const db = await ServerStateDb.open(statePath);
  tokens.browser = await db.addClient('browser-1');
  tokens.node = await db.addClient('node-1');
  db.close();
  server = await startFederationServer({
    statePath,
    config: {
      rounds: ROUNDS,
      waitForClients: 2,
      minClients: 2,
      quorum: 2,
      batchSize: 50,
      heartbeatMs: 500,
      model: MODEL,
      data: { dataset: 'mnist', imageShape: [28, 28, 1], numClasses: 10 },
    },
    test: subset(mnist.test, 200),
    corsOrigins: [pageOrigin],
    log: (m) => serverLog.push(m),
  });
  initialWeights = server.coordinator.currentWeights().map((w) => ({ ...w, values: Float32Array.from(w.values) }));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (pages) await new Promise((resolve) => pages.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(NO_CHROMIUM)('a browser participant (headless Chromium) federating with a Node participant', () => {
  it('bundles for browsers from the packages’ browser entries, without Node modules', () => {
    expect(bundleInputs).toContain('../datasets/dist/browser.js');
    expect(bundleInputs).toContain('../trainer/dist/browser.js');
    expect(bundleInputs).toContain('(disabled):../core/dist/backend/file-system-router.js');
    expect(bundleInputs.filter((f) => /^\.\.\/(datasets|trainer)\/dist\/index\.js$/.test(f))).toEqual([]);
  });

  it('grants CORS to the listed origin only: a page on another origin cannot call the server', async () => {
    const allowed = await preflight(pageOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(pageOrigin);
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const refused = await preflight(foreignOrigin);
    expect(refused.status).toBe(204);
    expect([...refused.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(serverLog.join('\n')).toContain(`refused a CORS preflight from "${foreignOrigin}": origin not in the allow-list`);

    // The browser itself enforces it: the request never reaches the page's code.
    const page = await openParticipant(foreignOrigin);
    const outcome = await page.evaluate(
      (url) => fetch(`${url}/v1/status`, { headers: { authorization: 'Bearer lbp_x' } }).then((r) => `HTTP ${r.status}`, (e: Error) => e.message),
      server.url,
    );
    expect(outcome).toBe('Failed to fetch');
    await page.close();
  });

  it('shows the server’s unauthorized error in the page for a wrong token', async () => {
    const page = await openParticipant(pageOrigin);
    await join(page, 'lbp_not-a-token-this-server-issued');
    await page.locator('#status[data-state="error"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#status').textContent()).toMatch(/^error: unauthorized: unknown client token/);
    await page.close();
  });

  it('completes every round with the browser’s updates accepted next to the Node participant’s', async () => {
    const page = await openParticipant(pageOrigin, 'wasm');
    await join(page, tokens.browser);
    const nodeRun: Promise<ParticipantSummary> = runParticipant({ client: new FederationClient({ server: server.url, token: tokens.node }), loadShard: () => nodeShard, log: (m) => serverLog.push(`[node-1] ${m}`) });
    // A page that fails stops the test at once, with its log, instead of leaving the round waiting for it.
    // (Closing the page ends the wait: that is no failure.)
    const pageFailed = new Promise<never>((_, reject) => {
      page
        .locator('#status[data-state="error"]')
        .waitFor({ timeout: 0 })
        .then(async () => reject(new Error(`the browser participant failed:\n${await page.locator('#log').textContent()}\nserver:\n${serverLog.join('\n')}`)))
        .catch(() => {});
    });
    const reports = await Promise.race([server.finished, pageFailed]);
    const nodeSummary = await nodeRun;
    await page.locator('#status[data-state="finished"]').waitFor({ timeout: 30_000 });
    const browserSummary = JSON.parse((await page.locator('#summary').textContent()) ?? '') as ParticipantSummary;
    const pageLog = (await page.locator('#log').textContent()) ?? '';
    await page.close();

    expect(browserSummary, pageLog).toMatchObject({ clientId: 'browser-1', acceptedRounds: [1, 2], rejected: [], status: 'finished', examples: browserShard.count });
    expect(pageLog).toContain('tfjs backend: wasm');
    expect(nodeSummary).toMatchObject({ clientId: 'node-1', acceptedRounds: [1, 2], rejected: [] });
    expect(reports.map((r) => r.round)).toEqual([1, 2]);
    for (const report of reports) {
      const byClient = Object.fromEntries(report.clients.map((c) => [c.clientId, c]));
      expect(byClient['browser-1'], serverLog.join('\n')).toMatchObject({ participated: true, examples: browserShard.count });
      expect(byClient['browser-1']!.rejected).toBeUndefined();
      expect(Number.isFinite(byClient['browser-1']!.loss)).toBe(true);
      expect(byClient['node-1']).toMatchObject({ participated: true, examples: nodeShard.count });
      expect(Number.isFinite(report.testAccuracy)).toBe(true);
    }
    // Every unit of the global model moved, and the committed state holds the last round.
    const final = server.coordinator.currentWeights();
    for (const unit of ['cell-1', 'cell-2', 'head']) expect(unitDistance(final, initialWeights, unit)).toBeGreaterThan(0);
    const db = await ServerStateDb.open(statePath);
    try {
      expect((await db.readCheckpoint())?.round).toBe(ROUNDS);
    } finally {
      db.close();
    }
  });
});
