import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from './resolve-backend';

// Reference results come from the cpu backend, whose BatchMatMul is untouched.
async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await resolveBackend(name, { quiet: true });
  return f();
}

describe('wasm transposed matMul', () => {
  beforeAll(async () => {
    await resolveBackend('wasm', { quiet: true });
  });
  afterAll(async () => {
    await resolveBackend('wasm', { quiet: true });
  });

  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['aᵀ·b', [7, 5], [7, 3], true, false],
    ['a·bᵀ', [5, 7], [3, 7], false, true],
    ['aᵀ·bᵀ', [7, 5], [3, 7], true, true],
    ['batched aᵀ·b', [2, 7, 5], [2, 7, 3], true, false],
  ];
  for (const [label, aShape, bShape, ta, tb] of cases) {
    it(`${label} equals the cpu result and leaks nothing`, async () => {
      const aValues = Array.from({ length: aShape.reduce((x, y) => x * y) }, (_, i) => Math.sin(i + 1));
      const bValues = Array.from({ length: bShape.reduce((x, y) => x * y) }, (_, i) => Math.cos(i * 0.7));
      const run = () =>
        tf.tidy(() => Array.from(tf.matMul(tf.tensor(aValues, aShape), tf.tensor(bValues, bShape), ta, tb).dataSync()));
      const expected = await onBackend('cpu', run);
      const before = await onBackend('wasm', () => tf.memory().numTensors);
      const got = run();
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    });
  }

  it('dense gradients (which transpose) match the cpu backend', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [4, 6]);
        const w = tf.tensor2d(Array.from({ length: 18 }, (_, i) => Math.cos(i)), [6, 3]);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([x, w]);
        return [...gx!.dataSync(), ...gw!.dataSync()];
      });
    const expected = await onBackend('cpu', grads);
    const got = await onBackend('wasm', grads);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
  });
});
