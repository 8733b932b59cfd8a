import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Cell, CellBuildOptions, CellSpec, LocalLossContext, LocalUpdate } from '../cell';
import { activationSchema, type ActivationName } from '../layers/activation';
import { DenseBlock } from '../layers/dense-block';
import { isAdversarialObjective, type AdversarialObjective } from '../objective';
import { AdamWOptimizer } from '../optimizers/adamw-optimizer';
import { deriveSeed } from '../seed';
import type { NamedWeights, ValueRange } from '../tensor-types';

export const adversarialCellOptionsSchema = z
  .object({
    /** `gan`: discriminator vs noise generator; `ae-gan`: also a decoder from the latent that reconstructs and faces the discriminator. */
    variant: z.enum(['gan', 'ae-gan']).default('gan'),
    /** Noise dimensions of the generator (ours: 64). */
    noiseSize: z.number().int().positive().default(64),
    /** Hidden units of the generator's one hidden layer (ours: 256). */
    generatorHidden: z.number().int().positive().default(256),
    /** Activation of the discriminator features, i.e. the latent (ours: leaky ReLU 0.2, so no example's features all die). */
    latentActivation: activationSchema.default('leaky-relu'),
    /** Layer normalization on the latent, after the activation (as the other cells). */
    layerNorm: z.boolean().default(true),
    /** Generator/decoder output: `auto` is sigmoid for [0, 1] inputs (first cell) and linear otherwise. */
    outputActivation: z.enum(['auto', 'sigmoid', 'linear', 'tanh']).default('auto'),
    /** Learning rates of the two players; default: the model's cell optimizer's. */
    discriminatorLearningRate: z.number().positive().optional(),
    generatorLearningRate: z.number().positive().optional(),
    /** Adam's beta1 for both players (ours: 0.5, the DCGAN setting; 0.9 oscillates more). */
    beta1: z.number().min(0).lt(1).default(0.5),
    /** ae-gan: weight of the adversarial term in the decoder's loss, beside its MSE. */
    adversarialWeight: z.number().min(0).default(0.1),
  })
  .strict();

export type AdversarialCellOptions = z.infer<typeof adversarialCellOptionsSchema>;

/**
 * A GAN cell: the discriminator's penultimate features of the real input are the latent; a
 * generator maps noise to the cell's input space. Two local updates per batch (discriminator,
 * generator), plus a decoder update in the AE-GAN variant. Dense layers: a conv input is flattened.
 */
export class AdversarialCell implements Cell {
  readonly id: string;
  readonly spec: CellSpec;
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  readonly inputRange: ValueRange;
  /** Only the ae-gan variant has a decoder; callers detect it with `cell.reconstruct`. */
  readonly reconstruct?: (input: tf.Tensor) => tf.Tensor;
  private readonly options: AdversarialCellOptions;
  private readonly objective: AdversarialObjective;
  private readonly inputUnits: number;
  private readonly features: DenseBlock;
  private readonly critic: DenseBlock;
  private readonly generatorHidden: DenseBlock;
  private readonly generatorOut: DenseBlock;
  private readonly decoder: DenseBlock | null;
  private readonly discriminatorOptimizer: tf.Optimizer;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly decoderOptimizer: tf.Optimizer | null;
  private readonly seed: number;

  constructor(build: CellBuildOptions, options: AdversarialCellOptions, objective: AdversarialObjective, objectiveId: string) {
    const { id } = build;
    this.id = id;
    this.options = options;
    this.objective = objective;
    this.seed = build.seed;
    this.inputShape = [...build.inputShape];
    this.inputRange = build.inputRange;
    this.inputUnits = build.inputShape.reduce((a, b) => a * b, 1);
    this.latentShape = [build.width];
    this.spec = { type: 'gan', width: build.width, objective: objectiveId, options: { ...options, objectiveOptions: objective.options } };
    const out: ActivationName =
      options.outputActivation === 'auto' ? (build.inputRange === 'unit' ? 'sigmoid' : 'linear') : options.outputActivation;
    this.features = new DenseBlock({
      name: `${id}/encoder`,
      inputUnits: this.inputUnits,
      units: build.width,
      activation: options.latentActivation,
      layerNorm: options.layerNorm ? 'post-activation' : false,
      seed: deriveSeed(build.seed, 1),
    });
    this.critic = new DenseBlock({ name: `${id}/critic`, inputUnits: build.width, units: 1, activation: 'linear', layerNorm: false, seed: deriveSeed(build.seed, 2) });
    this.generatorHidden = new DenseBlock({
      name: `${id}/generator/hidden`,
      inputUnits: options.noiseSize,
      units: options.generatorHidden,
      activation: 'relu',
      layerNorm: false,
      seed: deriveSeed(build.seed, 3),
    });
    this.generatorOut = new DenseBlock({
      name: `${id}/generator/out`,
      inputUnits: options.generatorHidden,
      units: this.inputUnits,
      activation: out,
      layerNorm: false,
      seed: deriveSeed(build.seed, 4),
    });
    this.decoder =
      options.variant === 'ae-gan'
        ? new DenseBlock({ name: `${id}/decoder`, inputUnits: build.width, units: this.inputUnits, activation: out, layerNorm: false, seed: deriveSeed(build.seed, 5) })
        : null;
    if (this.decoder) {
      const decoder = this.decoder;
      this.reconstruct = (input) => tf.tidy(() => tf.reshape(decoder.apply(this.features.apply(this.flatten(input))), input.shape));
    }
    const player = (lr: number | undefined) =>
      AdamWOptimizer.fromOptimizerConfig({ ...build.optimizer, beta1: options.beta1, ...(lr !== undefined ? { learningRate: lr } : {}) });
    this.discriminatorOptimizer = player(options.discriminatorLearningRate);
    this.generatorOptimizer = player(options.generatorLearningRate);
    this.decoderOptimizer = this.decoder ? player(options.generatorLearningRate) : null;
  }

