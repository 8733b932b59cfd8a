import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamWOptimizer } from './adamw-optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

/** Reference AdamW (PyTorch's update order: decay, then Adam step) on plain numbers. */
function referenceAdamW(w0: number[], grads: number[][], lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < w.length; i++) {
      w[i]! *= 1 - lr * wd;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      w[i]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  });
  return w;
}

describe('AdamWOptimizer', () => {
  it('matches the PyTorch AdamW update rule', () => {
    const w0 = [0.5, -1.5, 2];
    const grads = [
      [0.1, -0.2, 0.3],
      [0.05, 0.4, -0.1],
      [-0.3, 0.1, 0.2],
    ];
    const variable = tf.variable(tf.tensor1d(w0));
    const opt = new AdamWOptimizer(0.01, 0.1);
    for (const g of grads) {
      const gt = tf.tensor1d(g);
      opt.applyGradients({ [variable.name]: gt });
      gt.dispose();
    }
    const expected = referenceAdamW(w0, grads, 0.01, 0.1);
    const got = Array.from(variable.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
    opt.dispose();
    variable.dispose();
  });

  it('exports and imports its state by variable order, continuing identically', () => {
    const run = (split: boolean) => {
      const a = tf.variable(tf.tensor1d([1, 2, 3]));
      let opt = new AdamWOptimizer(0.05, 0.01);
      const step = () => {
        const loss = opt.minimize(() => tf.sum(tf.square(tf.sub(a, 0.5))) as tf.Scalar, true, [a]);
        loss?.dispose();
      };
      step();
      step();
      if (split) {
        const state = opt.exportState([a]);
        opt.dispose();
        opt = new AdamWOptimizer(0.05, 0.01);
        opt.importState([a], state);
        tf.dispose(state.tensors);
      }
      step();
      const out = Array.from(a.dataSync());
      opt.dispose();
      a.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('refuses state that does not fit the variables', () => {
    const a = tf.variable(tf.zeros([2]));
    const opt = new AdamWOptimizer(0.01, 0);
    const bad = [tf.zeros([3]), tf.zeros([3])];
    expect(() => opt.importState([a], { step: 1, tensors: bad })).toThrow('does not match');
    expect(() => opt.importState([a], { step: 1, tensors: [bad[0]!] })).toThrow('expected 2');
    tf.dispose(bad);
    opt.dispose();
    a.dispose();
  });

  it('leaks no tensors across steps once its slots exist', () => {
    const a = tf.variable(tf.randomNormal([4, 4]));
    const opt = new AdamWOptimizer(0.01, 0.01);
    const step = () => opt.minimize(() => tf.sum(tf.square(a)) as tf.Scalar, false, [a]);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    a.dispose();
  });
});
