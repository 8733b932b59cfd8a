import { tf, type TrainableModel } from '@localbp/core';
import { batches, type LabeledSplit } from '@localbp/datasets';

/** Fraction of `split` the model classifies correctly, in chunks so memory stays bounded. */
export function evaluateAccuracy(model: Pick<TrainableModel, 'predictLogits'>, split: LabeledSplit, batchSize = 1000): number {
  let correct = 0;
  for (const batch of batches(split, { batchSize, shuffle: false, seed: 0, flatten: false })) {
    correct += tf.tidy(() => {
      const predicted = tf.argMax(model.predictLogits(batch.xs), 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.cast(batch.ys, 'int32')), 'int32')).dataSync()[0]!;
    });
    batch.xs.dispose();
    batch.ys.dispose();
  }
  return split.count === 0 ? Number.NaN : correct / split.count;
}
