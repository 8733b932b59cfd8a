import { AdamWOptimizer, tf } from '@localbp/core';
import { subset, loadDataset } from '@localbp/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyLearningRateScale, learningRateScale, learningRateScheduleSchema } from './learning-rate-schedule';
import { LbpModel } from './lbp-model';
import { LocalTrainer } from './local-trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learningRateScale', () => {
  it('is 1 throughout a constant schedule', () => {
    const constant = learningRateScheduleSchema.parse({ type: 'constant' });
    expect([0, 5, 99].map((p) => learningRateScale(constant, p, 100))).toEqual([1, 1, 1]);
  });

  it('decays along a half cosine from 1 to `final` over the phase', () => {
    const cosine = learningRateScheduleSchema.parse({ type: 'cosine', final: 0.1 });
    expect(learningRateScale(cosine, 0, 101)).toBeCloseTo(1, 12);
    expect(learningRateScale(cosine, 50, 101)).toBeCloseTo(0.55, 12);
    expect(learningRateScale(cosine, 100, 101)).toBeCloseTo(0.1, 12);
    // Past the end (a resumed run with more steps) it stays at the floor.
    expect(learningRateScale(cosine, 500, 101)).toBeCloseTo(0.1, 12);
    const values = Array.from({ length: 101 }, (_, p) => learningRateScale(cosine, p, 101));
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
  });

  it('warms up linearly before decaying', () => {
    const warm = learningRateScheduleSchema.parse({ type: 'cosine', final: 0, warmup: 0.5 });
    expect(learningRateScale(warm, 0, 101)).toBeCloseTo(0, 12);
    expect(learningRateScale(warm, 25, 101)).toBeCloseTo(0.5, 12);
    expect(learningRateScale(warm, 50, 101)).toBeCloseTo(1, 12);
    expect(learningRateScale(warm, 100, 101)).toBeCloseTo(0, 12);
  });

  it('rejects a floor outside [0, 1] and unknown schedule types', () => {
    expect(() => learningRateScheduleSchema.parse({ type: 'cosine', final: 2 })).toThrow();
    expect(() => learningRateScheduleSchema.parse({ type: 'step' })).toThrow();
  });
});

describe('applyLearningRateScale', () => {
  it('scales AdamW steps and decay, and counts optimizers that cannot follow', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const adamw = new AdamWOptimizer(0.1, 0.5);
    const plain = tf.train.sgd(0.1);
    const unsupported = applyLearningRateScale(
      {
        optimizerSlots: () => [
          { owner: 'a', optimizer: adamw, variables: () => [w] },
          { owner: 'b', optimizer: plain, variables: () => [w] },
        ],
      },
      0.25,
    );
    expect(unsupported).toBe(1);
    expect(adamw.learningRateScale).toBe(0.25);
    // A zero gradient leaves only the decoupled decay: w · (1 − lr · scale · wd).
    adamw.applyGradients({ [w.name]: tf.zerosLike(w) });
    expect(Array.from(w.dataSync())).toEqual([1 - 0.1 * 0.25 * 0.5, -2 * (1 - 0.1 * 0.25 * 0.5)].map((x) => Math.fround(x)));
    w.dispose();
    adamw.dispose();
    plain.dispose();
  });

  it('drives every optimizer of a model along the schedule during fit, ending at the floor', async () => {
    const data = loadDataset('mnist');
    const model = LbpModel.create(
      { width: 8, cells: [{ type: 'ae' }, { type: 'ae' }], head: { hidden: [] }, seed: 3 },
      { imageShape: data.info.imageShape, numClasses: 10 },
    );
    const seen: number[][] = [];
    const scales = () => model.optimizerSlots().map((s) => (s.optimizer as AdamWOptimizer).learningRateScale);
    await new LocalTrainer(model).fit(subset(data.train, 96), {
      epochs: 2,
      batchSize: 32,
      lrSchedule: { type: 'cosine', final: 0.2 },
      evaluateEachEpoch: false,
      callbacks: { onBatchEnd: () => void seen.push(scales()) },
    });
    expect(seen).toHaveLength(6);
    for (const row of seen) expect(new Set(row).size).toBe(1);
    expect(seen[0]![0]).toBeCloseTo(1, 12);
    expect(seen[5]![0]).toBeCloseTo(0.2, 12);
    expect(seen.map((r) => r[0]!)).toEqual([...seen.map((r) => r[0]!)].sort((a, b) => b - a));
    // A later fit at a constant rate starts from the full rate again, not from the floor.
    await new LocalTrainer(model).fit(subset(data.train, 32), { epochs: 1, batchSize: 32, evaluateEachEpoch: false });
    expect(scales()).toEqual(scales().map(() => 1));
    model.dispose();
  });
});
