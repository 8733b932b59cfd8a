import { tf, type GoodnessInputOptions } from '@localbp/core';
import { z } from 'zod';
import { contrastiveObjective, logisticGoodnessLoss, symbaLoss } from './contrastive-objective';
import { goodnessMeasureSchema } from './goodness';
import { embedLabel, embedLabels, embedNeutralLabel, sampleWrongLabels } from './label-embedding';

/** Validates the `ff` objective's options: goodness measure and threshold θ. */
export const ffOptionsSchema = z
  .object({
    goodness: goodnessMeasureSchema.default('sum-squares'),
    /** θ; default: the layer width for `sum-squares`, 2 for `mean-squares`. */
    threshold: z.number().optional(),
  })
  .strict();

/** Validates the `symba` objective's options: goodness measure and α. */
export const symbaOptionsSchema = z
  .object({
    goodness: goodnessMeasureSchema.default('sum-squares'),
    /** Scale of the goodness gap (SymBa's α = 4). */
    alpha: z.number().positive().default(4),
  })
  .strict();

/** Positives carry the true label, negatives a wrong one (uniform or "hard"), stacked into one batch. */
function labelledPair(images: tf.Tensor, labels: tf.Tensor1D, options: GoodnessInputOptions): { input: tf.Tensor; positives: number } {
  const input = tf.tidy(() => {
    const wrong = sampleWrongLabels(labels, options.numClasses, options.seed, options.classScores);
    return tf.concat([embedLabels(images, labels, options.numClasses), embedLabels(images, wrong, options.numClasses)], 0);
  });
  return { input, positives: images.shape[0]! };
}

const flatShape = (imageShape: readonly number[]) => [imageShape.reduce((a, b) => a * b, 1)];

const labelEmbedding = {
  embedsLabel: true,
  inputShape: flatShape,
  trainingInput: labelledPair,
  inferenceInput: (images: tf.Tensor, numClasses: number) => embedNeutralLabel(images, numClasses),
  labelledInput: (images: tf.Tensor, label: number, numClasses: number) => embedLabel(images, label, numClasses),
};

/** Hinton's Forward-Forward: logistic loss on goodness against θ, label written into the image. */
export function createFfObjective(raw: Readonly<Record<string, unknown>> = {}) {
  const options = ffOptionsSchema.parse(raw);
  return contrastiveObjective({
    id: 'ff',
    options,
    ...labelEmbedding,
    measure: options.goodness,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    lossFromGoodness: logisticGoodnessLoss,
  });
}

/** SymBa: the same data, a symmetric loss on the goodness gap of each positive/negative pair. */
export function createSymbaObjective(raw: Readonly<Record<string, unknown>> = {}) {
  const options = symbaOptionsSchema.parse(raw);
  return contrastiveObjective({
    id: 'symba',
    options,
    ...labelEmbedding,
    measure: options.goodness,
    lossFromGoodness: (goodness, positives) => symbaLoss(goodness, positives, options.alpha),
  });
}
