import { tf, type ReconstructionObjective } from '@localbp/core';
import { z } from 'zod';

const noOptions = z.object({}).strict();

/** Mean squared error over every element, as PyTorch's `MSELoss()`. */
export function createMseObjective(options: Readonly<Record<string, unknown>> = {}): ReconstructionObjective {
  noOptions.parse(options);
  return {
    id: 'mse',
    kind: 'reconstruction',
    options: {},
    requiresUnitRange: false,
    loss: (target, prediction) => tf.tidy(() => tf.mean(tf.squaredDifference(target, prediction)) as tf.Scalar),
  };
}

/** Binary cross-entropy for targets and predictions in [0, 1]; clipped so log never sees 0. */
export function createBceObjective(options: Readonly<Record<string, unknown>> = {}): ReconstructionObjective {
  noOptions.parse(options);
  return {
    id: 'bce',
    kind: 'reconstruction',
    options: {},
    requiresUnitRange: true,
    loss: (target, prediction) => binaryCrossEntropy(target, prediction),
  };
}

/** Mean binary cross-entropy of predictions in [0, 1], clipped away from 0 and 1. */
export function binaryCrossEntropy(target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const eps = 1e-7;
    const p = tf.clipByValue(prediction, eps, 1 - eps);
    const ll = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}
