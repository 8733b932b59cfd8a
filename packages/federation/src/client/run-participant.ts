import { registry as defaultRegistry, type Registry, type TrainableModel } from '@localbp/core';
import type { LabeledSplit } from '@localbp/datasets';
import { createModel } from '@localbp/trainer';
import { FederationError, type FederationErrorCode } from '../protocol/federation-error';
import type { JoinResponse } from '../protocol/messages';
import type { FederationClient } from './federation-client';
import { trainTask, type LocalProgress, type TrainTaskOptions } from './train-task';

/** What `runParticipant` needs: a connected client and the local data. */
export interface ParticipantOptions extends TrainTaskOptions {
  client: FederationClient;
  /** The participant's own training data; loaded before joining, so a joined client is ready to train. */
  loadShard(): LabeledSplit | Promise<LabeledSplit>;
  registry?: Registry;
  /** Receives one line per event (joined, training, accepted, rejected); silent by default. */
  log?: (message: string) => void;
  /** Stops after the current task. */
  signal?: AbortSignal;
}

/** How a participant's run went, as `runParticipant` returns it. */
export interface ParticipantSummary {
  clientId: string;
  /** Rounds whose update the server accepted. */
  acceptedRounds: number[];
  rejected: Array<{ round: number; code: FederationErrorCode; message: string }>;
  /** The last round the server reported. */
  serverRound: number;
  examples: number;
  status: 'finished' | 'stopped';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A participant's whole life: join, build the server's model, then poll → train the assigned units
 * on the local shard → upload, until the server says the run is finished. Heartbeats run alongside
 * so the server can tell a slow client from a vanished one. An `unauthorized` answer ends it with
 * that error; a rejected update is logged and the participant carries on.
 */
export async function runParticipant(options: ParticipantOptions): Promise<ParticipantSummary> {
  const log = options.log ?? (() => {});
  const { client } = options;
  const shard = await options.loadShard();
  const join: JoinResponse = await client.join();
  log(`joined as ${join.clientId}: ${join.training.mode}, ${join.training.localEpochs} local epoch(s), aggregator ${join.training.aggregator}`);
  if (shard.imageShape.join('x') !== join.data.imageShape.join('x') || shard.numClasses !== join.data.numClasses) {
    throw new RangeError(
      `local data holds [${shard.imageShape.join(', ')}] images in ${shard.numClasses} classes; the server trains on [${join.data.imageShape.join(', ')}] in ${join.data.numClasses}`,
    );
  }
  const model: TrainableModel = createModel(join.model as { model?: string }, join.data, options.registry ?? defaultRegistry);
  const summary: ParticipantSummary = { clientId: join.clientId, acceptedRounds: [], rejected: [], serverRound: 0, examples: shard.count, status: 'stopped' };
  let status: 'idle' | 'training' | 'uploading' = 'idle';
  let taskId: string | undefined;
  const beat = setInterval(() => {
    client.heartbeat({ status, ...(taskId ? { taskId } : {}) }).catch(() => {
      // The next poll retries with backoff and reports it; a lost heartbeat is not an error.
    });
  }, join.heartbeatMs);
  const progress: LocalProgress = { step: 0, epochsDone: 0 };
  try {
    while (!options.signal?.aborted) {
      const poll = await client.poll();
      if (poll.kind === 'finished') {
        summary.serverRound = poll.round;
        summary.status = 'finished';
        break;
      }
      if (poll.kind === 'wait') {
        summary.serverRound = poll.round;
        await sleep(poll.retryAfterMs);
        continue;
      }
      const task = poll.message;
      taskId = task.taskId;
      status = 'training';
      log(`round ${task.round}: training ${task.train.join(', ')} on ${shard.count} examples`);
      const started = performance.now();
      const update = await trainTask(model, shard, task, poll.tensors, progress, options);
      status = 'uploading';
      const key = crypto.randomUUID();
      try {
        await client.upload(update.message, update.tensors, key);
        summary.acceptedRounds.push(task.round);
        log(`round ${task.round}: update accepted (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      } catch (err) {
        if (!(err instanceof FederationError) || err.code === 'unauthorized') throw err;
        summary.rejected.push({ round: task.round, code: err.code, message: err.message });
        log(`round ${task.round}: update rejected: ${err.code}: ${err.message}`);
      }
      status = 'idle';
      taskId = undefined;
    }
    return summary;
  } finally {
    clearInterval(beat);
    model.dispose();
  }
}
