import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Cell, CellBuildOptions, CellSpec, LocalLossContext, LocalUpdate } from '../cell';
import { isGoodnessLossContext, isGoodnessObjective, type GoodnessObjective } from '../goodness-objective';
import { rmsNormalize } from '../layers/rms-normalize';
import { AdamWOptimizer } from '../optimizers/adamw-optimizer';
import type { NamedWeights, ValueRange } from '../tensor-types';

/** Validates the options shared by the goodness (FF) cells. */
export const goodnessCellOptionsSchema = z
  .object({
    /** How each layer's input is normalized: root mean square (PyTorch reproductions) or L2 length (Hinton). */
    normalization: z.enum(['rms', 'length']).default('rms'),
    /** Peer normalization strength; 0 turns it off (Hinton's value: 0.03). */
    peerNormalization: z.number().min(0).default(0.03),
    /** Momentum of the running mean activity peer normalization pulls together. */
    peerMomentum: z.number().min(0).lt(1).default(0.9),
    /** `straight-through` passes gradients through the ReLU everywhere, as the PyTorch reproduction does. */
    reluGradient: z.enum(['relu', 'straight-through']).default('relu'),
  })
  .strict();

/** Validated options of the goodness cells. */
export type GoodnessCellOptions = z.infer<typeof goodnessCellOptionsSchema>;

/** ReLU whose gradient is the identity: keeps units that went silent trainable. */
const straightThroughRelu = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.relu(x),
  gradFunc: (dy: tf.Tensor) => dy,
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** What a goodness cell is built from. */
export interface GoodnessCellConfig {
  id: string;
  type: string;
  inputShape: readonly number[];
  inputRange: ValueRange;
  width: number;
  objective: GoodnessObjective;
  objectiveId: string;
  options: GoodnessCellOptions;
  /** Options the concrete layer validated (kernel size, stride), recorded in the spec. */
  layerOptions: Readonly<Record<string, unknown>>;
  seed: number;
  optimizer: tf.Optimizer;
}

/**
 * A Forward-Forward layer: normalize the input, one linear map, ReLU; trained only by its
 * goodness objective (plus optional peer normalization). The activity is the latent; the next
 * layer normalizes it again, so only its direction passes on.
 */
export abstract class GoodnessCell implements Cell {
  readonly id: string;
  readonly spec: CellSpec;
  readonly inputShape: readonly number[];
  abstract readonly latentShape: readonly number[];
  readonly inputRange: ValueRange;
  readonly objective: GoodnessObjective;
  readonly options: GoodnessCellOptions;
  protected readonly optimizer: tf.Optimizer;
  private runningMean: tf.Variable | null = null;

  constructor(config: GoodnessCellConfig) {
    this.id = config.id;
    this.inputShape = [...config.inputShape];
    this.inputRange = config.inputRange;
    this.objective = config.objective;
    this.options = config.options;
    this.optimizer = config.optimizer;
    this.spec = {
      type: config.type,
      width: config.width,
      objective: config.objectiveId,
      options: { ...config.options, ...config.layerOptions, objectiveOptions: config.objective.options },
    };
  }

  /** The layer's linear map (dense or convolution) of an already normalized input. */
  protected abstract linear(normalized: tf.Tensor): tf.Tensor;
  protected abstract trainableVariables(): tf.Variable[];
  protected abstract trainableWeights(): NamedWeights;
  protected abstract disposeWeights(): void;

  /** Running mean of each unit's (channel's) activity on positive data; created on first use. */
  protected peerState(): tf.Variable {
    if (!this.runningMean) {
      const units = this.latentShape[this.latentShape.length - 1]!;
      this.runningMean = tf.variable(tf.zeros([units]), false);
    }
    return this.runningMean;
  }

  encode(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const pre = this.linear(rmsNormalize(input, this.options.normalization));
      return this.options.reluGradient === 'straight-through' ? straightThroughRelu(pre) : tf.relu(pre);
    });
  }

  updates(): readonly LocalUpdate[] {
    return [
      {
        name: 'goodness',
        optimizer: this.optimizer,
        variables: () => this.trainableVariables(),
        loss: (input, context) => this.localLoss(input, context),
      },
    ];
  }

  private localLoss(input: tf.Tensor, context: LocalLossContext): tf.Scalar {
    if (!isGoodnessLossContext(context)) {
      throw new Error(`${this.id}: a goodness cell trains only inside a Forward-Forward model (positives and labels missing)`);
    }
    const activity = this.encode(input);
    context.emitLatent(activity);
    context.probe();
    const loss = this.objective.loss(activity, context);
    if (this.options.peerNormalization === 0) return loss;
    return tf.add(loss, tf.mul(this.peerNormalizationLoss(activity, context.positives), this.options.peerNormalization));
  }

  /**
   * Hinton's peer normalization: a running mean of each unit's activity on positive data, and a
   * penalty on its spread, so no unit stays always on or always off. The running mean is updated
   * here (its old value carries no gradient), as in the PyTorch reproduction.
   */
  peerNormalizationLoss(activity: tf.Tensor, positives: number): tf.Scalar {
    const state = this.peerState();
    return tf.tidy(() => {
      const pos = tf.slice(activity, 0, positives);
      const axes = Array.from({ length: pos.rank - 1 }, (_, i) => i);
      const batchMean = tf.mean(pos, axes);
      const m = this.options.peerMomentum;
      const updated = tf.add(tf.mul(tf.clone(state), m), tf.mul(batchMean, 1 - m));
      state.assign(updated);
      return tf.mean(tf.square(tf.sub(updated, tf.mean(updated)))) as tf.Scalar;
    });
  }

  namedWeights(): NamedWeights {
    const weights = this.trainableWeights();
    // The running mean is state, not a weight, but a resumed run must continue from it.
    if (this.options.peerNormalization > 0) weights.push({ name: `${this.id}/peer-norm/running-mean`, tensor: this.peerState() });
    return weights;
  }

  dispose(): void {
    this.disposeWeights();
    this.runningMean?.dispose();
    this.optimizer.dispose();
  }
}

/** Resolves a goodness cell's objective (default `ff`) and options through the registry. */
export function goodnessCellConfig(
  build: CellBuildOptions,
  type: string,
  layer: 'dense' | 'conv',
  layerOptions: Readonly<Record<string, unknown>>,
  rest: Readonly<Record<string, unknown>>,
): GoodnessCellConfig {
  const objectiveId = build.objective ?? 'ff';
  const objective = build.registry.get('objective', objectiveId)((build.options.objectiveOptions ?? {}) as Record<string, unknown>);
  if (!isGoodnessObjective(objective)) {
    throw new Error(`${build.id}: objective "${objectiveId}" (${objective.kind}) is not a goodness objective; a ${type} cell needs one`);
  }
  if (objective.layers !== 'any' && objective.layers !== layer) {
    throw new Error(`${build.id}: objective "${objectiveId}" trains ${objective.layers} layers, not ${layer} ones`);
  }
  return {
    id: build.id,
    type,
    inputShape: build.inputShape,
    inputRange: build.inputRange,
    width: build.width,
    objective,
    objectiveId,
    options: goodnessCellOptionsSchema.parse(rest),
    layerOptions,
    seed: build.seed,
    optimizer: AdamWOptimizer.fromOptimizerConfig(build.optimizer),
  };
}
