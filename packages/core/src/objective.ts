import type * as tf from '@tensorflow/tfjs';
import type { ValueRange } from './tensor-types';

/** What a local objective needs from a cell; the trainer never looks inside. */
export type ObjectiveKind = 'reconstruction' | 'denoising' | (string & {});

/** A local loss a cell trains with, resolved by id through the registry. */
export interface Objective {
  /** Registry id, e.g. `mse`, `bce`, `denoising`. */
  readonly id: string;
  readonly kind: ObjectiveKind;
  /** Options after defaults, recorded with every run. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Reconstruct the input: AE and CAE cells. */
export interface ReconstructionObjective extends Objective {
  readonly kind: 'reconstruction';
  /** Values the prediction must lie in: `unit` forces a sigmoid decoder output (BCE). */
  readonly requiresUnitRange: boolean;
  /** Mean loss over the batch; called inside the cell's loss closure. */
  loss(target: tf.Tensor, prediction: tf.Tensor): tf.Scalar;
}

/** Reconstruct the clean input from a corrupted one: DAE cells. */
export interface DenoisingObjective extends Objective {
  readonly kind: 'denoising';
  readonly requiresUnitRange: boolean;
  /** Corrupts a batch; `seed` makes it reproducible. */
  corrupt(clean: tf.Tensor, seed: number): tf.Tensor;
  /** Mean loss of the reconstruction against the clean batch; called inside the cell's loss closure. */
  loss(clean: tf.Tensor, reconstruction: tf.Tensor): tf.Scalar;
}

/** A two-player game: GAN cells (discriminator vs generator). Losses take raw logits. */
export interface AdversarialObjective extends Objective {
  readonly kind: 'adversarial';
  /** The discriminator's loss: real logits should be high, fake logits low. */
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** The generator's loss on the discriminator's logits of its samples. */
  generatorLoss(fakeLogits: tf.Tensor): tf.Scalar;
}

export function isAdversarialObjective(o: Objective): o is AdversarialObjective {
  return o.kind === 'adversarial';
}

/** Whether an objective reconstructs its input (AE, CAE cells). */
export function isReconstructionObjective(o: Objective): o is ReconstructionObjective {
  return o.kind === 'reconstruction';
}

/** Whether an objective reconstructs a clean input from a corrupted one (DAE cells). */
export function isDenoisingObjective(o: Objective): o is DenoisingObjective {
  return o.kind === 'denoising';
}

/** Builds an objective from user options (validated by the factory itself). */
export type ObjectiveFactory = (options: Readonly<Record<string, unknown>>) => Objective;
