import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellBuildOptions } from '../cell';
import { Registry } from '../registry/registry';
import { cellBuildOptions } from '../testing/cell-build-options';
import { checkCellContract } from '../testing/cell-contract';
import { tinyImages } from '../testing/tiny-images';
import { testMse } from './cell-test-objectives';
import { CAE_DEFAULT_CHANNELS, createConvolutionalAutoencoderCell } from './convolutional-autoencoder-cell';
import { registerBuiltinCells } from './register-builtin-cells';

const registry = new Registry();
registerBuiltinCells(registry);
registry.register('objective', 'mse', testMse);

function build(overrides: Partial<CellBuildOptions> = {}): CellBuildOptions {
  return cellBuildOptions(registry, { inputShape: [7, 7, 2], width: 4, seed: 5, ...overrides });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

describe('ConvolutionalAutoencoderCell', () => {
  it('is registered as `cae`', () => {
    expect(registry.get('cell', 'cae')).toBe(createConvolutionalAutoencoderCell);
  });

  it('meets the cell contract with stride-2 convs on an odd-sized input', () => {
    const cell = createConvolutionalAutoencoderCell(build());
    const x = tinyImages(6, [7, 7, 2]);
    const report = checkCellContract(cell, x, 15);
    expect(report.latentShape).toEqual([4, 4, 4]);
    expect(report.lossAfter).toBeLessThan(report.lossBefore);
    expect(report.leakedTensors).toBe(0);
    // conv kernel+bias, norm gamma+beta, transposed-conv kernel+bias.
    expect(report.changedVariables).toBe(6);
    const recon = cell.reconstruct(x);
    expect(recon.shape).toEqual([6, 7, 7, 2]);
    // The first cell sees [0, 1] images: sigmoid decoder output.
    expect(tf.min(recon).dataSync()[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([x, recon]);
    cell.dispose();
  });

  it('uses 32/64/128 channels by position unless a width or `channels` is chosen', () => {
    const byIndex = [0, 1, 2, 4].map((index) => {
      const cell = createConvolutionalAutoencoderCell(build({ index, widthExplicit: false, width: 1000 }));
      const channels = cell.latentShape[2];
      cell.dispose();
      return channels;
    });
    expect(byIndex).toEqual([...CAE_DEFAULT_CHANNELS, 128]);
    const explicit = createConvolutionalAutoencoderCell(build({ width: 12 }));
    expect(explicit.latentShape).toEqual([4, 4, 12]);
    explicit.dispose();
    const option = createConvolutionalAutoencoderCell(build({ width: 12, options: { channels: 3 } }));
    expect(option.latentShape).toEqual([4, 4, 3]);
    expect(option.spec).toMatchObject({ type: 'cae', width: 3, objective: 'mse' });
    option.dispose();
  });

  it('offers stride 1, pooling downsampling, channel norm and pre-activation norm', () => {
    const variants: Array<[Record<string, unknown>, number[]]> = [
      [{ stride: 1 }, [7, 7, 4]],
      [{ downsample: 'max-pool' }, [4, 4, 4]],
      [{ downsample: 'avg-pool', normalization: 'channel', normalizationPlacement: 'pre-activation' }, [4, 4, 4]],
      [{ normalization: 'none' }, [4, 4, 4]],
    ];
    for (const [options, latent] of variants) {
      const cell = createConvolutionalAutoencoderCell(build({ options, inputRange: 'unbounded' }));
      const x = tinyImages(4, [7, 7, 2]);
      const report = checkCellContract(cell, x, 8);
      expect(report.latentShape).toEqual(latent);
      expect(report.leakedTensors).toBe(0);
      expect(report.lossAfter).toBeLessThan(report.lossBefore);
      x.dispose();
      cell.dispose();
    }
  });

  it('reads out flattened, pooled, global-pooled or standardized features for the classifier', () => {
    const sizes: Array<[Record<string, unknown>, number]> = [
      [{ mode: 'flatten', normalize: false }, 4 * 4 * 4],
      [{ mode: 'max-pool' }, 2 * 2 * 4],
      [{ mode: 'avg-pool', poolSize: 3 }, 2 * 2 * 4],
      [{ mode: 'global-avg-pool' }, 4],
    ];
    const x = tinyImages(3, [7, 7, 2]);
    for (const [readout, size] of sizes) {
      const cell = createConvolutionalAutoencoderCell(build({ options: { readout } }));
      const latent = cell.encode(x);
      const features = cell.readout(latent);
      expect(cell.readoutSize).toBe(size);
      expect(features.shape).toEqual([3, size]);
      if (readout.normalize !== false && readout.mode !== 'flatten') {
        const mean = tf.mean(features, 1).dataSync();
        for (const m of mean) expect(Math.abs(m)).toBeLessThan(1e-4);
      }
      tf.dispose([latent, features]);
      cell.dispose();
    }
    x.dispose();
  });

  it('exposes only encoder weights for BP baselines, and encode is differentiable', () => {
    const cell = createConvolutionalAutoencoderCell(build());
    const names = cell.encoderWeights().map((w) => w.name);
    expect(names).toEqual(['cell-1/encoder/kernel', 'cell-1/encoder/bias', 'cell-1/encoder/norm/gamma', 'cell-1/encoder/norm/beta']);
    const x = tinyImages(2, [7, 7, 2]);
    const grads = tf.variableGrads(() => tf.sum(cell.encode(x)) as tf.Scalar, cell.encoderWeights().map((w) => w.tensor as tf.Variable));
    expect(Object.keys(grads.grads)).toHaveLength(4);
    tf.dispose([x, grads.value, ...Object.values(grads.grads)]);
    cell.dispose();
  });

  it('refuses a flat input with a message that says how to order cells', () => {
    expect(() => createConvolutionalAutoencoderCell(build({ id: 'cell-2', inputShape: [100] }))).toThrow(
      /cell-2: a convolutional cell needs an image-shaped input \[height, width, channels\], got \[100\]; put conv cells before dense cells/,
    );
  });

  it('rejects unknown options', () => {
    expect(() => createConvolutionalAutoencoderCell(build({ options: { pooling: 'max' } }))).toThrow(/pooling/);
  });
});
