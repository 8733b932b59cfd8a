import { isGoodnessObjective, registry, tf, type GoodnessBatchInfo } from '@localbp/core';
import { countLeakedTensors } from '@localbp/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import './index';
import { channelGroupGoodness, createCwcompObjective } from './channel-competitive-objective';
import { createFfObjective, createSymbaObjective } from './forward-forward-objectives';
import { goodnessOf } from './goodness';
import { blurredMask, hybridImages, otherImages } from './mixing-negatives';
import { createHybridObjective, createScffObjective } from './unsupervised-ff-objectives';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};
const softplus = (x: number) => Math.log(1 + Math.exp(x));

// Two positive rows then two negative rows of a 3-unit layer.
const activity = () => tf.tensor2d([[1, 2, 0], [0, 1, 1], [2, 0, 0], [1, 1, 1]]);
const info = (labels: number[] = [0, 0], positives = 2): GoodnessBatchInfo => ({
  positives,
  labels: tf.tensor1d(labels),
  numClasses: 2,
});

describe('goodness', () => {
  it('is the sum (or mean) of squared activities per example', () => {
    const a = activity();
    expect(Array.from(goodnessOf(a, 'sum-squares').dataSync())).toEqual([5, 2, 4, 3]);
    const mean = Array.from(goodnessOf(a, 'mean-squares').dataSync());
    [5 / 3, 2 / 3, 4 / 3, 1].forEach((g, i) => expect(mean[i]).toBeCloseTo(g, 6));
    a.dispose();
  });
});

describe('ff objective', () => {
  it('uses softplus(θ − G) for positives and softplus(G − θ) for negatives with θ = layer width', () => {
    const a = activity();
    const b = info();
    // θ = 3 units.
    const expected = (softplus(3 - 5) + softplus(3 - 2) + softplus(4 - 3) + softplus(3 - 3)) / 4;
    expect(value(createFfObjective().loss(a, b))).toBeCloseTo(expected, 5);
    tf.dispose([a, b.labels]);
  });

  it('mean-square goodness defaults to θ = 2, and an explicit θ wins', () => {
    const a = activity();
    const b = info();
    const g = [5 / 3, 2 / 3, 4 / 3, 1];
    const meanSq = (g0: number, g1: number, g2: number, g3: number, t: number) =>
      (softplus(t - g0) + softplus(t - g1) + softplus(g2 - t) + softplus(g3 - t)) / 4;
    expect(value(createFfObjective({ goodness: 'mean-squares' }).loss(a, b))).toBeCloseTo(meanSq(g[0]!, g[1]!, g[2]!, g[3]!, 2), 5);
    expect(value(createFfObjective({ threshold: 4 }).loss(a, b))).toBeCloseTo(meanSq(5, 2, 4, 3, 4), 5);
    tf.dispose([a, b.labels]);
  });

  it('summarizes mean goodness of positive and negative rows', () => {
    const a = activity();
    const b = info();
    const s = createFfObjective().goodnessSummary(a, b);
    expect(value(s.positive)).toBeCloseTo(3.5, 6);
    expect(value(s.negative)).toBeCloseTo(3.5, 6);
    tf.dispose([a, b.labels]);
  });

  it('builds positives with the true label and negatives with a wrong one, stacked in one batch', () => {
    const images = tf.fill([3, 4, 4, 1], 0.5);
    const labels = tf.tensor1d([0, 1, 2]);
    const { input, positives } = createFfObjective().trainingInput(images, labels, { seed: 3, numClasses: 3 });
    expect(positives).toBe(3);
    expect(input.shape).toEqual([6, 16]);
    const rows = (input as tf.Tensor2D).arraySync();
    expect(rows.slice(0, 3).map((r) => r.slice(0, 3))).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    rows.slice(3).forEach((r, i) => {
      expect(r.slice(0, 3).reduce((a, v) => a + v, 0)).toBe(1);
      expect(r[i]).toBe(0);
    });
    tf.dispose([images, labels, input]);
  });
});

describe('symba objective', () => {
  it('is softplus(−α (G⁺ − G⁻)) over positive/negative pairs, α = 4', () => {
    const a = activity();
    const b = info();
    const expected = (softplus(-4 * (5 - 4)) + softplus(-4 * (2 - 3))) / 2;
    expect(value(createSymbaObjective().loss(a, b))).toBeCloseTo(expected, 5);
    expect(value(createSymbaObjective({ alpha: 1 }).loss(a, b))).toBeCloseTo((softplus(-1) + softplus(1)) / 2, 5);
    const unpaired = info([0], 1);
    expect(() => createSymbaObjective().loss(a, unpaired)).toThrow('pairs');
    tf.dispose([a, b.labels, unpaired.labels]);
  });
});

