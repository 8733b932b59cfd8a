import { registry, tf } from '@localbp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import './index';
import { createDenoisingObjective } from './denoising-objective';
import { createBceObjective, createMseObjective } from './reconstruction-objectives';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('reconstruction objectives', () => {
  it('mse is the mean of squared differences', () => {
    const target = tf.tensor2d([[0, 1], [0.5, 0.25]]);
    const pred = tf.tensor2d([[0.5, 1], [0, 0.25]]);
    expect(value(createMseObjective().loss(target, pred))).toBeCloseTo((0.25 + 0 + 0.25 + 0) / 4, 6);
    tf.dispose([target, pred]);
  });

  it('bce matches -mean(t·log p + (1-t)·log(1-p)) and stays finite at 0 and 1', () => {
    const target = tf.tensor1d([1, 0, 0.5]);
    const pred = tf.tensor1d([0.9, 0.2, 0.5]);
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.5)) / 3;
    expect(value(createBceObjective().loss(target, pred))).toBeCloseTo(expected, 5);
    const hard = tf.tensor1d([0, 1]);
    expect(Number.isFinite(value(createBceObjective().loss(tf.tensor1d([1, 0]), hard)))).toBe(true);
    tf.dispose([target, pred, hard]);
    expect(createBceObjective().requiresUnitRange).toBe(true);
    expect(createMseObjective().requiresUnitRange).toBe(false);
  });

  it('rejects options it does not know', () => {
    expect(() => createMseObjective({ reduction: 'sum' })).toThrow();
  });
});

describe('denoising objective', () => {
  const clean = () => tf.fill([200, 50], 0.5);

  it('adds Gaussian noise of the requested sigma, reproducibly from the seed', () => {
    const objective = createDenoisingObjective({ noise: 'gaussian', level: 0.1 });
    const x = clean();
    const a = objective.corrupt(x, 11);
    const b = objective.corrupt(x, 11);
    const c = objective.corrupt(x, 12);
    const noise = tf.sub(a, x);
    const { mean, variance } = tf.moments(noise);
    expect(Math.abs(value(mean))).toBeLessThan(0.01);
    expect(Math.sqrt(value(variance))).toBeCloseTo(0.1, 2);
    expect(value(tf.max(tf.abs(tf.sub(a, b))))).toBe(0);
    expect(value(tf.max(tf.abs(tf.sub(a, c))))).toBeGreaterThan(0);
    tf.dispose([x, a, b, c, noise]);
  });

  it('masking zeroes about the requested fraction of values', () => {
    const objective = createDenoisingObjective({ noise: 'masking', level: 0.3 });
    const x = clean();
    const y = objective.corrupt(x, 5);
    const zeroFraction = value(tf.mean(tf.cast(tf.equal(y, 0), 'float32')));
    expect(zeroFraction).toBeGreaterThan(0.27);
    expect(zeroFraction).toBeLessThan(0.33);
    const kept = value(tf.max(y));
    expect(kept).toBe(0.5);
    tf.dispose([x, y]);
  });

  it('defaults to Gaussian sigma 0.1 with MSE and records its options', () => {
    const objective = createDenoisingObjective();
    expect(objective.options).toEqual({ noise: 'gaussian', level: 0.1, loss: 'mse' });
    expect(objective.requiresUnitRange).toBe(false);
    expect(createDenoisingObjective({ loss: 'bce' }).requiresUnitRange).toBe(true);
  });

  it('rejects impossible settings', () => {
    expect(() => createDenoisingObjective({ noise: 'masking', level: 1 })).toThrow('below 1');
    expect(() => createDenoisingObjective({ noise: 'salt' })).toThrow();
    expect(() => createDenoisingObjective({ level: -1 })).toThrow();
  });
});

describe('registration', () => {
  it('registers mse, bce and denoising in the shared registry on import', () => {
    expect(registry.ids('objective')).toEqual(expect.arrayContaining(['mse', 'bce', 'denoising']));
    expect(registry.get('objective', 'denoising')({ level: 0.2 }).options).toMatchObject({ level: 0.2 });
  });
});
