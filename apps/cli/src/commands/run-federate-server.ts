import { resolveBackend, type BackendChoice } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { corsOriginSchema, ServerStateDb, startFederationServer, type FederationConfigInput, type RoundReport } from '@localbp/federation/node';
import type { RunWriter } from '@localbp/trainer';
import { openRunStore, type SqliteRunStore } from '@localbp/trainer/run-store';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SimulationError, UsageError } from '../cli-errors';
import { beginRecording } from './run-recording';
import { formatPartitionSpec, givenConfigKeys, parseFederationConfig, parsePartitionFlag, type RawModelFlags, type RawRoundFlags } from '../federate-options';

export interface RawServeFlags {
  state: string;
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  json: boolean;
  backend: BackendChoice;
  corsOrigin: string[];
  /** Flags the user typed (not defaults): a restart takes only these. */
  given?: string[];
}

export interface RawSimulateFlags {
  clients: string;
  partition: string;
  trainLimit?: string;
  state?: string;
  json: boolean;
  backend: BackendChoice;
  corsOrigin: string[];
}

/** What `federate serve` and `federate simulate` print with `--json`. */
export interface FederationSummary {
  mode: string;
  dataset: string;
  aggregator: string;
  backend: string;
  totalRounds: number;
  completedRounds: number;
  resumedFrom: number;
  testAccuracy: number | null;
  roundAccuracy: Array<number | null>;
  rounds: RoundReport[];
  totalSeconds: number;
  state: string;
  url: string;
}

/** Flags that shape the model config (`federate serve` takes them as `localbp train` does). */
const MODEL_FLAG_NAMES = ['model', 'cells', 'width', 'headHidden', 'objective', 'noise', 'noiseLevel', 'lr', 'weightDecay', 'headLr', 'headDropout', 'layers', 'ffInference', 'ffNegatives', 'goodness', 'peerNorm', 'ffChannels', 'reluGradient'];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function formatRound(r: RoundReport): string {
  const took = r.clients.filter((c) => c.participated).length;
  const rejected = r.clients.filter((c) => c.rejected).map((c) => `${c.clientId} (${c.rejected!.code})`);
  return `round ${r.round}: ${took}/${r.clients.length} updates, ${r.seconds.toFixed(1)} s${
    r.testAccuracy !== null ? `, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%` : ''
  }${rejected.length ? `, rejected: ${rejected.join(', ')}` : ''}`;
}

interface ServeRun {
  statePath: string;
  config: FederationConfigInput;
  /** Config keys set explicitly (a restart changes only these); absent = all. */
  givenKeys?: string[];
  dataset: string;
  dataDir?: string;
  testLimit?: number;
  backend: BackendChoice;
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** Origins of browser pages allowed to call the server. */
  corsOrigins: string[];
  /** Run store to record the run in; null for none. */
  store: string | null;
  /** Started once the server listens (simulate's clients); returns a cleanup. `fail` ends the run with an error. */
  onListening?: (url: string, fail: (reason: string) => void) => (interrupted: boolean) => Promise<void>;
}

