import * as tf from '@tensorflow/tfjs';

/**
 * A seeded batch of images in [0, 1] shaped [n, h, w, c]: enough to exercise a cell's
 * contract without loading a dataset.
 */
export function tinyImages(n: number, shape: readonly [number, number, number] = [8, 8, 1], seed = 1): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
}
