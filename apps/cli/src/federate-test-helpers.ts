import { ServerStateDb } from '@localbp/federation/node';
import path from 'node:path';
import { startCli, waitForStderr, type CliProcess } from './cli-test-helpers';

/** A model and data small enough that a round takes about a second per client on 2 cores. */
export const TINY_MODEL = ['--dataset', 'mnist', '--cells', 'ae,ae', '--width', '16', '--head-hidden', 'none', '--test-limit', '200', '--batch-size', '50', '--no-store'];
/** Fast liveness so vanished clients are noticed within seconds. */
export const FAST_LIVENESS = ['--heartbeat', '0.3', '--heartbeat-timeout', '30'];

/** Provisions clients `client-1..n` straight in the state database (the add-client command has its own test). */
export async function provision(statePath: string, count: number, prefix = 'client'): Promise<Array<[string, string]>> {
  const db = await ServerStateDb.open(statePath);
  try {
    const tokens: Array<[string, string]> = [];
    for (let i = 1; i <= count; i++) tokens.push([`${prefix}-${i}`, await db.addClient(`${prefix}-${i}`)]);
    return tokens;
  } finally {
    db.close();
  }
}

/** Starts `federate serve` on a free loopback port and resolves with the process and its URL. */
export async function startServe(statePath: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ proc: CliProcess; url: string }> {
  const proc = startCli(['federate', 'serve', '--state', statePath, '--port', '0', ...args], undefined, env);
  await waitForStderr(proc, /listening on (\S+)/, 300_000);
  return { proc, url: /listening on (\S+)/.exec(proc.stderr)![1]! };
}

/** Starts one `federate join` child holding shard `index` of an IID partition over `clients`. */
export function startJoin(url: string, token: string, index: number, clients: number, trainLimit: number, extra: readonly string[] = []): CliProcess {
  return startCli([
    'federate', 'join', '--server', url, '--token', token, '--dataset', 'mnist', '--train-limit', String(trainLimit),
    '--partition', 'iid', '--clients', String(clients), '--client-index', String(index), '--json', ...extra,
  ]);
}

export function statePathIn(dir: string, name = 'state.db'): string {
  return path.join(dir, name);
}
