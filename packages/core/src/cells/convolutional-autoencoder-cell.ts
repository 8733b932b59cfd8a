import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Cell, CellBuildOptions, CellSpec, LocalLossContext, LocalUpdate } from '../cell';
import { activationSchema, applyActivation, type ActivationName } from '../layers/activation';
import { Conv2dBlock, TransposedConv2dBlock } from '../layers/conv-block';
import { featureMapNormSchema, normalizeFeatureMap } from '../layers/feature-map-norm';
import { ownedVariable } from '../layers/owned-variable';
import { featureMapReadoutSchema, FeatureMapReadout } from '../layers/feature-map-readout';
import {
  isDenoisingObjective,
  isReconstructionObjective,
  type DenoisingObjective,
  type ReconstructionObjective,
} from '../objective';
import { AdamWOptimizer } from '../optimizers/adamw-optimizer';
import { deriveSeed } from '../seed';
import { firingRate } from '../unit-activity';
import type { NamedWeights, ValueRange } from '../tensor-types';
import { resolveAutoencoderObjective } from './autoencoder-cell';

/** Channels of cell k when neither `--width` nor the `channels` option says otherwise (the paper's 32/64/128). */
export const CAE_DEFAULT_CHANNELS: readonly number[] = [32, 64, 128];

export const convolutionalAutoencoderOptionsSchema = z
  .object({
    /** Output channels; overrides the model-wide width. Default: 32/64/128 by cell index (128 beyond). */
    channels: z.number().int().positive().optional(),
    kernelSize: z.number().int().positive().default(3),
    /** Spatial downsampling factor of the cell (2 = the paper's stride-2 design; 1 keeps the size). */
    stride: z.number().int().positive().default(2),
    /** How the cell downsamples: a strided convolution, or a stride-1 convolution then 2-D pooling. */
    downsample: z.enum(['stride', 'max-pool', 'avg-pool']).default('stride'),
    latentActivation: activationSchema.default('relu'),
    /** Normalization of the latent map: over h·w·c (`layer`), over channels (`channel`), or none. */
    normalization: featureMapNormSchema.default('layer'),
    normalizationPlacement: z.enum(['pre-activation', 'post-activation']).default('post-activation'),
    decoderActivation: z.enum(['auto', 'sigmoid', 'linear']).default('auto'),
    /** What the classifier reads from this cell's latent (see FeatureMapReadout). */
    readout: featureMapReadoutSchema.default(featureMapReadoutSchema.parse({})),
    /** Learning rate of this cell's optimizer; default: the model's cell optimizer's. */
    learningRate: z.number().positive().optional(),
  })
  .strict();

export type ConvolutionalAutoencoderOptions = z.infer<typeof convolutionalAutoencoderOptionsSchema>;

function outSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

/**
 * A convolutional autoencoder cell: one k×k convolution (stride or pooling downsampling) with a
 * normalized activation gives the latent map [h/s, w/s, channels]; one transposed convolution
 * reconstructs the cell's input exactly. The classifier reads the latent through its readout.
 */
export class ConvolutionalAutoencoderCell implements Cell {
  readonly id: string;
  readonly spec: CellSpec;
  readonly inputShape: readonly number[];
  readonly latentShape: readonly number[];
  readonly inputRange: ValueRange;
  readonly readoutSize: number;
  private readonly options: ConvolutionalAutoencoderOptions;
  private readonly objective: ReconstructionObjective | DenoisingObjective;
  private readonly conv: Conv2dBlock;
  private readonly deconv: TransposedConv2dBlock;
  private readonly gamma: tf.Variable | null;
  private readonly beta: tf.Variable | null;
  private readonly readoutLayer: FeatureMapReadout;
  private readonly outputActivation: ActivationName;
  private readonly optimizer: tf.Optimizer;
  private readonly seed: number;

  constructor(config: {
    id: string;
    inputShape: readonly number[];
    inputRange: ValueRange;
    channels: number;
    objective: ReconstructionObjective | DenoisingObjective;
    objectiveId: string;
    options: ConvolutionalAutoencoderOptions;
    seed: number;
    optimizer: tf.Optimizer;
  }) {
    const { id, options, objective } = config;
    if (config.inputShape.length !== 3) {
      throw new Error(
        `${id}: a convolutional cell needs an image-shaped input [height, width, channels], got [${config.inputShape.join(', ')}]; ` +
          'put conv cells before dense cells (a dense cell after a conv cell flattens its latent)',
      );
    }
    if (objective.requiresUnitRange && config.inputRange !== 'unit') {
      throw new Error(`${id}: objective "${objective.id}" needs inputs in [0, 1]; use "mse" for deeper cells`);
    }
    const [h, w, c] = config.inputShape as [number, number, number];
    this.id = id;
    this.inputShape = [h, w, c];
    this.inputRange = config.inputRange;
    this.options = options;
    this.objective = objective;
    this.optimizer = config.optimizer;
    this.seed = config.seed;
    this.latentShape = [outSize(h, options.stride), outSize(w, options.stride), config.channels];
    this.spec = {
      type: 'cae',
      width: config.channels,
      objective: config.objectiveId,
      options: { ...options, channels: config.channels, objectiveOptions: objective.options },
    };
    const pooled = options.downsample !== 'stride' && options.stride > 1;
    this.conv = new Conv2dBlock({
      name: `${id}/encoder`,
      inputChannels: c,
      filters: config.channels,
      kernelSize: options.kernelSize,
      stride: pooled ? 1 : options.stride,
      seed: deriveSeed(config.seed, 1),
    });
    this.deconv = new TransposedConv2dBlock({
      name: `${id}/decoder`,
      inputChannels: config.channels,
      filters: c,
      kernelSize: options.kernelSize,
      stride: options.stride,
      outputSize: [h, w],
      seed: deriveSeed(config.seed, 2),
    });
    const normed = options.normalization !== 'none';
    this.gamma = normed ? ownedVariable(tf.ones([config.channels])) : null;
    this.beta = normed ? ownedVariable(tf.zeros([config.channels])) : null;
    this.readoutLayer = new FeatureMapReadout(options.readout, this.latentShape as [number, number, number]);
    this.readoutSize = this.readoutLayer.size;
    this.outputActivation =
      options.decoderActivation === 'auto' ? (config.inputRange === 'unit' ? 'sigmoid' : 'linear') : options.decoderActivation;
    if (objective.requiresUnitRange && this.outputActivation !== 'sigmoid') {
      throw new Error(`${id}: objective "${objective.id}" needs a sigmoid decoder output`);
    }
  }

