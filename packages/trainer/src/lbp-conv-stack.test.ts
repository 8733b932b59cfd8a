import { registry as sharedRegistry, Registry, resolveBackend, tf, type Cell, type CellFactory } from '@localbp/core';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { LbpModel, ModelConfigError } from './lbp-model';
import { LocalTrainer } from './local-trainer';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };
const tinyCae = (channels: number) => ({ type: 'cae', options: { channels } });

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 256);
  test = subset(mnist.test, 100);
});

describe('LBP with convolutional cells', () => {
  it('trains a mixed cae,cae,ae stack: the dense cell flattens the conv latent', async () => {
    const model = LbpModel.create({ cells: [tinyCae(4), tinyCae(8), { type: 'ae', width: 32 }], seed: 2 }, shape);
    expect(model.cells.map((c) => c.latentShape)).toEqual([[14, 14, 4], [7, 7, 8], [32]]);
    // Default readout: 2x2 max-pooled conv latents, the dense latent as is.
    expect(model.head.inputUnits).toBe(7 * 7 * 4 + 4 * 4 * 8 + 32);
    const trainer = new LocalTrainer(model);
    const result = await trainer.fit(train, { epochs: 1, batchSize: 64, test });
    expect(result.cellLosses.every((l) => Number.isFinite(l))).toBe(true);
    expect(result.testAccuracy).toBeGreaterThan(0.2);
    model.dispose();
  });

  it('reports a conv cell after a dense cell as a clear configuration error', () => {
    expect(() => LbpModel.create({ cells: [{ type: 'ae', width: 16 }, tinyCae(4)] }, shape)).toThrow(ModelConfigError);
    expect(() => LbpModel.create({ cells: [{ type: 'ae', width: 16 }, tinyCae(4)] }, shape)).toThrow(
      /cell-2 \(cae\): cell-2: a convolutional cell needs an image-shaped input \[height, width, channels\], got \[16\]/,
    );
  });

  it('leaks no tensors across epochs', async () => {
    const model = LbpModel.create({ cells: [tinyCae(4), tinyCae(4)], seed: 3 }, shape);
    const trainer = new LocalTrainer(model);
    await trainer.fit(subset(train, 128), { epochs: 1, batchSize: 64, test });
    const after1 = tf.memory().numTensors;
    await trainer.fit(subset(train, 128), { epochs: 2, batchSize: 64, test });
    expect(tf.memory().numTensors).toBe(after1);
    model.dispose();
  });

  it('keeps only one cell\'s latent alive: each latent is disposed once the next cell has used it', async () => {
    // Spy cells wrap real cae cells and record, while each cell trains, which earlier latents are still alive.
    const local = new Registry();
    for (const [kind, entries] of [['objective', sharedRegistry.ids('objective')]] as const) {
      for (const id of entries) local.register(kind, id, sharedRegistry.get(kind, id));
    }
    const emitted: tf.Tensor[] = [];
    const aliveWhileTraining: number[][] = [];
    const spy: CellFactory = (build) => {
      const inner: Cell = sharedRegistry.get('cell', 'cae')(build);
      return Object.assign(Object.create(inner) as Cell, {
        updates: () =>
          inner.updates().map((u) => ({
            ...u,
            loss: (input: tf.Tensor, ctx: Parameters<typeof u.loss>[1]) =>
              u.loss(input, {
                ...ctx,
                emitLatent: (latent: tf.Tensor) => {
                  aliveWhileTraining.push(emitted.map((t, i) => (t.isDisposed ? -1 : i)).filter((i) => i >= 0));
                  ctx.emitLatent(latent);
                },
              }),
          })),
        encode: (x: tf.Tensor) => {
          const z = inner.encode(x);
          emitted.push(z);
          return z;
        },
      });
    };
    local.register('cell', 'spy', spy);
    const model = LbpModel.create({ cells: [1, 2, 3].map(() => ({ type: 'spy', options: { channels: 4 } })), seed: 4 }, shape, local);
    // Frozen cells (separate schedule, phase 3) run `encode`: the spy sees every latent they hand on.
    const xs = tf.randomUniform([8, 28, 28, 1]);
    const ys = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const values = await model.trainBatch(xs, ys, { step: 0, units: [2], head: true, probe: () => undefined });
    expect(Object.keys(values).sort()).toEqual(['loss/cell-3', 'loss/head']);
    // While cell 3 trained, cell 1's latent was already gone; only cell 2's (its input) was alive.
    expect(emitted).toHaveLength(2);
    expect(aliveWhileTraining).toEqual([[1]]);
    expect(emitted.every((t) => t.isDisposed)).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
