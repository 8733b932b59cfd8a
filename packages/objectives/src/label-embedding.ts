import { tf } from '@localbp/core';

/** Images as rows [batch, features]. */
export function flattenImages(images: tf.Tensor): tf.Tensor2D {
  return (images.rank === 2 ? images : tf.reshape(images, [images.shape[0]!, -1])) as tf.Tensor2D;
}

/**
 * Hinton's label embedding: the first `numClasses` input values are replaced by the label's
 * one-hot vector (scaled by `on`); the rest of the image is unchanged.
 */
export function embedLabels(images: tf.Tensor, labels: tf.Tensor1D, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = flattenImages(images);
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), numClasses).asType('float32');
    return tf.concat([onehot, tf.slice(flat, [0, numClasses], [-1, -1])], 1) as tf.Tensor2D;
  });
}

/** Every image with the same label written in. */
export function embedLabel(images: tf.Tensor, label: number, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = flattenImages(images);
    const onehot = tf.oneHot(tf.fill([flat.shape[0]], label, 'int32') as tf.Tensor1D, numClasses).asType('float32');
    return tf.concat([onehot, tf.slice(flat, [0, numClasses], [-1, -1])], 1) as tf.Tensor2D;
  });
}

/** The neutral label: 0.1 in every label slot (the pass a linear readout reads). */
export function embedNeutralLabel(images: tf.Tensor, numClasses: number, value = 0.1): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = flattenImages(images);
    return tf.concat([tf.fill([flat.shape[0], numClasses], value), tf.slice(flat, [0, numClasses], [-1, -1])], 1) as tf.Tensor2D;
  });
}

/**
 * A wrong label for every example, never the true one: uniformly among the other classes, or,
 * given the model's per-class scores, sampled in proportion to softmax(scores) over the other
 * classes ("hard" negatives).
 */
export function sampleWrongLabels(
  labels: tf.Tensor1D,
  numClasses: number,
  seed: number,
  classScores?: tf.Tensor2D,
): tf.Tensor1D {
  if (numClasses < 2) throw new Error(`negative labels need at least 2 classes, got ${numClasses}`);
  return tf.tidy(() => {
    const truth = tf.cast(labels, 'int32');
    if (!classScores) {
      // An offset in 1..C-1 added modulo C lands on every other class with equal probability.
      const offset = tf.randomUniform(truth.shape, 1, numClasses, 'int32', seed);
      return tf.cast(tf.mod(tf.add(truth, offset), numClasses), 'float32') as tf.Tensor1D;
    }
    const isTrue = tf.cast(tf.oneHot(truth, numClasses), 'bool');
    const logits = tf.where(isTrue, tf.fill(classScores.shape, -1e9), classScores) as tf.Tensor2D;
    // Subtract each row's max so softmax inside multinomial stays finite for large goodness values.
    const shifted = tf.sub(logits, tf.max(logits, 1, true)) as tf.Tensor2D;
    return tf.cast(tf.reshape(tf.multinomial(shifted, 1, seed), [-1]), 'float32') as tf.Tensor1D;
  });
}
