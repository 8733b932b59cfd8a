import { Command } from '@commander-js/extra-typings';
import { startDashboardServer, DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT } from '@localbp/dashboard';
import { DEFAULT_STORE_PATH, isRemoteStoreLocation, RunStoreError } from '@localbp/trainer/run-store';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli-errors';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535) throw new UsageError(`--port must be an integer 0-65535, got "${value}"`);
  return port;
}

export function dashboardCommand(): Command<[], Record<string, unknown>> {
  return new Command('dashboard')
    .description('serve the live dashboard of the runs in a run store')
    .option('--store <path>', 'run store: SQLite file or libsql:// / http(s):// URL', DEFAULT_STORE_PATH)
    .option('--port <n>', 'TCP port (0 picks a free one)', String(DEFAULT_DASHBOARD_PORT))
    .option('--host <host>', 'interface to listen on; anything but loopback shows your runs to the network', DEFAULT_DASHBOARD_HOST)
    .action(async (opts) => {
      const port = parsePort(opts.port);
      // Viewing must not create an empty store where the user mistyped a path.
      if (!isRemoteStoreLocation(opts.store) && !existsSync(opts.store)) {
        throw new RunStoreError(`no run store at ${path.resolve(opts.store)}: train a run first (localbp train) or pass --store PATH`);
      }
      const server = await startDashboardServer({ store: opts.store, port, host: opts.host });
      if (!LOOPBACK.has(opts.host)) {
        process.stderr.write(`localbp: warning: listening on ${opts.host}: anyone who can reach this address can read your runs\n`);
      }
      process.stdout.write(`dashboard: ${server.url} (store ${server.store.location}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    }) as unknown as Command<[], Record<string, unknown>>;
}
