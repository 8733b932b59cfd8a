import * as tf from '@tensorflow/tfjs';
import type { NamedWeights } from '../tensor-types';
import { ownedVariable } from './owned-variable';

export interface ConvBlockOptions {
  /** Stable name used in checkpoints and federation updates, e.g. `cell-1/encoder`. */
  name: string;
  inputChannels: number;
  filters: number;
  kernelSize: number;
  stride: number;
  seed: number;
}

function glorotKernel(shape: [number, number, number, number], fanIn: number, fanOut: number, seed: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return ownedVariable(tf.randomUniform(shape, -limit, limit, 'float32', seed));
}

/**
 * A 2-D convolution with `same` padding and a bias, on plain variables (stable names, no layer
 * bookkeeping), like `DenseBlock`. Output size is ceil(input / stride).
 */
export class Conv2dBlock {
  readonly name: string;
  readonly stride: number;
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(options: ConvBlockOptions) {
    const { kernelSize: k, inputChannels: cin, filters: cout } = options;
    this.name = options.name;
    this.stride = options.stride;
    this.kernel = glorotKernel([k, k, cin, cout], k * k * cin, k * k * cout, options.seed);
    this.bias = ownedVariable(tf.zeros([cout]));
  }

  apply(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.add(tf.conv2d(x as tf.Tensor4D, this.kernel as tf.Tensor4D, this.stride, 'same'), this.bias));
  }

  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  namedWeights(): NamedWeights {
    return [
      { name: `${this.name}/kernel`, tensor: this.kernel },
      { name: `${this.name}/bias`, tensor: this.bias },
    ];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/**
 * The decoder's transposed convolution: maps a [h, w, inputChannels] map back to an exact
 * [height, width, filters] output (odd sizes such as 7 → 4 → 7 included).
 */
export class TransposedConv2dBlock {
  readonly name: string;
  readonly stride: number;
  readonly outputSize: readonly [number, number];
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(options: ConvBlockOptions & { outputSize: readonly [number, number] }) {
    const { kernelSize: k, inputChannels: cin, filters: cout } = options;
    this.name = options.name;
    this.stride = options.stride;
    this.outputSize = options.outputSize;
    // conv2dTranspose filters are [k, k, outChannels, inChannels].
    this.kernel = glorotKernel([k, k, cout, cin], k * k * cin, k * k * cout, options.seed);
    this.bias = ownedVariable(tf.zeros([cout]));
  }

  apply(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const n = x.shape[0]!;
      const [h, w] = this.outputSize;
      const cout = this.kernel.shape[2]!;
      return tf.add(
        tf.conv2dTranspose(x as tf.Tensor4D, this.kernel as tf.Tensor4D, [n, h, w, cout], this.stride, 'same'),
        this.bias,
      );
    });
  }

  variables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  namedWeights(): NamedWeights {
    return [
      { name: `${this.name}/kernel`, tensor: this.kernel },
      { name: `${this.name}/bias`, tensor: this.bias },
    ];
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}
