import * as tf from '@tensorflow/tfjs';

/** Epsilon of every layer normalization here (PyTorch's default), also used by exported layers. */
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * Layer normalization over the last axis from primitive ops: tf.layers' version is ~10x slower
 * on wasm (16.8 ms vs 1.5 ms for 128x1000 here).
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon = LAYER_NORM_EPSILON): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
  });
}
