import { registry, resolveBackend, rmsNormalize, tf } from '@localbp/core';
import { countLeakedTensors } from '@localbp/core/testing';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointInto, readCheckpointManifest, saveCheckpoint } from './checkpoint';
import { FfModel } from './ff-model';
import type { FfModelConfigInput } from './ff-model-config';
import { ModelConfigError } from './lbp-model';
import { LocalTrainer } from './local-trainer';
import { createModel } from './model-factory';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };
const small = (extra: Partial<FfModelConfigInput> = {}): FfModelConfigInput => ({ width: 64, layers: 3, seed: 4, ...extra });

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 1200);
  test = subset(mnist.test, 300);
});

const step = (units: number[], head = true, n = 0) => ({ step: n, units, head, probe: () => undefined });

function firstBatch(n: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const imgs = train.images.subarray(0, n * 784);
  return {
    xs: tf.tidy(() => tf.div(tf.tensor4d(Float32Array.from(imgs), [n, 28, 28, 1]), 255)),
    ys: tf.tensor1d(Array.from(train.labels.subarray(0, n))),
  };
}

describe('FfModel', () => {
  it('resolves through the registry as model kind "ff" and reports goodness of positive and negative data per layer', async () => {
    const model = createModel({ model: 'ff', ...small() }, shape);
    expect(model).toBeInstanceOf(FfModel);
    expect(model.units.map((u) => `${u.id}:${u.type}`)).toEqual(['layer-1:ff-dense', 'layer-2:ff-dense', 'layer-3:ff-dense']);
    expect(model.alternativeInference).toEqual(['goodness']);
    const { xs, ys } = firstBatch(16);
    const logs = await model.trainBatch(xs, ys, step([0, 1, 2]));
    expect(Object.keys(logs).sort()).toEqual(
      ['loss/head', ...[1, 2, 3].flatMap((i) => [`loss/layer-${i}`, `goodness/pos/layer-${i}`, `goodness/neg/layer-${i}`])].sort(),
    );
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    // Only the units asked for train: layer 2 alone reports, with no head.
    const partial = await model.trainBatch(xs, ys, step([1], false, 1));
    expect(Object.keys(partial).sort()).toEqual(['goodness/neg/layer-2', 'goodness/pos/layer-2', 'loss/layer-2']);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('per-label inference sums the goodness of layers 2..L of each label-embedded pass', () => {
    const model = FfModel.create(small(), shape);
    const { xs } = firstBatch(5);
    const scores = model.predictLogits(xs, 'goodness');
    expect(scores.shape).toEqual([5, 10]);
    const got = scores.arraySync();
    for (const label of [0, 7]) {
      const manual = tf.tidy(() => {
        const onehot = tf.oneHot(tf.fill([5], label, 'int32') as tf.Tensor1D, 10).asType('float32');
        let x: tf.Tensor = tf.concat([onehot, tf.slice(tf.reshape(xs, [5, 784]), [0, 10], [-1, -1])], 1);
        let total: tf.Tensor = tf.zeros([5]);
        model.cells.forEach((cell, i) => {
          x = cell.encode(x);
          if (i >= 1) total = tf.add(total, tf.sum(tf.square(x), 1));
        });
        return total.arraySync() as number[];
      });
      manual.forEach((v, row) => expect(got[row]![label]).toBeCloseTo(v, 2));
    }
    // The linear readout sees the normalized activities of layers 2 and 3 of the neutral (0.1) pass.
    const features = model.features(xs);
    expect(features.shape).toEqual([5, 128]);
    const expected = tf.tidy(() => {
      const neutral = tf.concat([tf.fill([5, 10], 0.1), tf.slice(tf.reshape(xs, [5, 784]), [0, 10], [-1, -1])], 1);
      const a2 = model.cells[1]!.encode(model.cells[0]!.encode(neutral));
      return rmsNormalize(a2).arraySync() as number[][];
    });
    const f = features.arraySync();
    expected[0]!.forEach((v, j) => expect(f[0]![j]).toBeCloseTo(v, 3));
    tf.dispose([xs, scores, features]);
    model.dispose();
  });

  it('learns MNIST above chance both ways and leaks no tensors across epochs', async () => {
    const model = FfModel.create(small({ width: 128, headOptimizer: { learningRate: 0.01 } }), shape);
    const tensorsAtEpochEnd: number[] = [];
    const result = await new LocalTrainer(model).fit(train, {
      epochs: 3,
      batchSize: 32,
      test,
      callbacks: { onEpochEnd: () => void tensorsAtEpochEnd.push(tf.memory().numTensors) },
    });
    expect(result.testAccuracy).toBeGreaterThan(0.6);
    const goodnessAccuracy = result.epochs.at(-1)!.metrics!['testAccuracy/goodness']!;
    // Per-label goodness learns more slowly than the readout on so little data: twice chance here, 90% after a full MNIST epoch.
    expect(goodnessAccuracy).toBeGreaterThan(0.2);
    expect(tensorsAtEpochEnd[2]).toBe(tensorsAtEpochEnd[1]);
    // Positive data ends up with more goodness than negative data in every layer.
    const last = result.epochs.at(-1)!.losses;
    for (const i of [1, 2, 3]) expect(last[`goodness/pos/layer-${i}`]!).toBeGreaterThan(last[`goodness/neg/layer-${i}`]!);
    const { xs, ys } = firstBatch(32);
    const leaked = await countLeakedTensors(async () => {
      await model.trainBatch(xs, ys, step([0, 1, 2], true, 99));
      model.predictLogits(xs, 'goodness').dispose();
      model.predictLogits(xs).dispose();
    });
    expect(leaked).toBe(0);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('trains layer by layer with the separate schedule, and with hard negatives', async () => {
    const model = FfModel.create(small({ layers: 2, width: 32, negatives: 'hard' }), shape);
    const phases: string[] = [];
    const result = await new LocalTrainer(model).fit(subset(train, 256), {
      epochs: 1,
      batchSize: 64,
      schedule: 'separate',
      test,
      callbacks: { onPhaseBegin: (p) => void phases.push(p.name) },
    });
    expect(phases).toEqual(['cell-1', 'cell-2', 'head']);
    expect(result.epochs.map((e) => Object.keys(e.losses).filter((k) => k.startsWith('loss/')))).toEqual([
      ['loss/layer-1'],
      ['loss/layer-2'],
      ['loss/head'],
    ]);
    expect(result.cellLosses.every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  it.each(['symba', 'hybrid', 'scff'])('trains the %s objective with finite losses', async (objective) => {
    const model = FfModel.create(small({ objective, width: 32 }), shape);
    const { xs, ys } = firstBatch(32);
    for (let s = 0; s < 3; s++) {
      const logs = await model.trainBatch(xs, ys, step([0, 1, 2], true, s));
      for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    }
    expect(model.predictLogits(xs).shape).toEqual([32, 10]);
    expect(model.cells[0]!.inputShape).toEqual(objective === 'scff' ? [1568] : [784]);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('trains CwComp on conv layers with one channel group per class', async () => {
    const model = FfModel.create(small({ objective: 'cwcomp', layers: 2, channels: [10, 20] }), shape);
    expect(model.units.map((u) => u.type)).toEqual(['ff-conv', 'ff-conv']);
    expect(model.cells.map((c) => c.latentShape)).toEqual([[14, 14, 10], [7, 7, 20]]);
    const { xs, ys } = firstBatch(32);
    const logs = await model.trainBatch(xs, ys, step([0, 1]));
    for (const v of Object.values(logs)) expect(Number.isFinite(v)).toBe(true);
    expect(model.predictLogits(xs, 'goodness').shape).toEqual([32, 10]);
    expect(() => FfModel.create(small({ objective: 'cwcomp', channels: [15, 20, 30] }), shape)).toThrow('multiples of 10');
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('rejects objectives and inference modes that cannot work, saying what can', () => {
    expect(() => FfModel.create(small({ objective: 'nope' }), shape)).toThrow(/registered objectives: .*cwcomp/);
    expect(() => FfModel.create(small({ objective: 'mse' }), shape)).toThrow(/goodness objectives: .*ff.*symba/);
    expect(() => FfModel.create(small({ objective: 'hybrid', inference: 'goodness' }), shape)).toThrow(ModelConfigError);
    expect(() => FfModel.create(small({ objective: 'hybrid', inference: 'goodness' }), shape)).toThrow('supports inference linear');
    expect(registry.ids('model')).toEqual(expect.arrayContaining(['ff', 'lbp']));
  });

  it('saves and restores through checkpoints, peer-normalization state included', async () => {
    const model = FfModel.create(small({ width: 16 }), shape);
    await new LocalTrainer(model).fit(subset(train, 128), { epochs: 1, batchSize: 64, evaluateEachEpoch: false });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'localbp-ff-ckpt-'));
    const progress = { phase: 1, epoch: 0, batch: 0, step: 2, epochsDone: 1 };
    await saveCheckpoint(dir, model, { fit: { epochs: 1, batchSize: 64, schedule: 'simultaneous', evaluateEachEpoch: false }, progress, history: [], run: {} });
    const manifest = await readCheckpointManifest(dir);
    expect(manifest.model).toMatchObject({ model: 'ff', objective: 'ff', width: 16 });
    const restored = createModel(manifest.model, shape);
    await loadCheckpointInto(dir, restored, manifest);
    const names = model.namedWeights().map((w) => w.name);
    expect(names).toContain('layer-1/peer-norm/running-mean');
    const { xs } = firstBatch(8);
    const a = model.predictLogits(xs, 'goodness').arraySync();
    const b = restored.predictLogits(xs, 'goodness').arraySync();
    expect(b).toEqual(a);
    xs.dispose();
    model.dispose();
    restored.dispose();
  });
});
