import { tf, type GoodnessBatchInfo, type GoodnessObjective } from '@localbp/core';
import { z } from 'zod';
import { goodnessOf } from './goodness';

/** Validates the `cwcomp` (channel-wise competitive) objective's options. */
export const cwcompOptionsSchema = z
  .object({
    /** Divides group goodness before the softmax; 1 is CwComp's plain cross-entropy. */
    temperature: z.number().positive().default(1),
  })
  .strict();

/**
 * Mean squared activity of each class's channel group: channels split into `numClasses`
 * contiguous groups; shape [batch, numClasses].
 */
export function channelGroupGoodness(activity: tf.Tensor, numClasses: number): tf.Tensor2D {
  const channels = activity.shape[activity.rank - 1]!;
  if (channels % numClasses !== 0) {
    throw new Error(`channel-wise competition needs channels divisible by ${numClasses} classes, got ${channels}`);
  }
  return tf.tidy(() => {
    const n = activity.shape[0]!;
    const grouped = tf.reshape(activity, [n, -1, numClasses, channels / numClasses]);
    return tf.mean(tf.square(grouped), [1, 3]) as tf.Tensor2D;
  });
}

/**
 * Channel-wise competitive learning (CwComp): every conv layer's channels are split into one
 * group per class; cross-entropy over the groups' goodness makes the true class's group win.
 * No negative data.
 */
export function createCwcompObjective(raw: Readonly<Record<string, unknown>> = {}): GoodnessObjective {
  const options = cwcompOptionsSchema.parse(raw);
  const classGoodness = (activity: tf.Tensor, numClasses: number) => channelGroupGoodness(activity, numClasses);
  return {
    id: 'cwcomp',
    kind: 'goodness',
    options,
    embedsLabel: false,
    layers: 'conv',
    inputShape: (imageShape) => [...imageShape],
    trainingInput: (images) => ({ input: images.clone(), positives: images.shape[0]! }),
    inferenceInput: (images) => images.clone(),
    goodness: (activity) => goodnessOf(activity, 'mean-squares'),
    classGoodness,
    loss: (activity: tf.Tensor, batch: GoodnessBatchInfo) =>
      tf.tidy(() => {
        const logits = tf.div(classGoodness(activity, batch.numClasses), options.temperature);
        const onehot = tf.oneHot(tf.cast(batch.labels, 'int32'), batch.numClasses);
        return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
      }),
    goodnessSummary: (activity: tf.Tensor, batch: GoodnessBatchInfo) => {
      const [positive, negative] = tf.tidy(() => {
        const groups = classGoodness(activity, batch.numClasses);
        const onehot = tf.oneHot(tf.cast(batch.labels, 'int32'), batch.numClasses).asType('float32');
        const n = groups.shape[0];
        const own = tf.div(tf.sum(tf.mul(groups, onehot)), n);
        const others = tf.div(tf.sum(tf.mul(groups, tf.sub(1, onehot))), n * (batch.numClasses - 1));
        return [own as tf.Scalar, others as tf.Scalar];
      });
      return { positive, negative };
    },
  };
}
