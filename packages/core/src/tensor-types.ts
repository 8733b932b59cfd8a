import type * as tf from '@tensorflow/tfjs';

/** Ordered name → tensor map: the unit of checkpoints, federation updates and exports. */
export type NamedWeights = Array<{ name: string; tensor: tf.Tensor }>;

/** Whether a tensor's values are known to lie in [0, 1] (images) or are unbounded (latents). */
export type ValueRange = 'unit' | 'unbounded';
