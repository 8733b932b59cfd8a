import type * as tf from '@tensorflow/tfjs';
import type { ModelVisualization } from './model-visualization';
import type { NamedWeights } from './tensor-types';

/** Per-example image shape and class count: what a model is built for. */
export interface DataShape {
  /** Per-example image shape [H, W, C]. */
  imageShape: readonly number[];
  numClasses: number;
}

/** A part of a model that a schedule can train on its own: a cell or an FF layer. */
export interface TrainingUnit {
  readonly index: number;
  /** Stable id, also the loss key suffix: `loss/<id>`. */
  readonly id: string;
  readonly type: string;
}

/** An optimizer and the variables it owns; the unit of optimizer state in checkpoints. */
export interface OptimizerSlot {
  /** Stable name, e.g. `cell-1/reconstruction`, `head`. */
  readonly owner: string;
  readonly optimizer: tf.Optimizer;
  /** The variables this optimizer updates. */
  variables(): tf.Variable[];
}

/** What one training step may touch, handed to `TrainableModel.trainBatch`. */
export interface TrainStepContext {
  /** Global optimizer step; models derive noise and negative-sampling seeds from it. */
  readonly step: number;
  /** Indices (into `units`) whose updates run in this step; the others only run forward (frozen). */
  readonly units: readonly number[];
  /** Whether the classifier (or readout) updates in this step. */
  readonly head: boolean;
  /** Samples live tensor memory; call it wherever activations are alive. */
  probe(): void;
}

/**
 * Anything the `LocalTrainer` can train: an LBP stack, a Forward-Forward network, a back-propagation
 * baseline, or a plugin's model. The trainer drives schedules, callbacks, checkpoints and evaluation
 * through this interface alone.
 */
export interface TrainableModel {
  /** Model family, e.g. `lbp`, `ff`, `bp`. */
  readonly kind: string;
  /** The validated config the model was built from; recorded in checkpoints (must be JSON). */
  readonly config: { readonly model: string; readonly seed: number } & Readonly<Record<string, unknown>>;
  readonly data: DataShape;
  readonly units: readonly TrainingUnit[];
  /** Whether units can be trained one after another (`separate` schedule); false for end-to-end BP. */
  readonly separable: boolean;
  /**
   * Runs one mini-batch: updates the units in `context.units` (and the head if asked) and returns
   * mean losses keyed `loss/<unit id>` (first update of a unit), `loss/<unit id>/<update>`, `loss/head`.
   * Must dispose everything it creates except variables and optimizer state.
   */
  trainBatch(xs: tf.Tensor, ys: tf.Tensor1D, context: TrainStepContext): Promise<Record<string, number>>;
  /**
   * Class scores for a batch of images (inference, no noise). `mode` picks one of
   * `alternativeInference` instead of the model's default way of classifying.
   */
  predictLogits(images: tf.Tensor, mode?: string): tf.Tensor2D;
  /** Other ways the model can classify (FF: `goodness` besides its `linear` readout); evaluated as `testAccuracy/<mode>`. */
  readonly alternativeInference?: readonly string[];
  /** Every trainable weight, stably named. */
  namedWeights(): NamedWeights;
  /** Every optimizer with the variables it owns: checkpoints save and restore their state. */
  optimizerSlots(): OptimizerSlot[];
  /**
   * Optional: what each unit makes of a fixed probe batch (reconstructions, generated samples,
   * latent statistics) for dashboards. Inference only; the caller disposes the returned tensors.
   */
  visualize?(images: tf.Tensor, options?: { samples?: number; seed?: number }): ModelVisualization;
  /**
   * Optional, for exports: the whole inference path (image in [0, 1], shape `[H, W, C]` → class logits) as one
   * standard `tf.LayersModel` of built-in layers with copies of the current weights. It must predict what
   * `predictLogits` predicts. Absent (or throwing) when some part has no layers equivalent.
   */
  toLayersModel?(): tf.LayersModel;
  /** Frees every variable and optimizer state of the model. */
  dispose(): void;
}
