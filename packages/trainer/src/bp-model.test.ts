import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { BpModel } from './bp-model';
import { LocalTrainer, ScheduleError } from './local-trainer';
import { createModel } from './model-factory';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 512);
  test = subset(mnist.test, 200);
});

function snapshot(model: BpModel, prefix: string): Float32Array[] {
  return model.cells.flatMap((c) => c.namedWeights()).filter((w) => w.name.includes(prefix)).map((w) => w.tensor.dataSync().slice() as Float32Array);
}

describe('BpModel', () => {
  it('trains the encoders of an MLP stack and a linear head end to end', async () => {
    const model = createModel({ model: 'bp', cells: [{ type: 'ae' }, { type: 'dae' }], width: 64, seed: 3 }, shape) as BpModel;
    expect(model.kind).toBe('bp');
    expect(model.separable).toBe(false);
    expect(model.config.head.hidden).toEqual([]);
    // Encoders and head only: the cells' decoders are not part of the baseline.
    const names = model.namedWeights().map((w) => w.name);
    expect(names.some((n) => n.includes('decoder'))).toBe(false);
    expect(names).toContain('cell-1/encoder/kernel');
    expect(names).toContain('head/dense-1/kernel');
    const encoders = snapshot(model, 'encoder/kernel');
    const decoders = snapshot(model, 'decoder/kernel');
    const logs: Array<Record<string, number>> = [];
    const trainer = new LocalTrainer(model);
    const result = await trainer.fit(train, {
      epochs: 2,
      batchSize: 32,
      test,
      callbacks: { onBatchEnd: (_b, l) => void logs.push(l as Record<string, number>) },
    });
    expect(Object.keys(logs[0]!).filter((k) => k.startsWith('loss/'))).toEqual(['loss/head']);
    expect(result.testAccuracy).toBeGreaterThan(0.6);
    // The gradient reached the first cell's encoder through the second: end to end.
    snapshot(model, 'encoder/kernel').forEach((w, i) => expect(w).not.toEqual(encoders[i]));
    snapshot(model, 'decoder/kernel').forEach((w, i) => expect(w).toEqual(decoders[i]));
    expect(trainer.peakTensorBytes).toBeGreaterThan(0);
    model.dispose();
  });

  it('trains a conv stack (bp-cnn) on a linear head over the last flattened latent', async () => {
    const model = BpModel.create({ cells: [8, 16].map((channels) => ({ type: 'cae', options: { channels } })), seed: 1 }, shape);
    expect(model.head.inputUnits).toBe(7 * 7 * 16);
    const result = await new LocalTrainer(model).fit(train, { epochs: 2, batchSize: 32, test });
    expect(result.testAccuracy).toBeGreaterThan(0.3);
    model.dispose();
  });

  it('refuses the separate schedule: BP trains end to end', async () => {
    const model = BpModel.create({ cells: [{ type: 'ae' }], width: 8 }, shape);
    await expect(new LocalTrainer(model).fit(subset(train, 64), { epochs: 1, schedule: 'separate' })).rejects.toThrow(ScheduleError);
    await expect(new LocalTrainer(model).fit(subset(train, 64), { epochs: 1, schedule: 'separate' })).rejects.toThrow(
      /a bp model trains end to end; schedule "separate"/,
    );
    // A custom schedule is fine when every phase trains the whole model (a federated client's task is one).
    const whole = { name: 'whole', phases: () => [{ name: 'all', cells: [0], head: true, epochs: 1 }] };
    const result = await new LocalTrainer(model).fit(subset(train, 64), { epochs: 1, schedule: whole, evaluateEachEpoch: false });
    expect(result.status).toBe('completed');
    const cellsOnly = { name: 'cells-only', phases: () => [{ name: 'cells', cells: [0], head: false, epochs: 1 }] };
    await expect(new LocalTrainer(model).fit(subset(train, 64), { epochs: 1, schedule: cellsOnly })).rejects.toThrow(ScheduleError);
    model.dispose();
  });

  it('leaks no tensors across epochs', async () => {
    const model = BpModel.create({ cells: [{ type: 'cae', options: { channels: 4 } }, { type: 'ae' }], width: 16 }, shape);
    const trainer = new LocalTrainer(model);
    await trainer.fit(subset(train, 128), { epochs: 1, batchSize: 64, test });
    const after1 = tf.memory().numTensors;
    await trainer.fit(subset(train, 128), { epochs: 2, batchSize: 64, test });
    expect(tf.memory().numTensors).toBe(after1);
    model.dispose();
  });
});
