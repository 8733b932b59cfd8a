import * as tf from '@tensorflow/tfjs';

/**
 * Forward-Forward's input normalization, per example over all non-batch axes: `rms` divides by
 * the root mean square (unit mean square, as the PyTorch reproductions), `length` by the L2 norm
 * (Hinton's wording). Either way the previous layer's goodness cannot leak into the next layer.
 */
export function rmsNormalize(x: tf.Tensor, mode: 'rms' | 'length' = 'rms', epsilon = 1e-8): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
    const squares = tf.sum(tf.square(x), axes, true);
    const scale = mode === 'rms' ? tf.div(squares, x.size / x.shape[0]!) : squares;
    return tf.div(x, tf.add(tf.sqrt(scale), epsilon));
  });
}
