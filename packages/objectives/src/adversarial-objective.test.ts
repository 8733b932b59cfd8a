import { registry, tf } from '@localbp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import './index';
import { createAdversarialObjective } from './adversarial-objective';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('adversarial objective', () => {
  it('is registered and gives the non-saturating losses on logits', () => {
    expect(registry.get('objective', 'adversarial')({}).kind).toBe('adversarial');
    const o = createAdversarialObjective();
    const real = tf.tensor1d([2, -1]);
    const fake = tf.tensor1d([0, 3]);
    const softplus = (x: number) => Math.log1p(Math.exp(x));
    // D: -log σ(real) - log(1 - σ(fake)) = softplus(-real) + softplus(fake), batch means.
    expect(value(o.discriminatorLoss(real, fake))).toBeCloseTo((softplus(-2) + softplus(1)) / 2 + (softplus(0) + softplus(3)) / 2, 5);
    // G: -log σ(fake).
    expect(value(o.generatorLoss(fake))).toBeCloseTo((softplus(0) + softplus(-3)) / 2, 5);
    tf.dispose([real, fake]);
  });

  it('stays finite for extreme logits and applies one-sided label smoothing', () => {
    const o = createAdversarialObjective({ labelSmoothing: 0.1 });
    const big = tf.tensor1d([500, -500]);
    const d = value(o.discriminatorLoss(big, big));
    expect(Number.isFinite(d)).toBe(true);
    // Real logit 0 with target 0.9: softplus(0) - 0.9·0 = ln 2, regardless of smoothing.
    const zero = tf.tensor1d([0]);
    const neg = tf.tensor1d([-50]);
    expect(value(o.discriminatorLoss(zero, neg))).toBeCloseTo(Math.log(2), 5);
    tf.dispose([big, zero, neg]);
    expect(() => createAdversarialObjective({ labelSmoothing: 0.9 })).toThrow();
  });
});
