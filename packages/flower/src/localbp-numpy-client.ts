import { assignNamedWeights, tf, type TrainableModel } from '@localbp/core';
import type { LabeledSplit } from '@localbp/datasets';
import { modelUnitIds, trainTask, type LocalProgress, type WeightArray } from '@localbp/federation';
import { evaluateSplit } from './evaluate-split';
import type { NpyArray } from './npy-codec';
import type { NumPyClient } from './numpy-client';
import { RecordSetError, type Scalar } from './record-set';

/** The model and data a localbp node answers with. */
export interface LocalbpClientOptions {
  model: TrainableModel;
  /** The local training shard. */
  shard: LabeledSplit;
  /** What `evaluate` scores the global model on (e.g. the test split). */
  evalSplit: LabeledSplit;
  /** Used when the strategy's config has no `local_epochs` / `batch_size`. */
  defaults?: { localEpochs?: number; batchSize?: number };
  /** Progress lines. */
  log?: (message: string) => void;
}

/**
 * Parameter order on the wire, fixed: `model.namedWeights()` — every cell bottom-up (cell-1, cell-2, …), each cell's
 * weights in its own order, then the classifier head. All nodes of a federation must build the same model.
 */
export function modelParameters(model: Pick<TrainableModel, 'namedWeights'>): NpyArray[] {
  return model.namedWeights().map((w) => ({ shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
}

/** Flower's arrays, by position, as this model's named weights (shapes checked). */
export function toWeightArrays(model: Pick<TrainableModel, 'namedWeights'>, arrays: readonly NpyArray[]): WeightArray[] {
  const named = model.namedWeights();
  if (arrays.length !== named.length) throw new RecordSetError(`got ${arrays.length} arrays; this model has ${named.length} (is every node built with the same --cells/--width/--head-hidden?)`);
  return named.map((w, i) => {
    const a = arrays[i]!;
    if (a.shape.join('x') !== w.tensor.shape.join('x')) throw new RecordSetError(`array ${i} (${w.name}) has shape (${a.shape.join(', ')}), expected (${w.tensor.shape.join(', ')})`);
    return { name: w.name, shape: a.shape, values: a.values };
  });
}

function positiveInt(config: Record<string, Scalar>, keys: string[], fallback: number): number {
  for (const key of keys) {
    const v = config[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RecordSetError(`config ${key} must be a positive integer, got ${String(v)}`);
    return v;
  }
  return fallback;
}

/** A localbp model as a Flower NumPyClient: `fit` = one federated task of `@localbp/federation` (all units). */
export class LocalbpNumPyClient implements NumPyClient {
  private readonly progress: LocalProgress = { step: 0, epochsDone: 0 };
  private round = 0;

  constructor(private readonly options: LocalbpClientOptions) {}

  /** The model's parameters in wire order. */
  async getParameters(): Promise<NpyArray[]> {
    return modelParameters(this.options.model);
  }

  /** One data-parallel task on the shard from the global parameters (config: local_epochs, batch_size, proximal_mu). */
  async fit(parameters: NpyArray[], config: Record<string, Scalar>) {
    const { model, shard } = this.options;
    const weights = toWeightArrays(model, parameters);
    const localEpochs = positiveInt(config, ['local_epochs', 'epochs'], this.options.defaults?.localEpochs ?? 1);
    const batchSize = positiveInt(config, ['batch_size'], this.options.defaults?.batchSize ?? 128);
    const mu = config.proximal_mu;
    if (mu !== undefined && (typeof mu !== 'number' || !(mu >= 0))) throw new RecordSetError(`config proximal_mu must be a number ≥ 0, got ${String(mu)}`);
    this.round += 1;
    const { message } = await trainTask(
      model,
      shard,
      {
        type: 'task',
        round: this.round,
        taskId: `flower-${this.round}`,
        deadlineMs: 0,
        train: modelUnitIds(model),
        versions: {},
        localEpochs,
        batchSize,
        // FedProx sends its μ in the config; the proximal step is ours (the Python client's job in Flower).
        proximalMu: typeof mu === 'number' ? mu : 0,
        optimizerState: 'reset',
      },
      weights,
      this.progress,
    );
    this.options.log?.(`fit: ${localEpochs} epoch(s) on ${shard.count} examples, batch ${batchSize}${typeof mu === 'number' && mu > 0 ? `, proximal μ ${mu}` : ''}`);
    return { parameters: modelParameters(model), numExamples: shard.count, metrics: message.metrics as Record<string, Scalar> };
  }

  /** Loss and accuracy of the global parameters on the evaluation split. */
  async evaluate(parameters: NpyArray[]) {
    const { model, evalSplit } = this.options;
    const incoming = new Map(toWeightArrays(model, parameters).map((w) => [w.name, tf.tensor(w.values, w.shape)]));
    try {
      assignNamedWeights(model.namedWeights(), incoming, 'evaluate');
    } finally {
      for (const t of incoming.values()) t.dispose();
    }
    const { loss, accuracy } = evaluateSplit(model, evalSplit);
    this.options.log?.(`evaluate: accuracy ${(accuracy * 100).toFixed(2)} %, loss ${loss.toFixed(4)} on ${evalSplit.count} examples`);
    return { loss, numExamples: evalSplit.count, metrics: { accuracy } };
  }
}
