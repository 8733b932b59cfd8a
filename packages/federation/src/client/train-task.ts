import { assignNamedWeights, tf, type TrainableModel } from '@localbp/core';
import type { LabeledSplit } from '@localbp/datasets';
import { LocalTrainer, type PipelineRunOptions, type Schedule, type TrainerCallbacks } from '@localbp/trainer';
import type { TaskMessage, UpdateMessageInput } from '../protocol/messages';
import { unitOfWeight, type WeightArray } from '../protocol/weight-array';

/** Where a participant's local training stands across rounds: shuffles and noise never repeat. */
export interface LocalProgress {
  step: number;
  epochsDone: number;
}

/** Client-side options of `trainTask`. */
export interface TrainTaskOptions {
  /** Step size of the FedProx proximal step; default the model's optimizer learning rate (else 1e-3). */
  proximalStepSize?: number;
  /**
   * Train the task's cells at the same time in worker threads (Node). Tasks with a FedProx term
   * train on one thread: the proximal step changes weights after every batch, where workers hold them.
   */
  pipeline?: PipelineRunOptions;
}

/** Units a model exposes to federation: its training units in order, then the classifier. */
export function modelUnitIds(model: Pick<TrainableModel, 'units'>): string[] {
  return [...model.units.map((u) => u.id), 'head'];
}

/** The units whose outputs feed `unit`: cells before it; every cell for the head. */
export function upstreamUnits(model: Pick<TrainableModel, 'units'>, unit: string): string[] {
  const cells = model.units.map((u) => u.id);
  if (unit === 'head') return cells;
  const index = cells.indexOf(unit);
  return index < 0 ? [] : cells.slice(0, index);
}

function learningRateOf(model: TrainableModel): number {
  const optimizer = model.config.optimizer as { learningRate?: unknown } | undefined;
  return typeof optimizer?.learningRate === 'number' ? optimizer.learningRate : 1e-3;
}

/** Fresh optimizer state for every optimizer that can forget (the built-in AdamW); others continue. */
function resetOptimizerState(model: TrainableModel): void {
  for (const slot of model.optimizerSlots()) {
    const optimizer = slot.optimizer as tf.Optimizer & { resetState?: unknown };
    if (typeof optimizer.resetState === 'function') (optimizer.resetState as () => void).call(optimizer);
  }
}

/**
 * One task: load the global weights, train the assigned units for `localEpochs` on the local shard
 * (the other units only encode, frozen), and return the trained units' weights as an update.
 * With FedProx (μ > 0) each optimizer step is followed by the proximal step
 * w ← w − η·μ·(w − w_global), the decoupled form of the μ/2·‖w − w_global‖² term.
 */
export async function trainTask(
  model: TrainableModel,
  shard: LabeledSplit,
  task: TaskMessage,
  globalWeights: readonly WeightArray[],
  progress: LocalProgress,
  options: TrainTaskOptions = {},
): Promise<{ message: UpdateMessageInput; tensors: WeightArray[] }> {
  const incoming = new Map(globalWeights.map((w) => [w.name, tf.tensor(w.values, w.shape)]));
  try {
    assignNamedWeights(model.namedWeights(), incoming, `task ${task.taskId}`);
  } finally {
    for (const t of incoming.values()) t.dispose();
  }
  const cellIndices = task.train.filter((u) => u !== 'head').map((id) => {
    const index = model.units.findIndex((u) => u.id === id);
    if (index < 0) throw new RangeError(`task ${task.taskId} asks for unit "${id}", which this model does not have`);
    return index;
  });
  const head = task.train.includes('head');
  if (task.optimizerState === 'reset') resetOptimizerState(model);
  const epochs = progress.epochsDone + task.localEpochs;
  const schedule: Schedule = { name: 'federated-task', phases: () => [{ name: 'task', cells: cellIndices, head, epochs }] };
  const trained = new Set(task.train);
  const callbacks: TrainerCallbacks[] = [];
  let anchors: Array<{ variable: tf.Variable; anchor: tf.Tensor }> = [];
  if (task.proximalMu > 0) {
    const factor = (options.proximalStepSize ?? learningRateOf(model)) * task.proximalMu;
    anchors = model
      .namedWeights()
      .filter((w) => trained.has(unitOfWeight(w.name)))
      .map((w) => ({ variable: w.tensor as tf.Variable, anchor: tf.clone(w.tensor) }));
    callbacks.push({
      onBatchEnd: () => {
        for (const { variable, anchor } of anchors) {
          tf.tidy(() => variable.assign(tf.sub(variable, tf.mul(tf.sub(variable, anchor), factor))));
        }
      },
    });
  }
  let result;
  try {
    result = await new LocalTrainer(model).fit(shard, {
      epochs,
      batchSize: task.batchSize,
      schedule,
      evaluateEachEpoch: false,
      callbacks,
      ...(options.pipeline && task.proximalMu === 0 ? { pipeline: options.pipeline } : {}),
      from: { phase: 0, epoch: progress.epochsDone, batch: 0, step: progress.step, epochsDone: progress.epochsDone },
    });
  } finally {
    for (const a of anchors) a.anchor.dispose();
  }
  progress.step = result.progress.step;
  progress.epochsDone = epochs;
  const tensors = model
    .namedWeights()
    .filter((w) => trained.has(unitOfWeight(w.name)))
    .map((w) => ({ name: w.name, shape: [...w.tensor.shape], values: Float32Array.from(w.tensor.dataSync()) }));
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.epochs.at(-1)?.losses ?? {})) if (Number.isFinite(value)) metrics[key] = value;
  return {
    message: {
      type: 'update',
      round: task.round,
      taskId: task.taskId,
      examples: shard.count,
      units: task.train.map((id) => ({
        id,
        baseVersion: task.versions[id] ?? 0,
        upstreamVersions: Object.fromEntries(upstreamUnits(model, id).map((u) => [u, task.versions[u] ?? 0])),
      })),
      metrics,
    },
    tensors,
  };
}
