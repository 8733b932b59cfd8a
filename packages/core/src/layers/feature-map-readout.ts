import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { standardizeRows } from './feature-map-norm';

/**
 * What the classifier reads from a [h, w, c] latent map: the whole map flattened, a p×p
 * average- or max-pooled map, or one global average per channel; optionally each example's
 * features standardized (zero mean, unit variance), which keeps cells on a common scale.
 */
export const featureMapReadoutSchema = z
  .object({
    /** Ours: 2x2 max-pooled and standardized (the PyTorch reference of the plain design read the flattened map). */
    mode: z.enum(['flatten', 'avg-pool', 'max-pool', 'global-avg-pool']).default('max-pool'),
    poolSize: z.number().int().positive().default(2),
    normalize: z.boolean().default(true),
  })
  .strict();

export type FeatureMapReadoutConfig = z.infer<typeof featureMapReadoutSchema>;

/** Parameter-free: only reshapes, pools and standardizes. */
export class FeatureMapReadout {
  readonly size: number;

  constructor(
    private readonly config: FeatureMapReadoutConfig,
    latentShape: readonly [number, number, number],
  ) {
    const [h, w, c] = latentShape;
    const p = config.poolSize;
    this.size =
      config.mode === 'flatten' ? h * w * c : config.mode === 'global-avg-pool' ? c : Math.ceil(h / p) * Math.ceil(w / p) * c;
  }

  apply(latent: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const { mode, poolSize: p, normalize } = this.config;
      let map = latent as tf.Tensor4D;
      if (mode === 'avg-pool') map = tf.avgPool(map, p, p, 'same');
      else if (mode === 'max-pool') map = tf.maxPool(map, p, p, 'same');
      const flat: tf.Tensor2D =
        mode === 'global-avg-pool' ? tf.mean(map, [1, 2]) : tf.reshape(map, [map.shape[0], -1]);
      return normalize ? standardizeRows(flat) : flat;
    });
  }
}
