import { tf, type GoodnessBatchInfo, type GoodnessObjective } from '@localbp/core';
import { contrastiveSummary, goodnessOf, positiveSigns, thresholdFor, type GoodnessMeasure } from './goodness';

/** Hinton's per-layer loss: softplus(θ − G) for positive rows, softplus(G − θ) for negative rows, averaged. */
export function logisticGoodnessLoss(goodness: tf.Tensor1D, positives: number, threshold: number): tf.Scalar {
  return tf.tidy(() => {
    const signs = positiveSigns(goodness.shape[0], positives);
    return tf.mean(tf.softplus(tf.mul(signs, tf.sub(threshold, goodness)))) as tf.Scalar;
  });
}

/** SymBa: softplus(−α (G⁺ − G⁻)) over pairs (row i positive, row positives + i its negative). */
export function symbaLoss(goodness: tf.Tensor1D, positives: number, alpha: number): tf.Scalar {
  if (goodness.shape[0] !== 2 * positives) {
    throw new Error(`SymBa pairs each positive with one negative: got ${positives} positives of ${goodness.shape[0]} rows`);
  }
  return tf.tidy(() => {
    const pos = tf.slice(goodness, 0, positives);
    const neg = tf.slice(goodness, positives);
    return tf.mean(tf.softplus(tf.mul(-alpha, tf.sub(pos, neg)))) as tf.Scalar;
  });
}

/** What distinguishes one positive-vs-negative goodness objective from another. */
export type ContrastiveParts = Pick<
  GoodnessObjective,
  'id' | 'options' | 'embedsLabel' | 'inputShape' | 'trainingInput' | 'inferenceInput' | 'labelledInput'
> & {
  measure: GoodnessMeasure;
  /** Mean loss from each row's goodness; `threshold` is already resolved. */
  lossFromGoodness(goodness: tf.Tensor1D, positives: number, threshold: number): tf.Scalar;
  threshold?: number;
};

/** A dense goodness objective whose rows are positive then negative data. */
export function contrastiveObjective(parts: ContrastiveParts): GoodnessObjective {
  const { measure, lossFromGoodness, threshold, ...rest } = parts;
  const goodness = (activity: tf.Tensor) => goodnessOf(activity, measure);
  return {
    ...rest,
    kind: 'goodness',
    layers: 'dense',
    goodness,
    loss: (activity: tf.Tensor, batch: GoodnessBatchInfo) =>
      tf.tidy(() => lossFromGoodness(goodness(activity), batch.positives, thresholdFor(activity, measure, threshold))),
    goodnessSummary: (activity: tf.Tensor, batch: GoodnessBatchInfo) => {
      const g = goodness(activity);
      try {
        return contrastiveSummary(g, batch.positives);
      } finally {
        g.dispose();
      }
    },
  };
}
