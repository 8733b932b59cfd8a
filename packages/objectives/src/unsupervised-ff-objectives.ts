import { tf, type GoodnessInputOptions } from '@localbp/core';
import { z } from 'zod';
import { contrastiveObjective, logisticGoodnessLoss } from './contrastive-objective';
import { goodnessMeasureSchema } from './goodness';
import { flattenImages } from './label-embedding';
import { hybridImages, otherImages } from './mixing-negatives';

/** Validates the `hybrid` (unsupervised FF, hybrid negative images) objective's options. */
export const hybridOptionsSchema = z
  .object({
    goodness: goodnessMeasureSchema.default('sum-squares'),
    threshold: z.number().optional(),
    /** Blur passes of the random mask (ours: 10; Hinton says "repeatedly"). */
    blurSteps: z.number().int().min(0).default(10),
  })
  .strict();

/** Validates the `scff` (self-contrastive FF) objective's options. */
export const scffOptionsSchema = z
  .object({
    goodness: goodnessMeasureSchema.default('sum-squares'),
    threshold: z.number().optional(),
  })
  .strict();

function asImages(images: tf.Tensor): tf.Tensor4D {
  if (images.rank !== 4) throw new Error(`hybrid negatives need images [batch, height, width, channels], got rank ${images.rank}`);
  return images as tf.Tensor4D;
}

/** Unsupervised FF: positives are real images, negatives hybrids of two images under a blurred mask. */
export function createHybridObjective(raw: Readonly<Record<string, unknown>> = {}) {
  const options = hybridOptionsSchema.parse(raw);
  return contrastiveObjective({
    id: 'hybrid',
    options,
    embedsLabel: false,
    inputShape: (imageShape) => [imageShape.reduce((a, b) => a * b, 1)],
    trainingInput: (images: tf.Tensor, _labels: tf.Tensor1D, o: GoodnessInputOptions) => ({
      input: tf.tidy(() =>
        tf.concat([flattenImages(images), flattenImages(hybridImages(asImages(images), o.seed, options.blurSteps))], 0),
      ),
      positives: images.shape[0]!,
    }),
    inferenceInput: (images) => tf.tidy(() => flattenImages(images).clone()),
    measure: options.goodness,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    lossFromGoodness: logisticGoodnessLoss,
  });
}

/** Self-contrastive FF: positive concat(x, x), negative concat(x, x′) with x′ another image of the batch. */
export function createScffObjective(raw: Readonly<Record<string, unknown>> = {}) {
  const options = scffOptionsSchema.parse(raw);
  const doubled = (images: tf.Tensor) => tf.tidy(() => tf.concat([flattenImages(images), flattenImages(images)], 1));
  return contrastiveObjective({
    id: 'scff',
    options,
    embedsLabel: false,
    inputShape: (imageShape) => [2 * imageShape.reduce((a, b) => a * b, 1)],
    trainingInput: (images: tf.Tensor, _labels: tf.Tensor1D, o: GoodnessInputOptions) => ({
      input: tf.tidy(() => {
        const flat = flattenImages(images);
        const negatives = tf.concat([flat, flattenImages(otherImages(images, o.seed))], 1);
        return tf.concat([tf.concat([flat, flat], 1), negatives], 0);
      }),
      positives: images.shape[0]!,
    }),
    inferenceInput: (images) => doubled(images),
    measure: options.goodness,
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    lossFromGoodness: logisticGoodnessLoss,
  });
}
