import { tf } from '@localbp/core';
import { z } from 'zod';

/** `sum-squares`: Hinton's goodness; `mean-squares`: the same divided by the unit count. */
export const goodnessMeasureSchema = z.enum(['sum-squares', 'mean-squares']);
/** `sum-squares` or `mean-squares`. */
export type GoodnessMeasure = z.infer<typeof goodnessMeasureSchema>;

/** Goodness of each example: sum (or mean) of squared activities over every non-batch axis. */
export function goodnessOf(activity: tf.Tensor, measure: GoodnessMeasure): tf.Tensor1D {
  return tf.tidy(() => {
    const axes = Array.from({ length: activity.rank - 1 }, (_, i) => i + 1);
    const squares = tf.square(activity);
    return (measure === 'sum-squares' ? tf.sum(squares, axes) : tf.mean(squares, axes)) as tf.Tensor1D;
  });
}

/**
 * The threshold θ of the logistic FF loss: the given value, else the layer's unit count for
 * `sum-squares` (Hinton's choice) and 2 for `mean-squares` (the PyTorch reproductions').
 */
export function thresholdFor(activity: tf.Tensor, measure: GoodnessMeasure, threshold: number | undefined): number {
  if (threshold !== undefined) return threshold;
  return measure === 'sum-squares' ? activity.size / activity.shape[0]! : 2;
}

/** +1 for the first `positives` rows, -1 for the rest: the sign of each example's target. */
export function positiveSigns(rows: number, positives: number): tf.Tensor1D {
  return tf.concat([tf.ones([positives]), tf.fill([rows - positives], -1)]) as tf.Tensor1D;
}

/** Mean goodness of the positive rows and of the negative rows. */
export function contrastiveSummary(goodness: tf.Tensor1D, positives: number): { positive: tf.Scalar; negative: tf.Scalar } {
  const rows = goodness.shape[0];
  return {
    positive: tf.tidy(() => tf.mean(tf.slice(goodness, 0, positives)) as tf.Scalar),
    negative: tf.tidy(() =>
      rows > positives ? (tf.mean(tf.slice(goodness, positives)) as tf.Scalar) : tf.scalar(Number.NaN),
    ),
  };
}
