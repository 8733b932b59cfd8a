import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/**
 * Normalization of a [n, h, w, c] feature map: `layer` standardizes each example over all of
 * h·w·c (PyTorch's LayerNorm([C, H, W])), `channel` over c at every position, `none` skips it.
 * The affine gamma/beta are per channel in both cases.
 */
export const featureMapNormSchema = z.enum(['layer', 'channel', 'none']);
export type FeatureMapNorm = z.infer<typeof featureMapNormSchema>;

export function normalizeFeatureMap(
  x: tf.Tensor,
  mode: Exclude<FeatureMapNorm, 'none'>,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    const axes = mode === 'layer' ? [1, 2, 3] : [3];
    const mean = tf.mean(x, axes, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), axes, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
  });
}

/** Parameter-free standardization of each row of a [n, d] matrix: what a `normalized` readout does. */
export function standardizeRows(x: tf.Tensor2D, epsilon = 1e-5): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = tf.mean(x, 1, true);
    const centered = tf.sub(x, mean);
    return tf.mul(centered, tf.rsqrt(tf.add(tf.mean(tf.square(centered), 1, true), epsilon))) as tf.Tensor2D;
  });
}
