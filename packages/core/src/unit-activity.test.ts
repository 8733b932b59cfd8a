import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cell } from './cell';
import { createAutoencoderCell } from './cells/autoencoder-cell';
import { testMse } from './cells/cell-test-objectives';
import { createConvolutionalAutoencoderCell } from './cells/convolutional-autoencoder-cell';
import { registerBuiltinCells } from './cells/register-builtin-cells';
import { Registry } from './registry/registry';
import { cellBuildOptions } from './testing/cell-build-options';
import { countLeakedTensors } from './testing/tensor-leak-check';
import { tinyImages } from './testing/tiny-images';
import { firingRate, measureUnitActivity } from './unit-activity';

const registry = new Registry();
registerBuiltinCells(registry);
registry.register('objective', 'mse', testMse);

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

/** Sets the encoder bias so the first `dead` units are always negative before the ReLU and the rest always positive. */
function killUnits(cell: Cell, dead: number): void {
  const bias = cell.namedWeights().find((w) => w.name === `${cell.id}/encoder/bias`)!.tensor as tf.Variable;
  const units = bias.shape[0]!;
  tf.tidy(() => bias.assign(tf.tensor1d([...Array(units).keys()].map((i) => (i < dead ? -1e3 : 1e3)))));
}

describe('unit activity (dead ReLU units before normalization)', () => {
  it('counts per unit the non-zero share of a ReLU output over every axis but the last', () => {
    const rates = tf.tidy(() => firingRate(tf.tensor3d([[[0, 1], [0, 2]], [[0, 0], [0, 3]]])));
    expect(Array.from(rates.dataSync())).toEqual([0, 0.75]);
    rates.dispose();
  });

  it('finds the dead units of a dense autoencoder whose layer-normalized latent has no zero at all', () => {
    const cell = createAutoencoderCell(cellBuildOptions(registry, { width: 16 }));
    killUnits(cell, 4);
    const x = tinyImages(32);
    const latentZeros = tf.tidy(() => tf.sum(tf.cast(tf.equal(cell.encode(x), 0), 'int32')).dataSync()[0]);
    // What the old panel measured: after the layer norm, dead units are not zeros.
    expect(latentZeros).toBe(0);
    expect(measureUnitActivity(cell, x)).toEqual({ zeroFraction: 0.25, deadUnits: 4, units: 16 });
    x.dispose();
    cell.dispose();
  });

  it('finds dead channels of a convolutional autoencoder, and leaks no tensors', async () => {
    const cell = createConvolutionalAutoencoderCell(cellBuildOptions(registry, { inputShape: [7, 7, 2], width: 4 }));
    killUnits(cell, 1);
    const x = tinyImages(8, [7, 7, 2]);
    let activity: ReturnType<typeof measureUnitActivity>;
    expect(await countLeakedTensors(() => (activity = measureUnitActivity(cell, x)))).toBe(0);
    expect(activity).toEqual({ zeroFraction: 0.25, deadUnits: 1, units: 4 });
    x.dispose();
    cell.dispose();
  });

  it('is not measured for a latent without a ReLU', () => {
    const cell = createAutoencoderCell(cellBuildOptions(registry, { options: { latentActivation: 'tanh' } }));
    const x = tinyImages(4);
    expect(measureUnitActivity(cell, x)).toBeUndefined();
    x.dispose();
    cell.dispose();
  });
});
