import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DASHBOARD_PACKAGE_NAME = '@localbp/dashboard';
export const DEFAULT_DASHBOARD_PORT = 4173;
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

export interface DashboardServerOptions {
  /** TCP port to listen on. Default 4173; 0 picks a free ephemeral port. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (local only). */
  host?: string;
}

export interface DashboardServer {
  /** Base URL of the running server, with a trailing slash, e.g. `http://127.0.0.1:4173/`. */
  url: string;
  /** Stops accepting connections, drops open (keep-alive) ones and resolves once closed. */
  close(): Promise<void>;
}

export interface DashboardHealth {
  ok: true;
  name: typeof DASHBOARD_PACKAGE_NAME;
  version: string;
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

const TRAIN_COMMAND = 'pnpm localbp train --dataset mnist --model lbp';

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>localbp dashboard</title>
    <link rel="icon" href="data:,">
    <style>
      :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
      body { max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
      code { padding: 0.1rem 0.3rem; border-radius: 0.25rem; background: rgba(127, 127, 127, 0.18); }
      footer { margin-top: 2rem; font-size: 0.85rem; opacity: 0.7; }
    </style>
  </head>
  <body>
    <main>
      <h1>localbp dashboard</h1>
      <p id="empty-state">No training runs yet. Your runs will appear here, with live charts of each layer's local loss.</p>
      <p>Start a training run with:</p>
      <pre><code id="train-command">${TRAIN_COMMAND}</code></pre>
    </main>
    <footer>${DASHBOARD_PACKAGE_NAME} v${DASHBOARD_VERSION} &middot; <a href="/api/health">/api/health</a></footer>
  </body>
</html>
`;

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(payload.length),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, headers);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET') {
    sendJson(res, 405, { ok: false, error: 'method not allowed', method }, { allow: 'GET' });
    return;
  }
  let pathname: string;
  try {
    pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    sendJson(res, 400, { ok: false, error: 'bad request' });
    return;
  }
  if (pathname === '/') {
    send(res, 200, 'text/html; charset=utf-8', INDEX_HTML);
    return;
  }
  if (pathname === '/api/health') {
    const health: DashboardHealth = { ok: true, name: DASHBOARD_PACKAGE_NAME, version: DASHBOARD_VERSION };
    sendJson(res, 200, health);
    return;
  }
  sendJson(res, 404, { ok: false, error: 'not found', path: pathname });
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}/`;
}

/**
 * Starts the dashboard HTTP server (node:http, no dependencies).
 * Resolves once it is listening; rejects if it cannot bind (e.g. EADDRINUSE).
 */
export function startDashboardServer(options: DashboardServerOptions = {}): Promise<DashboardServer> {
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return Promise.reject(new RangeError(`invalid port: ${String(port)} (expected an integer 0-65535)`));
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal error' });
      else res.destroy(error instanceof Error ? error : undefined);
    }
  });

  return new Promise<DashboardServer>((resolve, reject) => {
    const onError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        url: formatUrl(address),
        close(): Promise<void> {
          closing ??= new Promise<void>((resolveClose, rejectClose) => {
            server.close((error) => (error ? rejectClose(error) : resolveClose()));
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
