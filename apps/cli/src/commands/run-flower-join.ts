import { resolveBackend, tf } from '@localbp/core';
import { clientShard, getDatasetSpec, loadDataset, subset } from '@localbp/datasets';
import { DEFAULT_RETRY, GrpcFleetTransport, LocalbpNumPyClient, RestFleetTransport, runSuperNode, type FleetTransport } from '@localbp/flower';
import { createModel } from '@localbp/trainer';
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli-errors';
import { parseModelFlags, parsePartitionFlag, type RawModelFlags } from '../federate-options';

export interface RawFlowerJoinFlags extends RawModelFlags {
  superlink: string;
  rest: boolean;
  tokenFile?: string;
  partition?: string;
  clients?: string;
  clientIndex?: string;
  partitionSeed: string;
  localEpochs: string;
  batchSize: string;
  idleExit: string;
  retryFor: string;
  json: boolean;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function int(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${value}"`);
  return Number(value);
}

/** `HOST:PORT` for gRPC; for REST also `http(s)://HOST:PORT` (plain HOST:PORT means http). */
function transportFor(flags: RawFlowerJoinFlags, token: string | undefined): FleetTransport {
  const address = flags.superlink.trim();
  if (flags.rest) {
    const url = /^https?:\/\//.test(address) ? address : `http://${address}`;
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--superlink "${address}" is not HOST:PORT or an http(s) URL`);
    }
    return new RestFleetTransport({ url, ...(token ? { token } : {}) });
  }
  if (!/^[\w.-]+:\d+$|^\[[\da-fA-F:]+\]:\d+$/.test(address)) throw new UsageError(`--superlink must be HOST:PORT for gRPC (e.g. 127.0.0.1:9092), got "${address}"`);
  return new GrpcFleetTransport({ address, ...(token ? { token } : {}) });
}

/** `localbp flower join`: this process is a Flower SuperNode training a localbp model on its local shard. */
export async function runFlowerJoin(flags: RawFlowerJoinFlags): Promise<void> {
  const plan = parseModelFlags(flags);
  const partition = flags.partition !== undefined ? parsePartitionFlag(flags.partition) : undefined;
  const clients = int(flags.clients, '--clients', 1);
  const index = int(flags.clientIndex, '--client-index', 0);
  if (partition && (clients === undefined || index === undefined)) throw new UsageError('--partition needs --clients and --client-index');
  if (index !== undefined && clients !== undefined && index >= clients) throw new UsageError(`--client-index must be below --clients (${clients}), got ${index}`);
  const partitionSeed = int(flags.partitionSeed, '--partition-seed', 0)!;
  const localEpochs = int(flags.localEpochs, '--local-epochs', 1)!;
  const batchSize = int(flags.batchSize, '--batch-size', 1)!;
  const idleExitS = int(flags.idleExit, '--idle-exit', 1)!;
  const retryForS = int(flags.retryFor, '--retry-for', 1)!;
  const token = flags.tokenFile ? readFileSync(flags.tokenFile, 'utf8').trim() : undefined;
  const transport = transportFor(flags, token);

  const backend = await resolveBackend(plan.backend, { quiet: true });
  const data = loadDataset(plan.dataset, plan.dataDir ? { dataDir: plan.dataDir } : {});
  const train = plan.trainLimit ? subset(data.train, plan.trainLimit) : data.train;
  const shard = partition ? clientShard(train, clients!, index!, partition, partitionSeed) : train;
  const evalSplit = plan.testLimit ? subset(data.test, plan.testLimit) : data.test;
  const spec = getDatasetSpec(plan.dataset);
  const model = createModel(plan.model as { model?: string }, { imageShape: [...spec.imageShape], numClasses: spec.numClasses });
  log(`local data: ${shard.count} examples of ${data.info.name}${partition ? ` (${flags.partition} shard ${index! + 1}/${clients})` : ''}, evaluating on ${evalSplit.count} test examples; backend ${backend.name}`);
  log(`model: ${model.namedWeights().length} parameter arrays in namedWeights order (cells bottom-up, then head)`);

  const controller = new AbortController();
  const stop = () => {
    log('interrupt: stopping after the current task, then deleting this node from the SuperLink');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const summary = await runSuperNode({
      transport,
      client: new LocalbpNumPyClient({ model, shard, evalSplit, defaults: { localEpochs, batchSize }, log }),
      log,
      signal: controller.signal,
      idleExitS,
      retry: { ...DEFAULT_RETRY, giveUpAfterMs: retryForS * 1000 },
    });
    const failed = summary.tasks.filter((t) => !t.ok).length;
    log(`${summary.status}: ${summary.tasks.length} task(s) answered, ${failed} with an error result`);
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...summary, backend: backend.name, examples: shard.count })}\n`);
    process.exitCode = summary.status === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    model.dispose?.();
    tf.disposeVariables();
  }
}
