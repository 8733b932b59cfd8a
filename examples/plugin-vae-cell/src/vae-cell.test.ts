import { Registry, registry as sharedRegistry, type CellBuildOptions } from '@localbp/core';
import { cellBuildOptions, checkCellContract, countLeakedTensors, tinyImages } from '@localbp/core/testing';
import { registerObjectives } from '@localbp/objectives';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import plugin, { createVaeCell } from './index';

const registry = new Registry();
registerObjectives(registry);
registry.use(plugin);

function build(overrides: Partial<CellBuildOptions> = {}): CellBuildOptions {
  return cellBuildOptions(registry, { options: { hidden: 32 }, seed: 5, ...overrides });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

describe('vae cell', () => {
  it('registers through the plugin as `vae`', () => {
    expect(registry.get('cell', 'vae')).toBe(createVaeCell);
    expect(registry.pluginNames()).toEqual(['localbp-plugin-vae-cell']);
  });

  it('passes the cell contract on images (BCE) and as a deeper cell on unbounded latents (MSE)', () => {
    const images = tinyImages(32);
    const first = registry.get('cell', 'vae')(build());
    const report = checkCellContract(first, images, 40);
    expect(report.latentShape).toEqual([16]);
    expect(report.leakedTensors).toBe(0);
    expect(report.lossAfter).toBeLessThan(report.lossBefore);
    expect(report.changedVariables).toBe(first.namedWeights().length);
    expect(first.spec).toMatchObject({ type: 'vae', objective: 'bce', options: { hidden: 32, beta: 1 } });

    const latents = tf.randomNormal([32, 16], 0, 1, 'float32', 3);
    const deeper = createVaeCell(build({ id: 'cell-2', index: 1, inputShape: [16], inputRange: 'unbounded', width: 8 }));
    const deepReport = checkCellContract(deeper, latents, 40);
    expect(deepReport.latentShape).toEqual([8]);
    expect(deepReport.leakedTensors).toBe(0);
    expect(deepReport.lossAfter).toBeLessThan(deepReport.lossBefore);
    expect(deeper.spec.objective).toBe('mse');
    tf.dispose([images, latents]);
    first.dispose();
    deeper.dispose();
  });

  it('uses the posterior mean as latent: inference is deterministic, training samples', async () => {
    const images = tinyImages(8);
    const cell = createVaeCell(build());
    const a = cell.encode(images);
    const b = cell.encode(images);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    // Two steps' losses differ only through ε: the reparameterized sample changes with the step.
    const update = cell.updates()[0]!;
    const context = (step: number) => ({ step, emitLatent: () => undefined, probe: () => undefined });
    const l0 = tf.tidy(() => update.loss(images, context(0)).dataSync()[0]!);
    const l1 = tf.tidy(() => update.loss(images, context(1)).dataSync()[0]!);
    expect(l0).not.toBe(l1);
    expect(await countLeakedTensors(() => tf.tidy(() => update.loss(images, context(2))).dispose())).toBe(0);
    tf.dispose([images, a, b]);
    cell.dispose();
  });

  it('includes a non-negative KL term weighted by beta', () => {
    const images = tinyImages(16);
    const context = { step: 0, emitLatent: () => undefined, probe: () => undefined };
    const loss = (beta: number) => {
      const cell = createVaeCell(build({ options: { hidden: 32, beta } }));
      const value = tf.tidy(() => cell.updates()[0]!.loss(images, context).dataSync()[0]!);
      cell.dispose();
      return value;
    };
    const withoutKl = loss(0);
    const withKl = loss(1);
    const doubleKl = loss(2);
    expect(withKl).toBeGreaterThanOrEqual(withoutKl);
    expect(doubleKl - withKl).toBeCloseTo(withKl - withoutKl, 3);
    images.dispose();
  });

  it('exports its inference path as built-in layers that compute encode', () => {
    const images = tinyImages(8);
    for (const latentNorm of ['layer', 'none'] as const) {
      const cell = createVaeCell(build({ options: { hidden: 32, latentNorm } }));
      const input = tf.input({ shape: [8, 8, 1] });
      const model = tf.model({ inputs: input, outputs: cell.toLayers(input) });
      const ours = cell.encode(images);
      const theirs = model.predict(images) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-4);
      tf.dispose([ours, theirs]);
      model.dispose();
      cell.dispose();
    }
    images.dispose();
  });

  it('rejects unknown options and objectives that cannot train it', () => {
    expect(() => createVaeCell(build({ options: { hiddn: 3 } }))).toThrow();
    expect(() => createVaeCell(build({ inputRange: 'unbounded', objective: 'bce' }))).toThrow('needs inputs in [0, 1]');
    expect(() => createVaeCell(build({ objective: 'denoising' }))).toThrow('needs a reconstruction objective');
  });

  it('is not in the shared registry until the plugin is used', () => {
    expect(sharedRegistry.has('cell', 'vae')).toBe(false);
  });
});
