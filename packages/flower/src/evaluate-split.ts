import { tf, type TrainableModel } from '@localbp/core';
import { batches, type LabeledSplit } from '@localbp/datasets';

/** Mean softmax cross-entropy and accuracy of the model's classifier on `split` (what `evaluate` reports). */
export function evaluateSplit(model: Pick<TrainableModel, 'predictLogits'>, split: LabeledSplit, batchSize = 1000): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  for (const batch of batches(split, { batchSize, shuffle: false, seed: 0, flatten: false })) {
    const [l, c] = tf.tidy(() => {
      const logits = model.predictLogits(batch.xs);
      const labels = tf.cast(batch.ys, 'int32');
      const onehot = tf.oneHot(labels, logits.shape[1]);
      const loss = tf.sum(tf.losses.softmaxCrossEntropy(onehot, logits, undefined, tf.Reduction.NONE));
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
      return [loss.dataSync()[0]!, hits.dataSync()[0]!];
    });
    lossSum += l;
    correct += c;
    batch.xs.dispose();
    batch.ys.dispose();
  }
  return split.count === 0 ? { loss: Number.NaN, accuracy: Number.NaN } : { loss: lossSum / split.count, accuracy: correct / split.count };
}
