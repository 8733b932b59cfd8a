import { tf } from '@localbp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedLabel, embedLabels, embedNeutralLabel, sampleWrongLabels } from './label-embedding';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

const images = () => tf.tidy(() => tf.reshape(tf.add(tf.range(0, 2 * 16), 100), [2, 4, 4, 1]));

describe('label embedding', () => {
  it('writes the one-hot label into the first classes input values and keeps the rest of the image', () => {
    const x = images();
    const embedded = embedLabels(x, tf.tensor1d([2, 0]), 4);
    const rows = embedded.arraySync();
    expect(embedded.shape).toEqual([2, 16]);
    expect(rows[0]!.slice(0, 4)).toEqual([0, 0, 1, 0]);
    expect(rows[1]!.slice(0, 4)).toEqual([1, 0, 0, 0]);
    expect(rows[0]!.slice(4)).toEqual(Array.from({ length: 12 }, (_, i) => 104 + i));
    expect(rows[1]!.slice(4)).toEqual(Array.from({ length: 12 }, (_, i) => 120 + i));
    tf.dispose([x, embedded]);
  });

  it('embeds one label into every image, and the neutral label as 0.1 in every slot', () => {
    const x = images();
    const three = embedLabel(x, 3, 4).arraySync();
    expect(three.map((r) => r.slice(0, 4))).toEqual([[0, 0, 0, 1], [0, 0, 0, 1]]);
    const neutral = embedNeutralLabel(x, 4).arraySync();
    for (const row of neutral) for (const v of row.slice(0, 4)) expect(v).toBeCloseTo(0.1, 6);
    expect(neutral[1]!.slice(4)).toEqual(Array.from({ length: 12 }, (_, i) => 120 + i));
    x.dispose();
  });
});

describe('negative labels', () => {
  it('are never the true label over many batches, and cover every other class evenly', () => {
    const counts = new Map<number, number>();
    let bad = 0;
    for (let batch = 0; batch < 120; batch++) {
      const labels = tf.tensor1d(Array.from({ length: 128 }, (_, i) => (i * 7 + batch) % 10));
      const wrong = sampleWrongLabels(labels, 10, 1000 + batch);
      const truth = labels.dataSync();
      const negative = wrong.dataSync();
      for (let i = 0; i < truth.length; i++) {
        if (negative[i] === truth[i] || !Number.isInteger(negative[i]) || negative[i]! < 0 || negative[i]! >= 10) bad++;
        if (truth[i] === 3) counts.set(negative[i]!, (counts.get(negative[i]!) ?? 0) + 1);
      }
      tf.dispose([labels, wrong]);
    }
    expect(bad).toBe(0);
    // True class 3 appears 1536 times; each of the 9 other classes should get about 171.
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    for (const n of counts.values()) expect(Math.abs(n - 1536 / 9)).toBeLessThan(60);
  });

  it('hard negatives follow the model scores but never pick the true class, even when it scores highest', () => {
    const labels = tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 4));
    // Every row scores its own label far highest, then class (label + 1) mod 4.
    const scores = tf.tidy(() => {
      const truth = tf.oneHot(tf.cast(labels, 'int32'), 4).asType('float32');
      const next = tf.oneHot(tf.cast(tf.mod(tf.add(labels, 1), 4), 'int32'), 4).asType('float32');
      return tf.add(tf.mul(truth, 1000), tf.mul(next, 500)) as tf.Tensor2D;
    });
    for (let seed = 0; seed < 50; seed++) {
      const wrong = sampleWrongLabels(labels, 4, seed, scores);
      const truth = labels.dataSync();
      wrong.dataSync().forEach((v, i) => expect(v).toBe((truth[i]! + 1) % 4));
      wrong.dispose();
    }
    const flat = tf.zeros([64, 4]) as tf.Tensor2D;
    const spread = sampleWrongLabels(labels, 4, 9, flat);
    const truth = labels.dataSync();
    spread.dataSync().forEach((v, i) => expect(v).not.toBe(truth[i]));
    tf.dispose([labels, scores, flat, spread]);
  });

  it('needs at least two classes', () => {
    const labels = tf.tensor1d([0]);
    expect(() => sampleWrongLabels(labels, 1, 1)).toThrow('at least 2 classes');
    labels.dispose();
  });
});
