import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellBuildOptions } from '../cell';
import type { AdversarialObjective } from '../objective';
import { DEFAULT_OPTIMIZER } from '../optimizer-config';
import { Registry } from '../registry/registry';
import { cellBuildOptions } from '../testing/cell-build-options';
import { checkCellContract } from '../testing/cell-contract';
import { tinyImages } from '../testing/tiny-images';
import { createAdversarialCell } from './adversarial-cell';
import { testMse } from './cell-test-objectives';
import { registerBuiltinCells } from './register-builtin-cells';

// The real one lives in @localbp/objectives; this is the same non-saturating game.
const adversarial = (): AdversarialObjective => ({
  id: 'adversarial',
  kind: 'adversarial',
  options: {},
  discriminatorLoss: (real, fake) =>
    tf.tidy(() => tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake))) as tf.Scalar),
  generatorLoss: (fake) => tf.tidy(() => tf.mean(tf.softplus(tf.neg(fake))) as tf.Scalar),
});

const registry = new Registry();
registerBuiltinCells(registry);
registry.register('objective', 'adversarial', adversarial);
registry.register('objective', 'mse', testMse);

function build(overrides: Partial<CellBuildOptions> = {}): CellBuildOptions {
  return cellBuildOptions(registry, { options: { noiseSize: 4, generatorHidden: 8 }, seed: 2, optimizer: { ...DEFAULT_OPTIMIZER, learningRate: 0.005 }, ...overrides });
}

function latentSpread(cell: ReturnType<typeof createAdversarialCell>, x: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.moments(cell.encode(x), 0).variance).dataSync()[0]!);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

describe('AdversarialCell', () => {
  it('meets the cell contract: discriminator features are the latent, no leaks', () => {
    const cell = createAdversarialCell(build());
    expect(registry.get('cell', 'gan')).toBe(createAdversarialCell);
    const x = tinyImages(8);
    const report = checkCellContract(cell, x, 20);
    expect(report.latentShape).toEqual([16]);
    expect(report.leakedTensors).toBe(0);
    // Discriminator (features + LN + critic) and generator (two dense layers) all train.
    expect(report.changedVariables).toBe(cell.namedWeights().length);
    expect(cell.updates().map((u) => u.name)).toEqual(['discriminator', 'generator']);
    expect(cell.reconstruct).toBeUndefined();
    x.dispose();
    cell.dispose();
  });

  it('keeps losses finite and the latent spread over 60 adversarial steps', () => {
    const cell = createAdversarialCell(build());
    const x = tinyImages(16);
    const ctx = (step: number) => ({ step, emitLatent: () => undefined, probe: () => undefined });
    const losses: number[] = [];
    for (let s = 0; s < 60; s++) {
      for (const u of cell.updates()) {
        const l = u.optimizer.minimize(() => u.loss(x, ctx(s)), true, u.variables())!;
        losses.push(l.dataSync()[0]!);
        l.dispose();
      }
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    // No collapse to a constant latent: the features still differ across examples.
    expect(latentSpread(cell, x)).toBeGreaterThan(0.1);
    x.dispose();
    cell.dispose();
  });

  it('generates reproducible samples in its input space and range', () => {
    const cell = createAdversarialCell(build());
    const a = cell.generate(5, 11);
    const b = cell.generate(5, 11);
    expect(a.shape).toEqual([5, 8, 8, 1]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    expect(tf.min(a).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(a).dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([a, b]);
    cell.dispose();
    // A deeper cell's generator is linear: it must reach unbounded latents.
    const deep = createAdversarialCell(build({ inputShape: [12], inputRange: 'unbounded' }));
    const s = deep.generate(3, 1);
    expect(s.shape).toEqual([3, 12]);
    s.dispose();
    deep.dispose();
  });

  it('ae-gan adds a decoder that reconstructs and faces the discriminator', () => {
    const cell = createAdversarialCell(build({ options: { variant: 'ae-gan', noiseSize: 4, generatorHidden: 8 } }));
    expect(cell.updates().map((u) => u.name)).toEqual(['discriminator', 'generator', 'decoder']);
    const x = tinyImages(8);
    const report = checkCellContract(cell, x, 10);
    expect(report.leakedTensors).toBe(0);
    const recon = cell.reconstruct!(x);
    expect(recon.shape).toEqual([8, 8, 8, 1]);
    tf.dispose([x, recon]);
    cell.dispose();
  });

  it('refuses an objective that is not adversarial', () => {
    expect(() => createAdversarialCell(build({ objective: 'mse' }))).toThrow(/objective "mse" \(reconstruction\) cannot train a GAN cell/);
  });
});
