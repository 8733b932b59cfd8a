import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { CellBuildOptions } from '../cell';
import { deriveSeed } from '../seed';
import type { NamedWeights } from '../tensor-types';
import { GoodnessCell, goodnessCellConfig, type GoodnessCellConfig } from './goodness-cell';

/** Validates the conv goodness cell's options: kernel size and stride. */
export const goodnessConvOptionsSchema = z
  .object({
    kernelSize: z.number().int().positive().default(3),
    stride: z.number().int().positive().default(2),
  })
  .strict();

/** A convolutional Forward-Forward layer (`ff-conv`): `width` output channels, same padding. */
export class GoodnessConvCell extends GoodnessCell {
  readonly latentShape: readonly number[];
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly stride: number;

  constructor(config: GoodnessCellConfig, layer: z.infer<typeof goodnessConvOptionsSchema>) {
    super(config);
    if (config.inputShape.length !== 3) {
      throw new Error(`${config.id}: a conv layer needs [height, width, channels] input, got [${config.inputShape.join(', ')}]`);
    }
    const [h, w, cin] = config.inputShape as [number, number, number];
    this.stride = layer.stride;
    this.latentShape = [Math.ceil(h / layer.stride), Math.ceil(w / layer.stride), config.width];
    const k = layer.kernelSize;
    // He-uniform: the layer feeds a ReLU.
    const limit = Math.sqrt(6 / (k * k * cin));
    this.kernel = tf.variable(tf.randomUniform([k, k, cin, config.width], -limit, limit, 'float32', deriveSeed(config.seed, 1)));
    this.bias = tf.variable(tf.zeros([config.width]));
  }

  protected linear(normalized: tf.Tensor): tf.Tensor {
    return tf.add(tf.conv2d(normalized as tf.Tensor4D, this.kernel as tf.Tensor4D, this.stride, 'same'), this.bias);
  }

  protected trainableVariables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  protected trainableWeights(): NamedWeights {
    return [
      { name: `${this.id}/conv/kernel`, tensor: this.kernel },
      { name: `${this.id}/conv/bias`, tensor: this.bias },
    ];
  }

  protected disposeWeights(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}

/** The `ff-conv` cell factory: a convolutional Forward-Forward layer. */
export function createGoodnessConvCell(build: CellBuildOptions): GoodnessConvCell {
  const { objectiveOptions: _ignored, kernelSize, stride, ...rest } = build.options;
  const layer = goodnessConvOptionsSchema.parse({
    ...(kernelSize !== undefined ? { kernelSize } : {}),
    ...(stride !== undefined ? { stride } : {}),
  });
  return new GoodnessConvCell(goodnessCellConfig(build, 'ff-conv', 'conv', layer, rest), layer);
}
