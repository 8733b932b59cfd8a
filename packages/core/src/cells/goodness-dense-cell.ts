import * as tf from '@tensorflow/tfjs';
import type { CellBuildOptions } from '../cell';
import { DenseBlock } from '../layers/dense-block';
import { deriveSeed } from '../seed';
import type { NamedWeights } from '../tensor-types';
import { GoodnessCell, goodnessCellConfig, type GoodnessCellConfig } from './goodness-cell';

/** A fully connected Forward-Forward layer (`ff-dense`). */
export class GoodnessDenseCell extends GoodnessCell {
  readonly latentShape: readonly number[];
  private readonly inputUnits: number;
  private readonly dense: DenseBlock;

  constructor(config: GoodnessCellConfig) {
    super(config);
    this.inputUnits = config.inputShape.reduce((a, b) => a * b, 1);
    this.latentShape = [config.width];
    this.dense = new DenseBlock({
      name: `${config.id}/dense`,
      inputUnits: this.inputUnits,
      units: config.width,
      activation: 'linear',
      layerNorm: false,
      seed: deriveSeed(config.seed, 1),
    });
  }

  protected linear(normalized: tf.Tensor): tf.Tensor {
    return this.dense.apply(normalized.rank === 2 ? normalized : tf.reshape(normalized, [-1, this.inputUnits]));
  }

  protected trainableVariables(): tf.Variable[] {
    return this.dense.variables();
  }

  protected trainableWeights(): NamedWeights {
    return this.dense.namedWeights();
  }

  protected disposeWeights(): void {
    this.dense.dispose();
  }
}

/** The `ff-dense` cell factory: a dense Forward-Forward layer. */
export function createGoodnessDenseCell(build: CellBuildOptions): GoodnessDenseCell {
  const { objectiveOptions: _ignored, ...rest } = build.options;
  return new GoodnessDenseCell(goodnessCellConfig(build, 'ff-dense', 'dense', {}, rest));
}
