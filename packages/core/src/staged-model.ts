import type * as tf from '@tensorflow/tfjs';
import type { NamedWeights } from './tensor-types';
import type { OptimizerSlot, TrainableModel, TrainStepContext } from './trainable-model';

/**
 * A contiguous slice of a staged model: units `first..last` (inclusive; empty when `last < first`)
 * and, for the last stage, the classifier.
 */
export interface StageRange {
  readonly first: number;
  readonly last: number;
  /** Whether this stage trains the classifier on every readout. */
  readonly head: boolean;
  /** Whether the stage must return its units' readouts (a later stage trains the classifier). */
  readonly readouts: boolean;
}

/** What a stage receives for one mini-batch. The caller owns every tensor in it. */
export interface StageBatch {
  /** Input of the stage's first unit: the images for the first stage, else the detached latent of the unit below. */
  readonly input: tf.Tensor;
  /** What the classifier reads of every unit below this stage, in unit order. */
  readonly readouts: readonly tf.Tensor2D[];
  /** Labels: needed by the stage that trains the classifier. */
  readonly ys?: tf.Tensor1D;
  /** Whatever else the stage below passed on for the stages above (e.g. FF's neutral-pass activity). */
  readonly carried?: Readonly<Record<string, tf.Tensor>>;
}

/** What one stage produced for one mini-batch. The caller owns and disposes the tensors. */
export interface StageResult {
  /** Mean losses keyed as in `TrainableModel.trainBatch`. */
  losses: Record<string, number>;
  /** Latent of the stage's last unit, for the next stage; absent for the stage with the classifier. */
  output?: tf.Tensor;
  /** Readouts of this stage's own units (empty unless `range.readouts`). */
  readouts: tf.Tensor2D[];
  /** Tensors for the next stage's `StageBatch.carried`. */
  carried?: Record<string, tf.Tensor>;
}

/** The weights and optimizers of one part (a unit, or the classifier) of a staged model. */
export interface PartState {
  weights: NamedWeights;
  slots: OptimizerSlot[];
}

/**
 * A model whose units train only on the detached output of the unit below (LBP cells), so that
 * contiguous stages of units can run at the same time on different threads or machines. Running
 * every stage in order on one batch must be exactly `trainBatch`.
 */
export interface StagedModel extends TrainableModel {
  /** Trains the units of `range` that `context.units` lists (the others only encode), then the classifier if asked. */
  trainStage(range: StageRange, batch: StageBatch, context: TrainStepContext): Promise<StageResult>;
  /**
   * Weights and optimizers of part `part`: units are parts `0..units.length - 1`, the classifier
   * is part `units.length`.
   */
  partState(part: number): PartState;
  /** Optional: false when this configuration needs the whole model in one place each step (e.g. FF's hard negatives). */
  canStage?(): boolean;
}

/** Whether a model can be split into pipelined stages. */
export function isStagedModel(model: TrainableModel): model is StagedModel {
  const candidate = model as Partial<StagedModel>;
  return typeof candidate.trainStage === 'function' && typeof candidate.partState === 'function' && (candidate.canStage?.() ?? true);
}
