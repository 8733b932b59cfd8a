import type * as tf from '@tensorflow/tfjs';
import type { LocalLossContext } from './cell';
import type { Objective } from './objective';

/** What a goodness loss needs besides the activity: where negatives start, and the labels (CwComp). */
export interface GoodnessBatchInfo {
  /** Rows `[0, positives)` of the activity are positive data, the rest negative. */
  readonly positives: number;
  readonly labels: tf.Tensor1D;
  readonly numClasses: number;
}

/** The context a goodness-trained (Forward-Forward) cell's loss receives from its model. */
export interface GoodnessLossContext extends LocalLossContext, GoodnessBatchInfo {}

/** Whether a loss context carries the FF batch information (labels, positives, class count). */
export function isGoodnessLossContext(context: LocalLossContext): context is GoodnessLossContext {
  const c = context as Partial<GoodnessLossContext>;
  return typeof c.positives === 'number' && typeof c.numClasses === 'number' && c.labels != null;
}

/** One training batch an objective made from images: positives first, then negatives, in one tensor. */
export interface GoodnessTrainingInput {
  readonly input: tf.Tensor;
  readonly positives: number;
}

/** How an FF model builds a layer's positive, negative and neutral inputs. */
export interface GoodnessInputOptions {
  readonly seed: number;
  readonly numClasses: number;
  /**
   * Per-class scores of the current model for these images (per-label goodness); when given,
   * label-embedding objectives draw "hard" negative labels from them (the true class excluded).
   */
  readonly classScores?: tf.Tensor2D;
}

/**
 * A Forward-Forward style local objective: a layer's "goodness" of its activity is pushed up for
 * positive data and down for negative data (or, for channel-wise competition, up for the true
 * class's channel group). The objective also decides what positive and negative data are, since
 * that is what distinguishes FF, SymBa, hybrid-negative and self-contrastive FF.
 */
export interface GoodnessObjective extends Objective {
  readonly kind: 'goodness';
  /** The label is written into the input (Hinton's supervised FF): per-label inference is possible. */
  readonly embedsLabel: boolean;
  /** Layer kinds this objective can train. */
  readonly layers: 'dense' | 'conv' | 'any';
  /** Per-example shape the first layer sees for images of `imageShape` (SCFF doubles it). */
  inputShape(imageShape: readonly number[]): number[];
  /** Positive and negative data of a batch of images in [0, 1], as one tensor (one matmul per layer). */
  trainingInput(images: tf.Tensor, labels: tf.Tensor1D, options: GoodnessInputOptions): GoodnessTrainingInput;
  /** The pass whose activities feed a linear readout: neutral label (FF), concat(x, x) (SCFF), the image itself. */
  inferenceInput(images: tf.Tensor, numClasses: number): tf.Tensor;
  /** The images with `label` written in; only where `embedsLabel`. */
  labelledInput?(images: tf.Tensor, label: number, numClasses: number): tf.Tensor;
  /** Goodness of each example's activity: shape [batch]. */
  goodness(activity: tf.Tensor): tf.Tensor1D;
  /** Per-class goodness of one pass (CwComp's channel groups): shape [batch, numClasses]. */
  classGoodness?(activity: tf.Tensor, numClasses: number): tf.Tensor2D;
  /** Mean loss of one layer's activity. */
  loss(activity: tf.Tensor, batch: GoodnessBatchInfo): tf.Scalar;
  /** Mean goodness of positive and of negative data (for CwComp: true-class vs other groups), for dashboards. */
  goodnessSummary(activity: tf.Tensor, batch: GoodnessBatchInfo): { positive: tf.Scalar; negative: tf.Scalar };
}

/** Whether an objective is a goodness (Forward-Forward family) objective. */
export function isGoodnessObjective(o: Objective): o is GoodnessObjective {
  return o.kind === 'goodness';
}
