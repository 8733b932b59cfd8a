import { resolveBackend, tf, type BackendChoice } from '@localbp/core';
import { clientShard, loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { FederationClient, FederationError, runParticipant } from '@localbp/federation';
import { ServerStateDb } from '@localbp/federation/node';
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli-errors';
import { parsePartitionFlag } from '../federate-options';
import { parseWorkers } from '../train-options';

export interface RawJoinFlags {
  server: string;
  token?: string;
  tokenFile?: string;
  dataset: string;
  dataDir?: string;
  trainLimit?: string;
  partition?: string;
  clients?: string;
  clientIndex?: string;
  partitionSeed: string;
  requestTimeout: string;
  json: boolean;
  backend: BackendChoice;
  workers: string;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** `localbp federate add-client NAME --state FILE`: the token goes to stdout, alone, for scripts. */
export async function runAddClient(name: string, state: string): Promise<void> {
  const db = await ServerStateDb.open(state);
  try {
    const token = await db.addClient(name);
    log(`client "${name}" added to ${db.file}; its token is shown once, below (keep it secret):`);
    process.stdout.write(`${token}\n`);
  } finally {
    db.close();
  }
}

function readToken(flags: RawJoinFlags): string {
  const token = flags.token ?? (flags.tokenFile ? readFileSync(flags.tokenFile, 'utf8').trim() : process.env.LOCALBP_TOKEN);
  if (!token) throw new UsageError('join needs a credential: --token, --token-file or the LOCALBP_TOKEN environment variable');
  return token;
}

function positiveInt(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/** `--request-timeout <seconds>`: a positive number (fractions allowed) of at most a day, in milliseconds. */
export function parseRequestTimeout(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new UsageError(`--request-timeout must be a number of seconds in (0, 86400], got "${value}"`);
  }
  return Math.max(1, Math.round(n * 1000));
}

/** `localbp federate join`: one participant, in this process, until the server's run ends. */
export async function runJoin(flags: RawJoinFlags): Promise<void> {
  const token = readToken(flags);
  let url: URL;
  try {
    url = new URL(flags.server);
  } catch {
    throw new UsageError(`--server "${flags.server}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be http:// or https://, got ${url.protocol}`);
  const trainLimit = positiveInt(flags.trainLimit, '--train-limit', 1);
  const partition = flags.partition !== undefined ? parsePartitionFlag(flags.partition) : undefined;
  const clients = positiveInt(flags.clients, '--clients', 1);
  const index = positiveInt(flags.clientIndex, '--client-index', 0);
  if (partition && (clients === undefined || index === undefined)) throw new UsageError('--partition needs --clients and --client-index');
  if (index !== undefined && clients !== undefined && index >= clients) throw new UsageError(`--client-index must be below --clients (${clients}), got ${index}`);
  const partitionSeed = positiveInt(flags.partitionSeed, '--partition-seed', 0)!;
  const workers = parseWorkers(flags.workers);
  const requestTimeoutMs = parseRequestTimeout(flags.requestTimeout);
  const backend = await resolveBackend(flags.backend, { quiet: true });
  const client = new FederationClient({ server: flags.server, token, log, requestTimeoutMs });
  const loadShard = (): LabeledSplit => {
    const data = loadDataset(flags.dataset, flags.dataDir ? { dataDir: flags.dataDir } : {});
    const train = trainLimit ? subset(data.train, trainLimit) : data.train;
    const shard = partition ? clientShard(train, clients!, index!, partition, partitionSeed) : train;
    log(`local data: ${shard.count} examples of ${data.info.name}${partition ? ` (${flags.partition} shard ${index! + 1}/${clients})` : ''}; backend ${backend.name}`);
    return shard;
  };
  const controller = new AbortController();
  const stop = () => {
    log('interrupt: stopping after the current task');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const summary = await runParticipant({
      client,
      loadShard,
      log,
      signal: controller.signal,
      ...(workers > 1 ? { pipeline: { workers, backend: backend.name, onPlan: (p) => log(`workers: ${p.stages.length} stages, ${p.stages.map((s) => s.parts.join(' + ')).join(' | ')}`) } } : {}),
    });
    log(`${summary.status}: ${summary.acceptedRounds.length} update(s) accepted, ${summary.rejected.length} rejected; server at round ${summary.serverRound}`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, backend: backend.name })}\n`);
    process.exitCode = summary.status === 'finished' ? 0 : 130;
  } catch (err) {
    if (err instanceof FederationError && err.code === 'unauthorized') {
      throw new FederationError('unauthorized', `the server refused this client's credential: ${err.message}`);
    }
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    tf.disposeVariables();
  }
}
