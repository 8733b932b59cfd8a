import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AdamWOptimizer } from '../optimizers/adamw-optimizer';
import type { OptimizerConfig } from '../optimizer-config';
import { deriveSeed } from '../seed';
import type { NamedWeights } from '../tensor-types';
import { activationSchema } from './activation';
import { DenseBlock } from './dense-block';

/** Validates the classifier head config (hidden widths, activation). */
export const classifierHeadSchema = z
  .object({
    /** Hidden layer widths; `[]` is a linear (softmax regression) head. */
    hidden: z.array(z.number().int().positive()).default([]),
    activation: activationSchema.default('relu'),
    /**
     * Dropout rate on the head's input and hidden activations while training (0 = none). The head is the
     * only part that sees labels, and on conv latents it is what overfits.
     */
    dropout: z.number().min(0).lt(1).default(0),
  })
  .strict();

/** A validated classifier head config. */
export type ClassifierHeadConfig = z.infer<typeof classifierHeadSchema>;

/**
 * The only part of an LBP model that sees labels: reads the detached concatenation of all
 * latents and is trained by cross-entropy with its own optimizer.
 */
export class ClassifierHead {
  readonly inputUnits: number;
  readonly numClasses: number;
  readonly config: ClassifierHeadConfig;
  readonly optimizer: tf.Optimizer;
  private readonly blocks: DenseBlock[];

  constructor(options: {
    inputUnits: number;
    numClasses: number;
    config: ClassifierHeadConfig;
    optimizer: OptimizerConfig;
    seed: number;
    name?: string;
  }) {
    this.inputUnits = options.inputUnits;
    this.numClasses = options.numClasses;
    this.config = options.config;
    this.optimizer = AdamWOptimizer.fromOptimizerConfig(options.optimizer);
    const name = options.name ?? 'head';
    const widths = [...options.config.hidden, options.numClasses];
    let inUnits = options.inputUnits;
    this.blocks = widths.map((units, i) => {
      const last = i === widths.length - 1;
      const block = new DenseBlock({
        name: `${name}/dense-${i + 1}`,
        inputUnits: inUnits,
        units,
        activation: last ? 'linear' : options.config.activation,
        layerNorm: false,
        seed: deriveSeed(options.seed, 100 + i),
      });
      inUnits = units;
      return block;
    });
  }

  /** Class logits for a batch of features (inference). */
  logits(features: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.blocks.reduce<tf.Tensor>((h, b) => b.apply(h), features) as tf.Tensor2D);
  }

  /** The head as built-in layers with its current weights (logits out), for exports. */
  toLayers(features: tf.SymbolicTensor): tf.SymbolicTensor {
    return this.blocks.reduce((h, b) => b.toLayers(h), features);
  }

  /**
   * Mean softmax cross-entropy against integer labels. With `dropout` > 0 the logits come from a
   * dropped-out pass seeded by `options.seed` (the training step), so runs stay reproducible.
   */
  loss(features: tf.Tensor, labels: tf.Tensor1D, options: { seed?: number } = {}): tf.Scalar {
    return tf.tidy(() => {
      const onehot = tf.oneHot(tf.cast(labels, 'int32'), this.numClasses);
      const logits = this.config.dropout > 0 ? this.droppedOutLogits(features, options.seed ?? 0) : this.logits(features);
      return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    });
  }

  private droppedOutLogits(features: tf.Tensor, seed: number): tf.Tensor {
    const rate = this.config.dropout;
    return this.blocks.reduce<tf.Tensor>((h, b, i) => b.apply(tf.dropout(h, rate, undefined, deriveSeed(seed, i))), features);
  }

  /** The head's trainable variables, for its optimizer. */
  variables(): tf.Variable[] {
    return this.blocks.flatMap((b) => b.variables());
  }

  /** The head's weights, stably named (`head/dense-1/kernel`, …). */
  namedWeights(): NamedWeights {
    return this.blocks.flatMap((b) => b.namedWeights());
  }

  /** Frees the head's variables and optimizer state. */
  dispose(): void {
    for (const b of this.blocks) b.dispose();
    this.optimizer.dispose();
  }
}
