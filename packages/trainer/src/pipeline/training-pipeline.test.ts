import { Registry, registry, resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FfModel } from '../ff-model';
import { LbpModel } from '../lbp-model';
import { LocalTrainer, type FitResult } from '../local-trainer';
import type { LbpModelConfigInput } from '../training-config';
import './register-worker-pipeline';

let train: LabeledSplit;
let test: LabeledSplit;
const shape = { imageShape: [28, 28, 1], numClasses: 10 };

beforeAll(async () => {
  await resolveBackend('wasm');
  const mnist = loadDataset('mnist');
  train = subset(mnist.train, 640);
  test = subset(mnist.test, 200);
});

const config = (cells: string[]): LbpModelConfigInput => ({ cells: cells.map((type) => ({ type })), width: 40, seed: 7, head: { hidden: [32] } });

async function trainWith(workers: number, cells: string[], extra: { epochs?: number; lrSchedule?: 'cosine' } = {}): Promise<{ weights: Float32Array[]; result: FitResult; model: LbpModel }> {
  const model = LbpModel.create(config(cells), shape);
  const result = await new LocalTrainer(model).fit(train, {
    epochs: extra.epochs ?? 2,
    batchSize: 32,
    test,
    ...(extra.lrSchedule ? { lrSchedule: { type: 'cosine' as const } } : {}),
    ...(workers > 1 ? { pipeline: { workers, backend: 'wasm' } } : {}),
  });
  const weights = model.namedWeights().map((w) => (w.tensor.dataSync() as Float32Array).slice());
  return { weights, result, model };
}

function expectBitIdentical(a: Float32Array[], b: Float32Array[]): void {
  expect(b.length).toBe(a.length);
  a.forEach((w, i) => {
    const x = new Uint32Array(w.buffer, w.byteOffset, w.length);
    const y = new Uint32Array(b[i]!.buffer, b[i]!.byteOffset, b[i]!.length);
    let differing = 0;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) differing++;
    expect(differing, `weight tensor ${i} differs in ${differing} of ${x.length} values`).toBe(0);
  });
}

