import { tf, type DenoisingObjective } from '@localbp/core';
import { z } from 'zod';
import { binaryCrossEntropy } from './reconstruction-objectives';

/** Validates the `denoising` objective's options (noise kind, level, loss), filling defaults. */
export const denoisingOptionsSchema = z
  .object({
    /** `gaussian`: x + N(0, level²); `masking`: each value zeroed with probability `level`. */
    noise: z.enum(['gaussian', 'masking']).default('gaussian'),
    /** Gaussian sigma or masking probability. Default 0.1 (ours, recorded with each run). */
    level: z.number().min(0).max(10).default(0.1),
    loss: z.enum(['mse', 'bce']).default('mse'),
  })
  .strict()
  .refine((o) => o.noise !== 'masking' || o.level < 1, { message: 'masking probability must be below 1', path: ['level'] });

/** Validated options of the `denoising` objective. */
export type DenoisingOptions = z.infer<typeof denoisingOptionsSchema>;

/** Corrupts a clean batch with seeded Gaussian or masking noise. */
export function corrupt(clean: tf.Tensor, options: DenoisingOptions, seed: number): tf.Tensor {
  return tf.tidy(() => {
    if (options.level === 0) return clean.clone();
    if (options.noise === 'gaussian') return tf.add(clean, tf.randomNormal(clean.shape, 0, options.level, 'float32', seed));
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(clean.shape, 0, 1, 'float32', seed), options.level), 'float32');
    return tf.mul(clean, keep);
  });
}

/** Reconstruct the clean input from a corrupted copy (denoising autoencoder). */
export function createDenoisingObjective(raw: Readonly<Record<string, unknown>> = {}): DenoisingObjective {
  const options = denoisingOptionsSchema.parse(raw);
  return {
    id: 'denoising',
    kind: 'denoising',
    options,
    requiresUnitRange: options.loss === 'bce',
    corrupt: (clean, seed) => corrupt(clean, options, seed),
    loss: (target, prediction) =>
      options.loss === 'bce'
        ? binaryCrossEntropy(target, prediction)
        : tf.tidy(() => tf.mean(tf.squaredDifference(target, prediction)) as tf.Scalar),
  };
}