/** Starts the server, runs it to the end of the federated run, and returns the summary. */
async function serveUntilDone(run: ServeRun): Promise<{ summary: FederationSummary; interrupted: boolean }> {
  const started = performance.now();
  const backend = await resolveBackend(run.backend, { quiet: true });
  log(`backend: ${backend.name} (${backend.reason})`);
  const data = loadDataset(run.dataset, run.dataDir ? { dataDir: run.dataDir } : {});
  const test = run.testLimit ? subset(data.test, run.testLimit) : data.test;
  log(`server evaluates on ${test.count} ${data.info.name} test examples`);
  const store: SqliteRunStore | null = run.store === null ? null : await openRunStore(run.store);
  let writer: RunWriter | null = null;
  let server;
  try {
    writer = store ? await startRecording(store, run, backend.name, { ...backend.versions, node: process.version }) : null;
    const recorder = writer;
    server = await startFederationServer({
      statePath: run.statePath,
      config: run.config,
      ...(run.givenKeys ? { givenKeys: run.givenKeys } : {}),
      host: run.host,
      port: run.port,
      ...(run.tls ? { tls: run.tls } : {}),
      corsOrigins: run.corsOrigins,
      test,
      log,
      onRoundComplete: (r) => {
        log(formatRound(r));
        recorder?.federationRound(roundPayload(r)).catch((err: unknown) => log(`warning: run store: ${err instanceof Error ? err.message : String(err)}`));
      },
    });
  } catch (err) {
    await writer?.finish('failed');
    await store?.close();
    throw err;
  }
  log(`listening on ${server.url} (state: ${path.resolve(run.statePath)})`);
  let failure: string | null = null;
  let ended = false;
  let fail: (reason: string) => void = () => {};
  const failed = new Promise<'failed'>((resolve) => {
    fail = (reason) => {
      // Clients exit normally once the run is over: only a failure while it runs counts.
      if (ended || server.coordinator.round >= server.coordinator.totalRounds) return;
      failure ??= reason;
      resolve('failed');
    };
  });
  const cleanup = run.onListening?.(server.url, (reason) => fail(reason));
  let interrupted = false;
  const stopped = new Promise<'stopped'>((resolve) => {
    const stop = () => {
      interrupted = true;
      log('interrupt: stopping the server (completed rounds are saved; restart with the same --state to continue)');
      resolve('stopped');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  try {
    await Promise.race([server.finished, stopped, failed]);
  } finally {
    ended = true;
    await cleanup?.(interrupted || failure !== null);
    await server.close();
    await writer?.finish(failure !== null ? 'failed' : interrupted ? 'interrupted' : 'completed');
    await store?.close();
  }
  if (failure !== null) throw new SimulationError(failure);
  const rounds = server.coordinator.reports();
  const summary: FederationSummary = {
    mode: server.config.mode,
    dataset: server.config.data.dataset,
    aggregator: server.config.aggregator.id,
    backend: backend.name,
    totalRounds: server.coordinator.totalRounds,
    completedRounds: server.coordinator.round,
    resumedFrom: server.resumedFrom,
    testAccuracy: rounds.at(-1)?.testAccuracy ?? null,
    roundAccuracy: rounds.map((r) => r.testAccuracy),
    rounds,
    totalSeconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    state: path.resolve(run.statePath),
    url: server.url,
  };
  return { summary, interrupted };
}

/** The dashboard's `federation-round` payload of a round report. */
function roundPayload(r: RoundReport) {
  return {
    round: r.round,
    testAccuracy: r.testAccuracy,
    clients: r.clients.map((c) => ({
      clientId: c.clientId,
      participated: c.participated,
      cells: c.cells,
      examples: c.examples,
      loss: c.loss !== null && Number.isFinite(c.loss) ? c.loss : null,
      ...(c.rejected ? { rejected: c.rejected } : {}),
    })),
  };
}

/** One run per federated run: a restarted server continues the run it recorded before (id kept in its state database). */
async function startRecording(store: SqliteRunStore, run: ServeRun, backend: string, versions: Record<string, string>): Promise<RunWriter> {
  const state = await ServerStateDb.open(run.statePath);
  try {
    const previous = await state.readMeta('run-store-run-id');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const writer = await beginRecording({
      store,
      name: `federate-${String(run.config.mode ?? 'data-parallel')}-${run.dataset}-${stamp}`,
      config: JSON.parse(JSON.stringify({ federation: run.config })) as { [key: string]: never },
      backend,
      versions,
      ...(previous ? { resumeRunId: previous } : {}),
    });
    await state.writeMeta('run-store-run-id', writer.runId);
    log(`recording in run store ${store.location} (run ${writer.runId})`);
    return writer;
  } finally {
    state.close();
  }
}

function limit(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${flag} must be an integer ≥ 1, got "${value}"`);
  return Number(value);
}

/** `--cors-origin` values, canonical, or a usage error saying which one is wrong and why. */
function parseCorsOrigins(values: readonly string[]): string[] {
  return values.map((value) => {
    const parsed = corsOriginSchema.safeParse(value);
    if (!parsed.success) throw new UsageError(`--cors-origin: ${parsed.error.issues[0]?.message ?? `invalid origin "${value}"`}`);
    return parsed.data;
  });
}

function finish(summary: FederationSummary, json: boolean, interrupted: boolean): void {
  log(
    `${interrupted ? 'stopped' : 'done'}: ${summary.completedRounds}/${summary.totalRounds} rounds${
      summary.testAccuracy !== null ? `, test accuracy ${(summary.testAccuracy * 100).toFixed(2)}%` : ''
    }`,
  );
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = interrupted ? 130 : 0;
}

/** `localbp federate serve`. */
export async function runServe(flags: RawServeFlags & RawModelFlags & RawRoundFlags): Promise<void> {
  const { plan, config } = parseFederationConfig(flags, flags, { waitFor: 1 });
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
  const port = Number(flags.port);
  if (!/^\d+$/.test(flags.port) || port > 65535) throw new UsageError(`--port must be 0-65535, got "${flags.port}"`);
  const tls = flags.tlsCert && flags.tlsKey ? { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) } : undefined;
  const testLimit = limit(flags.testLimit, '--test-limit');
  const corsOrigins = parseCorsOrigins(flags.corsOrigin);
  const { summary, interrupted } = await serveUntilDone({
    statePath: flags.state,
    ...(flags.given ? { givenKeys: givenConfigKeys(flags.given, MODEL_FLAG_NAMES) } : {}),
    corsOrigins,
    config,
    dataset: plan.dataset,
    ...(plan.dataDir ? { dataDir: plan.dataDir } : {}),
    ...(testLimit ? { testLimit } : {}),
    backend: flags.backend,
    store: plan.store,
    host: flags.host,
    port,
    ...(tls ? { tls } : {}),
  });
  finish(summary, flags.json, interrupted);
}

/** Starts one `localbp federate join` child per client, their stderr prefixed with the client's name. */
function startClients(url: string, tokens: ReadonlyArray<[string, string]>, args: readonly string[]): ChildProcess[] {
  const script = process.argv[1]!;
  return tokens.map(([name, token], index) => {
    const child = spawn(process.execPath, [script, 'federate', 'join', '--server', url, '--client-index', String(index), ...args], {
      env: { ...process.env, LOCALBP_TOKEN: token },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    createInterface({ input: child.stderr! }).on('line', (line) => log(`[${name}] ${line}`));
    child.on('exit', (code, signal) => {
      if (code !== 0) log(`[${name}] exited with ${signal ?? `code ${code}`}`);
    });
    return child;
  });
}

/** `localbp federate simulate`: the server in this process, N clients in child processes, all over loopback. */
export async function runSimulate(flags: RawSimulateFlags & RawModelFlags & RawRoundFlags): Promise<void> {
  const clients = limit(flags.clients, '--clients')!;
  const partition = parsePartitionFlag(flags.partition);
  const { plan, config } = parseFederationConfig(flags, flags, { waitFor: clients });
  const trainLimit = limit(flags.trainLimit, '--train-limit');
  const testLimit = limit(flags.testLimit, '--test-limit');
  const corsOrigins = parseCorsOrigins(flags.corsOrigin);
  const tempDir = flags.state ? null : mkdtempSync(path.join(tmpdir(), 'localbp-federate-'));
  const statePath = flags.state ?? path.join(tempDir!, 'state.db');
  try {
    const db = await ServerStateDb.open(statePath);
    const tokens: Array<[string, string]> = [];
    try {
      if ((await db.clientNames()).length) throw new UsageError(`${statePath} already has clients: simulate needs a fresh --state`);
      for (let i = 1; i <= clients; i++) tokens.push([`client-${i}`, await db.addClient(`client-${i}`)]);
    } finally {
      db.close();
    }
    const joinArgs = [
      '--dataset', plan.dataset,
      ...(plan.dataDir ? ['--data-dir', plan.dataDir] : []),
      ...(trainLimit ? ['--train-limit', String(trainLimit)] : []),
      '--partition', formatPartitionSpec(partition),
      '--clients', String(clients),
      '--partition-seed', String(plan.model.seed ?? 1),
      '--backend', flags.backend,
    ];
    log(`simulating ${clients} clients (${formatPartitionSpec(partition)}) over loopback`);
    const { summary, interrupted } = await serveUntilDone({
      statePath,
      config,
      dataset: plan.dataset,
      ...(plan.dataDir ? { dataDir: plan.dataDir } : {}),
      ...(testLimit ? { testLimit } : {}),
      backend: flags.backend,
      store: plan.store,
      host: '127.0.0.1',
      port: 0,
      corsOrigins,
      onListening: (url, fail) => {
        const children = startClients(url, tokens, joinArgs);
        let exited = 0;
        for (const child of children) {
          child.once('exit', () => {
            // With every client gone no round can complete: say so instead of waiting for clients forever.
            if (++exited === children.length) setTimeout(() => fail('every simulated client exited before the run finished (their errors are above)'), 1_000);
          });
        }
        return async (interrupted: boolean) => {
          // Clients learn the run finished on their next poll; stragglers are stopped.
          await Promise.all(
            children.map(
              (child) =>
                new Promise<void>((resolve) => {
                  if (child.exitCode !== null || child.signalCode !== null) return resolve();
                  const timer = setTimeout(() => child.kill('SIGKILL'), interrupted ? 0 : 15_000);
                  child.once('exit', () => {
                    clearTimeout(timer);
                    resolve();
                  });
                  if (interrupted) child.kill('SIGTERM');
                }),
            ),
          );
        };
      },
    });
    finish({ ...summary, state: flags.state ? summary.state : '(temporary)' }, flags.json, interrupted);
  } finally {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
