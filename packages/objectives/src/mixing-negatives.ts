import { tf } from '@localbp/core';

/** Each row paired with another image of the batch (a seeded rotation, never itself when n > 1). */
export function otherImages(images: tf.Tensor, seed: number): tf.Tensor {
  const n = images.shape[0]!;
  if (n < 2) return images.clone();
  const shift = 1 + (seed % (n - 1));
  return tf.tidy(() => tf.gather(images, tf.tensor1d(Array.from({ length: n }, (_, i) => (i + shift) % n), 'int32')));
}

/**
 * Hinton's mask for hybrid images: a random bit image blurred `steps` times with [1/4, 1/2, 1/4]
 * horizontally and vertically, then thresholded at 0.5: large coherent regions. Shape [n, h, w, 1].
 */
export function blurredMask(n: number, height: number, width: number, seed: number, steps: number): tf.Tensor4D {
  return tf.tidy(() => {
    let mask = tf.cast(tf.less(tf.randomUniform([n, height, width, 1], 0, 1, 'float32', seed), 0.5), 'float32') as tf.Tensor4D;
    const horizontal = tf.tensor4d([0.25, 0.5, 0.25], [1, 3, 1, 1]);
    const vertical = tf.tensor4d([0.25, 0.5, 0.25], [3, 1, 1, 1]);
    for (let i = 0; i < steps; i++) mask = tf.conv2d(tf.conv2d(mask, horizontal, 1, 'same'), vertical, 1, 'same');
    return tf.cast(tf.greater(mask, 0.5), 'float32') as tf.Tensor4D;
  });
}

/** Negative data for unsupervised FF: two different images of the batch mixed by a blurred mask. */
export function hybridImages(images: tf.Tensor4D, seed: number, steps: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = images.shape;
    const mask = blurredMask(n, h, w, seed, steps);
    const other = otherImages(images, seed);
    return tf.add(tf.mul(images, mask), tf.mul(other, tf.sub(1, mask))) as tf.Tensor4D;
  });
}
