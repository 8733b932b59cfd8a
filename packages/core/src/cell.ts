import type * as tf from '@tensorflow/tfjs';
import type { NamedWeights, ValueRange } from './tensor-types';

/** Handed to a local loss closure; lets the cell publish the latent it computed on the way. */
export interface LocalLossContext {
  /** Global step counter; cells derive noise seeds from it so runs are reproducible. */
  readonly step: number;
  /**
   * Publishes the latent computed inside the loss closure, so the trainer does not run the
   * encoder twice. The trainer keeps it and hands it to the next cell as a new leaf: no gradient
   * can flow back through it.
   */
  emitLatent(latent: tf.Tensor): void;
  /** Lets the trainer sample memory while activations are alive. */
  probe(): void;
}

/**
 * One gradient update a cell makes per batch, with its own optimizer over its own variables.
 * An autoencoder has one; a GAN has two (discriminator, generator).
 */
export interface LocalUpdate {
  readonly name: string;
  readonly optimizer: tf.Optimizer;
  /** The only variables this update may change. */
  variables(): tf.Variable[];
  /** Loss over the cell's (already detached) input; computed inside `optimizer.minimize`. */
  loss(input: tf.Tensor, context: LocalLossContext): tf.Scalar;
}

/** Serializable description of a cell: enough to rebuild it through the registry. */
export interface CellSpec {
  /** Registry id, e.g. `ae`, `dae`. */
  readonly type: string;
  readonly width: number;
  readonly objective: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * A layer of an LBP network: an unsupervised model trained only by its own local loss.
 * Cells never see labels and never receive gradients from other cells.
 */
export interface Cell {
  /** Position-derived id, stable across processes: `cell-1`, `cell-2`, … */
  readonly id: string;
  readonly spec: CellSpec;
  /** Per-example shapes (no batch dimension). */
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  readonly inputRange: ValueRange;
  /** Inference: the latent of a batch, with no noise. */
  encode(input: tf.Tensor): tf.Tensor;
  /** Decoder output for a batch, where the cell has one (for image grids and checks). */
  reconstruct?(input: tf.Tensor): tf.Tensor;
  /**
   * Optional, for exports (`localbp export`): applies this cell's inference path (exactly what `encode`
   * computes) to a symbolic input as built-in `tf.layers` holding the cell's current weights, so the
   * exported model loads with plain `tf.loadLayersModel` and no custom classes. Layer names must be unique:
   * prefix them with the cell's id.
   */
  toLayers?(input: tf.SymbolicTensor): tf.SymbolicTensor;
  /**
   * What the classifier reads from this cell's latent, [batch, readoutSize]; without it, the
   * flattened latent. Lets a conv cell offer pooled or normalized features.
   */
  readout?(latent: tf.Tensor): tf.Tensor2D;
  /** Features per example that `readout` gives; required when `readout` is defined. */
  readonly readoutSize?: number;
  /**
   * The weights `encode` uses (a subset of `namedWeights`): what an end-to-end BP baseline built
   * from this cell trains. Cells without it cannot serve as BP encoders.
   */
  encoderWeights?(): NamedWeights;
  /**
   * Optional: per latent unit (channel), the fraction of the batch on which its ReLU output is non-zero, measured
   * before any normalization; `[units]`, caller disposes. Null when the latent has no ReLU. Zero marks a dead
   * unit: dashboards show the share of such units (`measureUnitActivity`).
   */
  unitActivity?(input: tf.Tensor): tf.Tensor1D | null;
  /** Generative cells: `count` samples in the cell's input space, reproducible from `seed` (inference only). */
  generate?(count: number, seed: number): tf.Tensor;
  /** The cell's local updates, each with its own optimizer and variables; stable across calls. */
  updates(): readonly LocalUpdate[];
  /** Every trainable variable, stably named; tensors are the live variables: do not dispose. */
  namedWeights(): NamedWeights;
  /** Frees the cell's variables and optimizer state. */
  dispose(): void;
}

/** What a cell factory receives; `width` and options come from the user, the rest from the stack. */
export interface CellBuildOptions {
  id: string;
  index: number;
  inputShape: readonly number[];
  inputRange: ValueRange;
  width: number;
  /**
   * False when `width` is only the model-wide fallback (nobody chose it): cells with their own
   * per-position defaults (a conv cell's 32/64/128 channels) use those instead.
   */
  widthExplicit?: boolean;
  objective?: string;
  options: Readonly<Record<string, unknown>>;
  seed: number;
  optimizer: import('./optimizer-config').OptimizerConfig;
  registry: import('./registry/registry').Registry;
}

/** Builds a cell from its build options; what the registry's `cell` kind holds. */
export type CellFactory = (options: CellBuildOptions) => Cell;
