import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from './resolve-backend';

beforeAll(async () => {
  await resolveBackend('wasm', { quiet: true });
});

describe('wasm Identity shares data instead of copying', () => {
  it('a clone shares the data until both are gone; disposing either leaves the other intact', () => {
    const before = tf.memory();
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect((tf.backend() as unknown as { refCount(id: object): number }).refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('gradients that save inputs for the backward pass match the cpu backend and leak nothing', async () => {
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.relu(tf.matMul(a, b)), tf.sigmoid(a.sum(1, true))));
    const run = () =>
      tf.tidy(() => {
        const a = tf.randomUniform([5, 7], -1, 1, 'float32', 3);
        const b = tf.randomUniform([7, 4], -1, 1, 'float32', 4);
        return tf.grads(f)([a, b]).map((g) => Array.from(g.dataSync()));
      });
    const count = tf.memory().numTensors;
    const onWasm = run();
    expect(tf.memory().numTensors).toBe(count);
    await resolveBackend('cpu', { quiet: true });
    const onCpu = run();
    await resolveBackend('wasm', { quiet: true });
    onWasm.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(onCpu[i]![j]!, 5)));
  });

  it('a variable assigned from a clone keeps its value when the clone is disposed', () => {
    const v = tf.variable(tf.zeros([3]));
    const value = tf.tensor1d([5, 6, 7]);
    const c = tf.clone(value);
    v.assign(c);
    c.dispose();
    value.dispose();
    expect(Array.from(v.dataSync())).toEqual([5, 6, 7]);
    v.dispose();
  });
});
