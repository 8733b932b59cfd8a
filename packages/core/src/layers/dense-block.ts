import * as tf from '@tensorflow/tfjs';
import type { NamedWeights } from '../tensor-types';
import { applyActivation, layersActivation, type ActivationName } from './activation';
import { LAYER_NORM_EPSILON, layerNorm } from './layer-norm';
import { ownedVariable } from './owned-variable';
import { firingRate } from '../unit-activity';

/** How to build a `DenseBlock`. */
export interface DenseBlockOptions {
  /** Stable name used in checkpoints and federation updates, e.g. `cell-1/encoder`. */
  name: string;
  inputUnits: number;
  units: number;
  activation: ActivationName;
  /** Layer normalization before the activation (`true` or `pre-activation`), after it, or none. */
  layerNorm: boolean | 'pre-activation' | 'post-activation';
  seed: number;
}

/**
 * The MLP building block of every dense cell and head: dense → (layer norm) → activation.
 * Plain variables rather than tf.layers: names stay stable across processes (checkpoints,
 * federation) and the eager path has no layer bookkeeping.
 */
export class DenseBlock {
  readonly name: string;
  readonly inputUnits: number;
  readonly units: number;
  readonly activation: ActivationName;
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly gamma: tf.Variable | null;
  private readonly beta: tf.Variable | null;
  private readonly normAfterActivation: boolean;

  constructor(options: DenseBlockOptions) {
    this.name = options.name;
    this.inputUnits = options.inputUnits;
    this.units = options.units;
    this.activation = options.activation;
    // Glorot-uniform kernel, zero bias: tfjs' dense defaults, seeded.
    const limit = Math.sqrt(6 / (options.inputUnits + options.units));
    this.kernel = ownedVariable(tf.randomUniform([options.inputUnits, options.units], -limit, limit, 'float32', options.seed));
    this.bias = ownedVariable(tf.zeros([options.units]));
    this.normAfterActivation = options.layerNorm === 'post-activation';
    this.gamma = options.layerNorm ? ownedVariable(tf.ones([options.units])) : null;
    this.beta = options.layerNorm ? ownedVariable(tf.zeros([options.units])) : null;
  }

  /** dense → (layer norm) → activation over a batch [n, inputUnits]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const activated = this.activated(x);
      return this.normAfterActivation && this.gamma && this.beta ? layerNorm(activated, this.gamma, this.beta) : activated;
    });
  }

  /** The activation's output, before a post-activation layer norm (the block's output otherwise). */
  private activated(x: tf.Tensor): tf.Tensor {
    const h: tf.Tensor = tf.add(tf.matMul(x as tf.Tensor2D, this.kernel as tf.Tensor2D), this.bias);
    if (!this.gamma || !this.beta || this.normAfterActivation) return applyActivation(h, this.activation);
    return applyActivation(layerNorm(h, this.gamma, this.beta), this.activation);
  }

  /** Per unit, the fraction of the batch on which the ReLU fires, before normalization; null without a ReLU. */
  firingRate(x: tf.Tensor): tf.Tensor1D | null {
    if (this.activation !== 'relu') return null;
    return tf.tidy(() => firingRate(this.activated(x)));
  }

  /**
   * The same computation as built-in layers (dense, layerNormalization, activation) initialized with this
   * block's current weights, applied to a symbolic input: what exports are made of.
   */
  toLayers(input: tf.SymbolicTensor): tf.SymbolicTensor {
    const prefix = this.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const dense = tf.layers.dense({ units: this.units, name: `${prefix}_dense`, weights: [this.kernel, this.bias] });
    const activation = tf.layers.activation({ activation: layersActivation(this.activation), name: `${prefix}_${this.activation}` });
    let h = dense.apply(input) as tf.SymbolicTensor;
    if (!this.gamma || !this.beta) return activation.apply(h) as tf.SymbolicTensor;
    const norm = tf.layers.layerNormalization({ axis: -1, epsilon: LAYER_NORM_EPSILON, name: `${prefix}_layer_norm`, weights: [this.gamma, this.beta] });
    if (this.normAfterActivation) return norm.apply(activation.apply(h)) as tf.SymbolicTensor;
    h = norm.apply(h) as tf.SymbolicTensor;
    return activation.apply(h) as tf.SymbolicTensor;
  }

  /** Kernel, bias and (with layer norm) gamma, beta. */
  variables(): tf.Variable[] {
    return this.gamma && this.beta ? [this.kernel, this.bias, this.gamma, this.beta] : [this.kernel, this.bias];
  }

  /** The block's variables, stably named under its `name`. */
  namedWeights(): NamedWeights {
    const named: NamedWeights = [
      { name: `${this.name}/kernel`, tensor: this.kernel },
      { name: `${this.name}/bias`, tensor: this.bias },
    ];
    if (this.gamma && this.beta) {
      named.push({ name: `${this.name}/layer-norm/gamma`, tensor: this.gamma }, { name: `${this.name}/layer-norm/beta`, tensor: this.beta });
    }
    return named;
  }

  /** Frees the block's variables. */
  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
