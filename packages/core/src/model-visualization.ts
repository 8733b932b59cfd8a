import type * as tf from '@tensorflow/tfjs';
import type { ValueRange } from './tensor-types';
import type { UnitActivity } from './unit-activity';

/**
 * Images a unit produced from a fixed probe batch: reconstructions (with their inputs), generated samples
 * (GAN cells) or positive / negative samples (`ff-samples`: `inputs` positive, `images` negative).
 */
export interface UnitImages {
  readonly unitId: string;
  readonly kind: 'reconstruction' | 'samples' | 'ff-samples';
  /** [N, ...] reconstructions or samples; image-shaped for the first unit, latent vectors above it. */
  readonly images: tf.Tensor;
  /** Drawn as the first row: what the unit was given (reconstructions), or the positive data (FF). */
  readonly inputs?: tf.Tensor;
  /** `unit`: values in [0, 1]; `unbounded`: to be rescaled for display. */
  readonly range: ValueRange;
}

/** Summary of a unit's latent on the probe batch. */
export interface LatentStatistics {
  readonly unitId: string;
  readonly mean: number;
  readonly std: number;
  /** ReLU zeros and dead units before normalization, for cells that measure them (`Cell.unitActivity`). */
  readonly activity?: UnitActivity;
}

/** What `TrainableModel.visualize` returns: image grids per unit and latent statistics. */
export interface ModelVisualization {
  /** Caller disposes every tensor. */
  readonly images: UnitImages[];
  readonly latents: LatentStatistics[];
}

/** A cell that can sample (GAN cells); detected with `'generate' in cell`. */
export interface GenerativeCell {
  /** `count` seeded samples in the cell's input space. */
  generate(count: number, seed: number): tf.Tensor;
}

/** Whether a cell can sample (has `generate`). */
export function isGenerativeCell(cell: object): cell is GenerativeCell {
  return 'generate' in cell && typeof (cell as { generate?: unknown }).generate === 'function';
}