describe('hybrid negatives', () => {
  it('the blurred mask is binary, about half on, and made of coherent regions', () => {
    const mask = blurredMask(8, 28, 28, 5, 10);
    const values = mask.dataSync();
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    const on = Array.from(values).reduce((a: number, v: number) => a + v, 0) / values.length;
    expect(on).toBeGreaterThan(0.2);
    expect(on).toBeLessThan(0.8);
    // Neighbouring pixels disagree far less often than in an unblurred random bit image (about half).
    const edges = (m: tf.Tensor4D) =>
      value(tf.tidy(() => tf.mean(tf.notEqual(tf.slice(m, [0, 0, 1, 0], [-1, -1, 27, -1]), tf.slice(m, [0, 0, 0, 0], [-1, -1, 27, -1])).asType('float32'))));
    expect(edges(mask)).toBeLessThan(0.15);
    const raw = blurredMask(8, 28, 28, 5, 0);
    expect(edges(raw)).toBeGreaterThan(0.4);
    tf.dispose([mask, raw]);
  });

  it('mixes each image with another image of the batch, pixel by pixel', () => {
    const images = tf.tidy(() => tf.concat([tf.zeros([1, 6, 6, 1]), tf.ones([1, 6, 6, 1]), tf.fill([1, 6, 6, 1], 0.5)]) as tf.Tensor4D);
    const partner = otherImages(images, 7).arraySync() as number[][][][];
    const mixed = hybridImages(images, 7, 3).arraySync();
    const source = images.arraySync();
    for (let n = 0; n < 3; n++) {
      expect(partner[n]![0]![0]![0]).not.toBe(source[n]![0]![0]![0]);
      for (const [r, row] of mixed[n]!.entries()) {
        for (const [c, px] of row.entries()) expect([source[n]![r]![c]![0], partner[n]![r]![c]![0]]).toContain(px[0]);
      }
    }
    images.dispose();
  });

  it('the hybrid objective feeds real images as positives and hybrids as negatives', () => {
    const images = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 2);
    const labels = tf.tensor1d([0, 1, 2, 3]);
    const objective = createHybridObjective();
    const { input, positives } = objective.trainingInput(images, labels, { seed: 1, numClasses: 10 });
    expect(positives).toBe(4);
    expect(input.shape).toEqual([8, 64]);
    const diff = value(tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(input, 0, 4), tf.reshape(images, [4, 64]))))));
    expect(diff).toBe(0);
    expect(objective.embedsLabel).toBe(false);
    expect(objective.inputShape([8, 8, 1])).toEqual([64]);
    tf.dispose([images, labels, input]);
  });
});

describe('self-contrastive FF', () => {
  it('positive = concat(x, x), negative = concat(x, x′) with x′ another image', () => {
    const images = tf.tidy(() => tf.reshape(tf.range(0, 3 * 4), [3, 2, 2, 1]));
    const labels = tf.tensor1d([0, 1, 2]);
    const objective = createScffObjective();
    expect(objective.inputShape([2, 2, 1])).toEqual([8]);
    const { input, positives } = objective.trainingInput(images, labels, { seed: 4, numClasses: 10 });
    expect(positives).toBe(3);
    const rows = (input as tf.Tensor2D).arraySync();
    expect(rows[0]).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      expect(rows[3 + i]!.slice(0, 4)).toEqual(rows[i]!.slice(0, 4));
      expect(rows[3 + i]!.slice(4)).not.toEqual(rows[i]!.slice(0, 4));
    }
    const inference = objective.inferenceInput(images, 10) as tf.Tensor2D;
    expect(inference.arraySync()[1]).toEqual([4, 5, 6, 7, 4, 5, 6, 7]);
    tf.dispose([images, labels, input, inference]);
  });
});

describe('channel-wise competitive (CwComp)', () => {
  it('group goodness is the mean square of each class channel group, and the loss is cross-entropy over groups', () => {
    // One example, 1x1 spatial, 4 channels = 2 classes x 2 channels.
    const a = tf.tensor4d([1, 3, 2, 0], [1, 1, 1, 4]);
    expect(Array.from(channelGroupGoodness(a, 2).dataSync())).toEqual([5, 2]);
    const b = info([1], 1);
    const expected = -Math.log(Math.exp(2) / (Math.exp(5) + Math.exp(2)));
    const objective = createCwcompObjective();
    expect(value(objective.loss(a, b))).toBeCloseTo(expected, 5);
    const s = objective.goodnessSummary(a, b);
    expect(value(s.positive)).toBeCloseTo(2, 6);
    expect(value(s.negative)).toBeCloseTo(5, 6);
    expect(objective.layers).toBe('conv');
    expect(() => channelGroupGoodness(tf.zeros([1, 1, 1, 3]), 2)).toThrow('divisible');
    tf.dispose([a, b.labels]);
  });
});

describe('registration', () => {
  it('registers the five goodness objectives in the shared registry', () => {
    for (const id of ['ff', 'symba', 'hybrid', 'scff', 'cwcomp']) {
      const objective = registry.get('objective', id)({});
      expect(isGoodnessObjective(objective)).toBe(true);
      expect(objective.id).toBe(id);
    }
    expect(() => registry.get('objective', 'nope')).toThrow(/registered objectives: .*cwcomp.*ff.*hybrid.*scff.*symba/);
  });

  it('rejects unknown options', () => {
    expect(() => createFfObjective({ theta: 3 })).toThrow();
    expect(() => createSymbaObjective({ alpha: -1 })).toThrow();
  });

  it('leaks no tensors in losses, summaries and inputs', async () => {
    const a = activity();
    const b = info();
    const images = tf.randomUniform([4, 8, 8, 1]);
    const labels = tf.tensor1d([0, 1, 0, 1]);
    const leaked = await countLeakedTensors(() => {
      for (const id of ['ff', 'symba', 'hybrid', 'scff']) {
        const o = registry.get('objective', id)({});
        if (!isGoodnessObjective(o)) throw new Error(id);
        o.loss(a, b).dispose();
        const s = o.goodnessSummary(a, b);
        tf.dispose([s.positive, s.negative]);
        o.trainingInput(images, labels, { seed: 1, numClasses: 2 }).input.dispose();
        o.inferenceInput(images, 2).dispose();
      }
    });
    expect(leaked).toBe(0);
    tf.dispose([a, b.labels, images, labels]);
  });
});