describe('cells that train at the same time (worker pipeline)', () => {
  it('trains weights bit-identical to one thread, with 2 and 4 workers, and the same losses and accuracy', async () => {
    const one = await trainWith(1, ['ae', 'dae', 'ae']);
    const two = await trainWith(2, ['ae', 'dae', 'ae']);
    expect(two.result.pipeline?.stages.length).toBe(2);
    expectBitIdentical(one.weights, two.weights);
    expect(two.result.epochs.map((e) => e.losses)).toEqual(one.result.epochs.map((e) => e.losses));
    expect(two.result.testAccuracy).toBe(one.result.testAccuracy);
    const four = await trainWith(4, ['ae', 'dae', 'ae']);
    expect(four.result.pipeline?.stages.map((s) => s.parts)).toEqual([['cell-1'], ['cell-2'], ['cell-3'], ['head']]);
    expectBitIdentical(one.weights, four.weights);
    for (const r of [one, two, four]) r.model.dispose();
  });

  it('with syncEvery, callbacks see the model exactly as one thread has it after those steps, and as of the last sync between them', async () => {
    const snapshots = async (workers: number) => {
      const model = LbpModel.create(config(['ae', 'ae']), shape);
      const weightSum = () => model.namedWeights().reduce((acc, w) => acc + tf.tidy(() => w.tensor.sum().dataSync()[0] ?? 0), 0);
      // seen[s]: the model as the callback of step s sees it (seen[0]: before training).
      const seen: number[] = [weightSum()];
      await new LocalTrainer(model).fit(subset(train, 320), {
        epochs: 1,
        batchSize: 32,
        ...(workers > 1 ? { pipeline: { workers, backend: 'wasm', syncEvery: 4 } } : {}),
        callbacks: { onBatchEnd: () => void seen.push(weightSum()) },
      });
      model.dispose();
      return seen;
    };
    const one = await snapshots(1);
    const two = await snapshots(2);
    expect(one).toHaveLength(11);
    expect(two).toHaveLength(11);
    // Steps 4 and 8 are synced; the other steps still see the previous sync (step 10 is the epoch's last batch,
    // whose callback comes before the end-of-epoch sync).
    expect(two.map((_, s) => (s === 0 ? 0 : Math.floor(s / 4) * 4)).map((k) => one[k])).toEqual(two);
  });

  it('follows a decaying learning-rate schedule exactly', async () => {
    const one = await trainWith(1, ['ae', 'ae'], { epochs: 1, lrSchedule: 'cosine' });
    const two = await trainWith(2, ['ae', 'ae'], { epochs: 1, lrSchedule: 'cosine' });
    expectBitIdentical(one.weights, two.weights);
    one.model.dispose();
    two.model.dispose();
  });

  it('serves Forward-Forward layers too: ff and symba train bit-identical to one thread; hard negatives stay on one thread', async () => {
    for (const objective of ['ff', 'symba'] as const) {
      const run = async (workers: number) => {
        const model = FfModel.create({ width: 48, layers: 3, seed: 3, objective }, shape);
        const result = await new LocalTrainer(model).fit(train, {
          epochs: 1,
          batchSize: 32,
          test,
          ...(workers > 1 ? { pipeline: { workers, backend: 'wasm' } } : {}),
        });
        const weights = model.namedWeights().map((w) => (w.tensor.dataSync() as Float32Array).slice());
        model.dispose();
        return { weights, result };
      };
      const one = await run(1);
      const three = await run(3);
      expect(three.result.pipeline?.stages).toHaveLength(3);
      expectBitIdentical(one.weights, three.weights);
      expect(three.result.epochs[0]!.losses).toEqual(one.result.epochs[0]!.losses);
      expect(three.result.testAccuracy).toBe(one.result.testAccuracy);
    }
    const hard = FfModel.create({ width: 16, layers: 2, seed: 3, negatives: 'hard' }, shape);
    const result = await new LocalTrainer(hard).fit(subset(train, 64), { epochs: 1, batchSize: 32, pipeline: { workers: 2, backend: 'wasm' } });
    expect(result.pipeline).toBeUndefined();
    hard.dispose();
  });

  it('falls back to one thread, saying why, when the workers cannot rebuild the model', async () => {
    // A cell only this private registry knows: worker threads build from the shared registry and plugins.
    const own = new Registry();
    for (const kind of ['cell', 'objective'] as const) for (const id of registry.ids(kind)) own.register(kind, id, registry.get(kind, id) as never);
    own.register('cell', 'private-ae', registry.get('cell', 'ae'));
    const model = LbpModel.create({ ...config(['private-ae', 'ae']), cells: [{ type: 'private-ae' }, { type: 'ae' }] }, shape, own);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const result = await new LocalTrainer(model).fit(subset(train, 128), { epochs: 1, batchSize: 32, test, pipeline: { workers: 2, backend: 'wasm' } });
      expect(result.status).toBe('completed');
      expect(result.pipeline).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/cannot train in worker threads here \(.*private-ae.*\); training on one thread/));
    } finally {
      warn.mockRestore();
      model.dispose();
    }
  });

  it('leaks no tensors on the main thread across epochs', async () => {
    const model = LbpModel.create(config(['ae', 'ae']), shape);
    const trainer = new LocalTrainer(model);
    const counts: number[] = [];
    const result = await trainer.fit(train, {
      epochs: 3,
      batchSize: 64,
      test,
      pipeline: { workers: 2, backend: 'wasm' },
      callbacks: { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
    });
    expect(result.pipeline?.stages).toHaveLength(2);
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(trainer.peakTensorBytes).toBeGreaterThan(0);
    model.dispose();
  });
});
