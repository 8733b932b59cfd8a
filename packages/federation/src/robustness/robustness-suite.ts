import { assignNamedWeights, registry as defaultRegistry, tf, type Registry } from '@localbp/core';
import { clientShard, type LabeledSplit, type PartitionSpec } from '@localbp/datasets';
import { createModel, evaluateAccuracy } from '@localbp/trainer';
import { registerBuiltinAggregators } from '../aggregators/register-builtin-aggregators';
import { trainTask, type LocalProgress } from '../client/train-task';
import { FederationError } from '../protocol/federation-error';
import type { TaskMessage, UpdateMessage } from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';
import { RoundCoordinator } from '../server/round-coordinator';
import { federationConfigSchema, type FederationConfigInput } from '../server/server-config';
import type { AttackScenario } from './attack-scenarios';

/** One federation of the suite: data, model and rounds; in-process, the server's own round logic. */
export interface RobustnessRunOptions {
  train: LabeledSplit;
  test: LabeledSplit;
  clients: number;
  partition: PartitionSpec;
  rounds: number;
  localEpochs: number;
  batchSize: number;
  /** A `createModel` config. */
  model: Record<string, unknown>;
  seed: number;
  /** Configuration overrides (e.g. influence bounds off); defaults otherwise. */
  server?: Partial<FederationConfigInput>;
  registry?: Registry;
}

export interface RobustnessRunResult {
  scenario: string;
  aggregator: string;
  accuracy: number;
  /** Test accuracy of the global model after each round (the last is `accuracy`). */
  roundAccuracy: number[];
  /** Hostile updates rejected by validation, and bounded (capped or clipped) before aggregation. */
  rejected: number;
  bounded: number;
  seconds: number;
}

registerBuiltinAggregators(defaultRegistry);

function flipLabels(shard: LabeledSplit): LabeledSplit {
  return { ...shard, labels: shard.labels.map((y) => shard.numClasses - 1 - y) };
}

/**
 * Runs one federation to its last round with `scenario`'s hostile clients (the first ones) among honest ones,
 * through `RoundCoordinator` exactly as the server runs it (validation, bounded influence, aggregation), with a
 * simulated clock and no HTTP. Returns the test accuracy after every round.
 */
export async function runRobustnessScenario(
  options: RobustnessRunOptions,
  scenario: AttackScenario | null,
  aggregator: { id: string; options?: Record<string, unknown> },
): Promise<RobustnessRunResult> {
  const started = performance.now();
  const registry = options.registry ?? defaultRegistry;
  const data = { imageShape: options.train.imageShape, numClasses: options.train.numClasses };
  const model = createModel(options.model as { model?: string }, data, registry);
  try {
    const initial: WeightArray[] = model.namedWeights().map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
    const names = Array.from({ length: options.clients }, (_, i) => `client-${String(i + 1).padStart(2, '0')}`);
    const shards = names.map((_, i) => clientShard(options.train, options.clients, i, options.partition, options.seed));
    const progress: LocalProgress[] = names.map(() => ({ step: 0, epochsDone: 0 }));
    const hostile = scenario?.hostile ?? 0;
    const memory = new Map<string, WeightArray[]>();
    const config = federationConfigSchema.parse({
      rounds: options.rounds,
      localEpochs: options.localEpochs,
      batchSize: options.batchSize,
      waitForClients: options.clients,
      heartbeatMs: 1_000,
      heartbeatTimeoutMs: 3_600_000,
      aggregator: { id: aggregator.id, options: aggregator.options ?? {} },
      model: options.model,
      data: { dataset: options.train.name, ...data },
      seed: options.seed,
      ...options.server,
    });
    let now = 0;
    const roundAccuracy: number[] = [];
    let final = Number.NaN;
    let rejected = 0;
    let bounded = 0;
    const coordinator = new RoundCoordinator({
      config,
      aggregator: registry.get('aggregator', config.aggregator.id)(config.aggregator.options),
      state: { round: 0, versions: {}, weights: initial, history: [] },
      commit: async (_round, _versions, _weights, report) => {
        bounded += report.clients.filter((c) => c.bounded && names.indexOf(c.clientId) < hostile).length;
      },
      // Every round: an attack must not dent any round, not only the last (issue 15: "in its round").
      evaluate: async (weights) => {
        const tensors = new Map(weights.map((w) => [w.name, tf.tensor(w.values, w.shape)]));
        try {
          assignNamedWeights(model.namedWeights(), tensors, 'global model');
        } finally {
          for (const t of tensors.values()) t.dispose();
        }
        final = evaluateAccuracy(model, options.test);
        roundAccuracy.push(final);
        return final;
      },
      log: () => {},
      now: () => now,
    });
    coordinator.setRegisteredClients(names);
    const train = async (i: number, task: TaskMessage, tensors: WeightArray[], flip = false) =>
      trainTask(model, flip ? flipLabels(shards[i]!) : shards[i]!, task, tensors, progress[i]!);
    // Bounded: every round may need a retry at most a few times.
    for (let step = 0; step < options.rounds * 4 && !coordinator.isFinished(); step++) {
      for (const name of names) coordinator.see(name);
      const polls = names.map((name) => coordinator.poll(name));
      for (const [i, poll] of polls.entries()) {
        if (poll.kind !== 'task') continue;
        const task = poll.message;
        let message: UpdateMessage;
        let weights: WeightArray[];
        const honest = await train(i, task, poll.tensors);
        message = { ...honest.message, metrics: honest.message.metrics ?? {} };
        weights = honest.tensors;
        if (i < hostile) {
          const trainedNames = weights.map((w) => w.name);
          const byName = new Map(poll.tensors.map((w) => [w.name, w]));
          const global = trainedNames.map((n) => byName.get(n)!);
          const attack = await scenario!.attack({
            round: task.round,
            global,
            train: async (o) => (o?.flipLabels ? (await train(i, task, poll.tensors, true)).tensors : honest.tensors),
            honestExamples: shards[i]!.count,
            hostileIndex: i,
            memory,
          });
          message = { ...message, examples: Math.max(1, Math.round(attack.examples)) };
          weights = attack.weights;
        }
        try {
          coordinator.submit(names[i]!, message, weights, `${names[i]}-${task.taskId}`);
        } catch (err) {
          if (!(err instanceof FederationError)) throw err;
          if (i < hostile) rejected++;
        }
      }
      await coordinator.tick();
      // Past the settle time after a close, and past any deadline.
      now += Math.max(config.roundTimeoutMs, 10_000) + 1;
    }
    if (!coordinator.isFinished()) throw new Error(`${scenario?.id ?? 'clean'} × ${aggregator.id}: the federation did not finish its ${options.rounds} rounds`);
    return { scenario: scenario?.id ?? 'clean', aggregator: aggregator.id, accuracy: final, roundAccuracy, rejected, bounded, seconds: (performance.now() - started) / 1000 };
  } finally {
    model.dispose();
  }
}

/** Every scenario (and the clean run) × every aggregator, one federation each, in order. */
export async function runRobustnessSuite(
  options: RobustnessRunOptions,
  scenarios: readonly AttackScenario[],
  aggregators: ReadonlyArray<{ id: string; options?: Record<string, unknown> }>,
  onResult: (result: RobustnessRunResult) => void = () => {},
): Promise<RobustnessRunResult[]> {
  const results: RobustnessRunResult[] = [];
  for (const scenario of [null, ...scenarios]) {
    for (const aggregator of aggregators) {
      const result = await runRobustnessScenario(options, scenario, aggregator);
      onResult(result);
      results.push(result);
    }
  }
  return results;
}
