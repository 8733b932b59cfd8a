import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellBuildOptions } from '../cell';
import type { DenoisingObjective, ReconstructionObjective } from '../objective';
import { Registry } from '../registry/registry';
import { cellBuildOptions } from '../testing/cell-build-options';
import { checkCellContract } from '../testing/cell-contract';
import { tinyImages } from '../testing/tiny-images';
import { createAutoencoderCell } from './autoencoder-cell';
import { testMse } from './cell-test-objectives';
import { createDenoisingAutoencoderCell } from './denoising-autoencoder-cell';
import { registerBuiltinCells } from './register-builtin-cells';

// Objectives live in @localbp/objectives (which depends on core); these minimal ones keep core's tests self-contained.
const mse = testMse;
const unitOnly = (): ReconstructionObjective => ({ ...mse(), id: 'unit-only', requiresUnitRange: true });
let corruptCalls = 0;
const masking = (): DenoisingObjective => ({
  id: 'masking',
  kind: 'denoising',
  options: { level: 0.5 },
  requiresUnitRange: false,
  corrupt: (x, seed) => {
    corruptCalls++;
    return tf.tidy(() => tf.mul(x, tf.cast(tf.greater(tf.randomUniform(x.shape, 0, 1, 'float32', seed), 0.5), 'float32')));
  },
  loss: (t, p) => tf.tidy(() => tf.mean(tf.squaredDifference(t, p)) as tf.Scalar),
});

const registry = new Registry();
registerBuiltinCells(registry);
registry.register('objective', 'mse', mse);
registry.register('objective', 'unit-only', unitOnly);
registry.register('objective', 'denoising', masking);

function build(overrides: Partial<CellBuildOptions> = {}): CellBuildOptions {
  return cellBuildOptions(registry, { seed: 3, ...overrides });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

describe('AutoencoderCell', () => {
  it('satisfies the cell contract: latent shape, falling loss, only its own weights, no leaks', () => {
    const cell = createAutoencoderCell(build());
    const x = tinyImages(32);
    const report = checkCellContract(cell, x, 30);
    expect(report.latentShape).toEqual([16]);
    expect(report.lossAfter).toBeLessThan(report.lossBefore * 0.8);
    expect(report.leakedTensors).toBe(0);
    expect(report.changedVariables).toBe(cell.namedWeights().length);
    x.dispose();
    cell.dispose();
  });

  it('has layer-normalized latents and a sigmoid decoder for images', () => {
    const cell = createAutoencoderCell(build());
    const x = tinyImages(4);
    const z = cell.encode(x);
    const { mean, variance } = tf.moments(z, -1);
    Array.from(mean.dataSync()).forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-4));
    Array.from(variance.dataSync()).forEach((v) => expect(v).toBeCloseTo(1, 2));
    tf.dispose([mean, variance]);
    const pre = createAutoencoderCell(build({ options: { normalization: 'pre-activation' } }));
    const zPre = pre.encode(x);
    expect(zPre.min().dataSync()[0]).toBe(0);
    tf.dispose(zPre);
    pre.dispose();
    const r = cell.reconstruct(x);
    expect(r.shape).toEqual([4, 8, 8, 1]);
    expect(r.min().dataSync()[0]).toBeGreaterThan(0);
    expect(r.max().dataSync()[0]).toBeLessThan(1);
    tf.dispose([x, z, r]);
    cell.dispose();
  });

  it('names its weights stably by cell id', () => {
    const cell = createAutoencoderCell(build({ id: 'cell-2', inputShape: [16], inputRange: 'unbounded' }));
    expect(cell.namedWeights().map((w) => w.name)).toEqual([
      'cell-2/encoder/kernel',
      'cell-2/encoder/bias',
      'cell-2/encoder/layer-norm/gamma',
      'cell-2/encoder/layer-norm/beta',
      'cell-2/decoder/kernel',
      'cell-2/decoder/bias',
    ]);
    cell.dispose();
  });

  it('publishes the latent it computed inside its loss', () => {
    const cell = createAutoencoderCell(build());
    const x = tinyImages(4);
    let emitted: tf.Tensor | null = null;
    const loss = cell.updates()[0]!.loss(x, { step: 0, emitLatent: (l) => (emitted = l.clone()), probe: () => undefined });
    const direct = cell.encode(x);
    expect(emitted).not.toBeNull();
    expect(tf.max(tf.abs(tf.sub(emitted!, direct))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, loss, direct, emitted!]);
    cell.dispose();
  });

  it('is reproducible from its seed', () => {
    const a = createAutoencoderCell(build());
    const b = createAutoencoderCell(build());
    const c = createAutoencoderCell(build({ seed: 4 }));
    const wa = a.namedWeights()[0]!.tensor.dataSync();
    expect(Array.from(b.namedWeights()[0]!.tensor.dataSync())).toEqual(Array.from(wa));
    expect(Array.from(c.namedWeights()[0]!.tensor.dataSync())).not.toEqual(Array.from(wa));
    for (const cell of [a, b, c]) cell.dispose();
  });

  it('refuses an objective that needs [0, 1] inputs on an unbounded input', () => {
    expect(() =>
      createAutoencoderCell(build({ objective: 'unit-only', inputShape: [16], inputRange: 'unbounded', id: 'cell-2' })),
    ).toThrow('needs inputs in [0, 1]');
  });

  it('rejects unknown options', () => {
    expect(() => createAutoencoderCell(build({ options: { latentActivaton: 'relu' } }))).toThrow();
  });
});

describe('DenoisingAutoencoderCell', () => {
  it('trains on corrupted inputs but encodes clean ones', () => {
    const cell = createDenoisingAutoencoderCell(build());
    expect(cell.spec.type).toBe('dae');
    expect(cell.spec.objective).toBe('denoising');
    const x = tinyImages(32);
    corruptCalls = 0;
    const report = checkCellContract(cell, x, 30);
    expect(corruptCalls).toBeGreaterThan(0);
    expect(report.lossAfter).toBeLessThan(report.lossBefore);
    expect(report.leakedTensors).toBe(0);
    const z1 = cell.encode(x);
    const z2 = cell.encode(x);
    expect(tf.max(tf.abs(tf.sub(z1, z2))).dataSync()[0]).toBe(0);
    tf.dispose([x, z1, z2]);
    cell.dispose();
  });

  it('refuses a plain reconstruction objective', () => {
    expect(() => createDenoisingAutoencoderCell(build({ objective: 'mse' }))).toThrow('cannot train');
  });
});