  private flatten(x: tf.Tensor): tf.Tensor {
    return x.rank === 2 ? x : tf.reshape(x, [-1, this.inputUnits]);
  }

  private sample(count: number, seed: number): tf.Tensor {
    return this.generatorOut.apply(this.generatorHidden.apply(tf.randomNormal([count, this.options.noiseSize], 0, 1, 'float32', seed)));
  }

  private logits(flat: tf.Tensor): tf.Tensor {
    return this.critic.apply(this.features.apply(flat));
  }

  /** The discriminator's features of the (real) input; differentiable. */
  encode(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.features.apply(this.flatten(input)));
  }

  generate(count: number, seed: number): tf.Tensor {
    return tf.tidy(() => tf.reshape(this.sample(count, seed), [count, ...this.inputShape]));
  }

  updates(): readonly LocalUpdate[] {
    const updates: LocalUpdate[] = [
      {
        name: 'discriminator',
        optimizer: this.discriminatorOptimizer,
        variables: () => [...this.features.variables(), ...this.critic.variables()],
        loss: (input, ctx) => this.discriminatorLoss(input, ctx),
      },
      {
        name: 'generator',
        optimizer: this.generatorOptimizer,
        variables: () => [...this.generatorHidden.variables(), ...this.generatorOut.variables()],
        loss: (input, ctx) => {
          const fake = this.sample(input.shape[0]!, deriveSeed(this.seed, 7, ctx.step));
          const loss = this.objective.generatorLoss(this.logits(fake));
          ctx.probe();
          return loss;
        },
      },
    ];
    if (this.decoder && this.decoderOptimizer) {
      const decoder = this.decoder;
      updates.push({
        name: 'decoder',
        optimizer: this.decoderOptimizer,
        variables: () => decoder.variables(),
        loss: (input, ctx) => {
          const flat = this.flatten(input);
          const recon = decoder.apply(this.features.apply(flat));
          ctx.probe();
          const mse = tf.mean(tf.squaredDifference(flat, recon));
          return tf.add(mse, tf.mul(this.objective.generatorLoss(this.logits(recon)), this.options.adversarialWeight)) as tf.Scalar;
        },
      });
    }
    return updates;
  }

  private discriminatorLoss(input: tf.Tensor, ctx: LocalLossContext): tf.Scalar {
    const flat = this.flatten(input);
    const latent = this.features.apply(flat);
    ctx.emitLatent(latent);
    const real = this.critic.apply(latent);
    const n = input.shape[0]!;
    let fake = this.sample(n, deriveSeed(this.seed, 6, ctx.step));
    // AE-GAN: the decoder's reconstructions are fakes too.
    if (this.decoder) fake = tf.concat([fake, this.decoder.apply(latent)], 0);
    const loss = this.objective.discriminatorLoss(real, this.logits(fake));
    ctx.probe();
    return loss;
  }

  encoderWeights(): NamedWeights {
    return this.features.namedWeights();
  }

  namedWeights(): NamedWeights {
    return [
      ...this.features.namedWeights(),
      ...this.critic.namedWeights(),
      ...this.generatorHidden.namedWeights(),
      ...this.generatorOut.namedWeights(),
      ...(this.decoder ? this.decoder.namedWeights() : []),
    ];
  }

  dispose(): void {
    for (const b of [this.features, this.critic, this.generatorHidden, this.generatorOut, this.decoder]) b?.dispose();
    this.discriminatorOptimizer.dispose();
    this.generatorOptimizer.dispose();
    this.decoderOptimizer?.dispose();
  }
}

export function createAdversarialCell(build: CellBuildOptions): AdversarialCell {
  const { objectiveOptions, ...rest } = build.options;
  const options = adversarialCellOptionsSchema.parse(rest);
  const id = build.objective ?? 'adversarial';
  const objective = build.registry.get('objective', id)((objectiveOptions ?? {}) as Record<string, unknown>);
  if (!isAdversarialObjective(objective)) {
    throw new Error(`${build.id}: objective "${id}" (${objective.kind}) cannot train a GAN cell; use "adversarial"`);
  }
  return new AdversarialCell(build, options, objective, id);
}
