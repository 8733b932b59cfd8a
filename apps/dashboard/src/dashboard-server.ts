import type { RunStore } from '@localbp/core';
import { openRunStore } from '@localbp/trainer/run-store';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { MetricColumns, RunDetail } from './api-types';
import { serveEventStream } from './server/event-stream';
import { summarizeRun, summarizeRuns } from './server/run-summary';

export const DASHBOARD_PACKAGE_NAME = '@localbp/dashboard';
export const DEFAULT_DASHBOARD_PORT = 4173;
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

export interface DashboardServerOptions {
  /** The run store to show: an open store, or a file path / libsql URL to open (and close with the server). */
  store: RunStore | string;
  /** TCP port to listen on. Default 4173; 0 picks a free ephemeral port. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (local only). */
  host?: string;
  /** How often live streams look for new rows. Default 500 ms. */
  pollMs?: number;
}

export interface DashboardServer {
  /** Base URL of the running server, with a trailing slash, e.g. `http://127.0.0.1:4173/`. */
  url: string;
  store: RunStore;
  /** Stops accepting connections, drops open ones (live streams included) and resolves once closed. */
  close(): Promise<void>;
}

export interface DashboardHealth {
  ok: true;
  name: typeof DASHBOARD_PACKAGE_NAME;
  version: string;
  store: string;
}

function readPackageVersion(): string {
  // Both src/*.ts (tests) and dist/*.js (built) sit one level below the package root.
  try {
    const raw = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const pkg = JSON.parse(raw) as { name?: unknown; version?: unknown };
    if (pkg.name === DASHBOARD_PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through
  }
  return '0.0.0';
}

export const DASHBOARD_VERSION: string = readPackageVersion();

/** The browser bundle: next to dist/index.js when built, under dist/ when running from sources (tests). */
function clientAsset(name: string): Buffer | null {
  for (const candidate of [`./client/${name}`, `../dist/client/${name}`]) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return readFileSync(file);
  }
  return null;
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>localbp dashboard</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/assets/app.css">
  </head>
  <body>
    <header class="top">
      <h1>localbp dashboard</h1>
      <nav id="nav"></nav>
      <span id="live" class="live" title="live updates">connecting…</span>
    </header>
    <main id="app"><p id="empty-state">Loading runs…</p></main>
    <footer>${DASHBOARD_PACKAGE_NAME} v${DASHBOARD_VERSION} &middot; <a href="/api/health">/api/health</a></footer>
    <script src="/assets/app.js"></script>
  </body>
</html>
`;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'",
};

function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.byteLength), ...SECURITY_HEADERS, ...headers });
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}

function notFound(res: ServerResponse, pathname: string, what = 'not found'): void {
  sendJson(res, 404, { ok: false, error: what, path: pathname });
}

async function metricColumns(store: RunStore, runId: string): Promise<MetricColumns> {
  const points = await store.metrics(runId);
  return {
    runId,
    id: points.map((p) => p.id),
    key: points.map((p) => p.key),
    cell: points.map((p) => p.cell),
    step: points.map((p) => p.step),
    epoch: points.map((p) => p.epoch),
    wallTime: points.map((p) => p.wallTime),
    value: points.map((p) => p.value),
  };
}

async function handle(store: RunStore, req: IncomingMessage, res: ServerResponse, pollMs: number): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET') {
    sendJson(res, 405, { ok: false, error: 'method not allowed', method }, { allow: 'GET' });
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    sendJson(res, 400, { ok: false, error: 'bad request' });
    return;
  }
  const pathname = url.pathname;
  if (pathname === '/') return send(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
  if (pathname === '/assets/app.js' || pathname === '/assets/app.css') {
    const asset = clientAsset(pathname.slice('/assets/'.length));
    if (!asset) return sendJson(res, 500, { ok: false, error: 'the dashboard client is not built: run `pnpm build`' });
    return send(res, 200, pathname.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', asset);
  }
  if (pathname === '/api/health') {
    const health: DashboardHealth = { ok: true, name: DASHBOARD_PACKAGE_NAME, version: DASHBOARD_VERSION, store: store.location };
    return sendJson(res, 200, health);
  }
  if (pathname === '/api/stream') return serveEventStream(store, req, res, { pollMs });
  if (pathname === '/api/runs') return sendJson(res, 200, await summarizeRuns(store));
  const runMatch = /^\/api\/runs\/([\w.-]{1,100})(\/metrics|\/events)?$/.exec(pathname);
  if (runMatch) {
    const id = runMatch[1]!;
    const run = await store.getRun(id);
    if (!run) return notFound(res, pathname, `no run "${id}" in this store`);
    if (runMatch[2] === '/metrics') return sendJson(res, 200, await metricColumns(store, id));
    if (runMatch[2] === '/events') {
      const kind = url.searchParams.get('kind');
      return sendJson(res, 200, await store.events(id, kind ? { kind } : {}));
    }
    const detail: RunDetail = { run: await summarizeRun(store, run), artifacts: await store.artifacts(id) };
    return sendJson(res, 200, detail);
  }
  const artifactMatch = /^\/api\/artifacts\/(\d{1,15})$/.exec(pathname);
  if (artifactMatch) {
    const artifact = await store.readArtifact(Number(artifactMatch[1]));
    if (!artifact) return notFound(res, pathname, 'no such artifact');
    if (artifact.bytes.byteLength === 0) return sendJson(res, 200, artifact.record);
    return send(res, 200, artifact.record.mime, artifact.bytes, { 'cache-control': 'private, max-age=31536000, immutable' });
  }
  notFound(res, pathname);
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}

/**
 * Starts the dashboard: a node:http server with a JSON API over the run store, one server-sent-events
 * stream per tab for live updates, and the browser bundle. Resolves once listening.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`invalid port: ${String(port)} (expected an integer 0-65535)`);
  }
  const ownsStore = typeof options.store === 'string';
  const store = typeof options.store === 'string' ? await openRunStore(options.store) : options.store;
  const pollMs = options.pollMs ?? 500;

  const server = createServer((req, res) => {
    handle(store, req, res, pollMs).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: error instanceof Error ? error.message : 'internal error' });
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });

  return new Promise<DashboardServer>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      if (ownsStore) void store.close();
      reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        url: formatUrl(address),
        store,
        close(): Promise<void> {
          closing ??= new Promise<void>((resolveClose, rejectClose) => {
            server.close((error) => (error ? rejectClose(error) : resolveClose()));
            server.closeAllConnections();
          }).then(async () => {
            if (ownsStore) await store.close();
          });
          return closing;
        },
      });
    });
  });
}