  private normalize(x: tf.Tensor): tf.Tensor {
    if (!this.gamma || !this.beta || this.options.normalization === 'none') return x;
    return normalizeFeatureMap(x, this.options.normalization, this.gamma, this.beta);
  }

  private downsample(x: tf.Tensor): tf.Tensor {
    const { downsample, stride } = this.options;
    if (downsample === 'stride' || stride === 1) return x;
    const pool = downsample === 'max-pool' ? tf.maxPool : tf.avgPool;
    return pool(x as tf.Tensor4D, stride, stride, 'same');
  }

  private latentOf(input: tf.Tensor): tf.Tensor {
    const activated = this.downsample(this.activated(input));
    return this.options.normalizationPlacement === 'pre-activation' ? activated : this.normalize(activated);
  }

  /** The conv's activation output, before a post-activation normalization and before pooling. */
  private activated(input: tf.Tensor): tf.Tensor {
    const h = this.conv.apply(input);
    const pre = this.options.normalizationPlacement === 'pre-activation';
    return applyActivation(pre ? this.normalize(h) : h, this.options.latentActivation);
  }

  /** Per channel, the fraction of positions and examples where the ReLU fires (before normalization); null without a ReLU. */
  unitActivity(input: tf.Tensor): tf.Tensor1D | null {
    if (this.options.latentActivation !== 'relu') return null;
    return tf.tidy(() => firingRate(this.activated(input)));
  }

  /** Differentiable (no detach): BP baselines back-propagate through it. */
  encode(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.latentOf(input));
  }

  private decode(latent: tf.Tensor): tf.Tensor {
    return applyActivation(this.deconv.apply(latent), this.outputActivation);
  }

  reconstruct(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.decode(this.latentOf(input)));
  }

  readout(latent: tf.Tensor): tf.Tensor2D {
    return this.readoutLayer.apply(latent);
  }

  updates(): readonly LocalUpdate[] {
    return [{ name: 'reconstruction', optimizer: this.optimizer, variables: () => this.variables(), loss: (x, ctx) => this.localLoss(x, ctx) }];
  }

  private localLoss(input: tf.Tensor, context: LocalLossContext): tf.Scalar {
    const objective = this.objective;
    if (isDenoisingObjective(objective)) {
      const noisy = objective.corrupt(input, deriveSeed(this.seed, 3, context.step));
      const recon = this.decode(this.latentOf(noisy));
      context.probe();
      return objective.loss(input, recon);
    }
    const latent = this.latentOf(input);
    context.emitLatent(latent);
    const recon = this.decode(latent);
    context.probe();
    return objective.loss(input, recon);
  }

  encoderWeights(): NamedWeights {
    const norm: NamedWeights =
      this.gamma && this.beta
        ? [
            { name: `${this.id}/encoder/norm/gamma`, tensor: this.gamma },
            { name: `${this.id}/encoder/norm/beta`, tensor: this.beta },
          ]
        : [];
    return [...this.conv.namedWeights(), ...norm];
  }

  private variables(): tf.Variable[] {
    return [...this.conv.variables(), ...(this.gamma && this.beta ? [this.gamma, this.beta] : []), ...this.deconv.variables()];
  }

  namedWeights(): NamedWeights {
    return [...this.encoderWeights(), ...this.deconv.namedWeights()];
  }

  dispose(): void {
    this.conv.dispose();
    this.deconv.dispose();
    this.gamma?.dispose();
    this.beta?.dispose();
    this.optimizer.dispose();
  }
}

export function createConvolutionalAutoencoderCell(build: CellBuildOptions): ConvolutionalAutoencoderCell {
  const { objectiveOptions: _ignored, ...rest } = build.options;
  const options = convolutionalAutoencoderOptionsSchema.parse(rest);
  const channels =
    options.channels ??
    (build.widthExplicit === false ? (CAE_DEFAULT_CHANNELS[build.index] ?? CAE_DEFAULT_CHANNELS.at(-1)!) : build.width);
  const optimizer = AdamWOptimizer.fromOptimizerConfig(
    options.learningRate !== undefined ? { ...build.optimizer, learningRate: options.learningRate } : build.optimizer,
  );
  return new ConvolutionalAutoencoderCell({
    id: build.id,
    inputShape: build.inputShape,
    inputRange: build.inputRange,
    channels,
    ...resolveAutoencoderObjective(
      build,
      'mse',
      (o): o is ReconstructionObjective | DenoisingObjective => isReconstructionObjective(o) || isDenoisingObjective(o),
    ),
    options,
    seed: build.seed,
    optimizer,
  });
}
