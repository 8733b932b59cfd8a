import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';
import { expectAllClose, nativeAndWasm, uniform, useWasm } from './native-test-utils';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';
import { leadingReduction } from './sum-kernel';

itRequiresAddon();

describe('which reductions the native Sum takes', () => {
  it('only leading axes of float32 tensors, not all of them', () => {
    expect(leadingReduction([128, 1000], 0, 'float32')).toEqual({ reduced: 1, outer: 128, inner: 1000 });
    expect(leadingReduction([128, 1000], [-2], 'float32')).toEqual({ reduced: 1, outer: 128, inner: 1000 });
    expect(leadingReduction([4, 7, 7, 32], [2, 0, 1], 'float32')).toEqual({ reduced: 3, outer: 196, inner: 32 });
    expect(leadingReduction([128, 1000], 1, 'float32')).toBeNull();
    expect(leadingReduction([128, 1000], [0, 1], 'float32')).toBeNull();
    expect(leadingReduction([4, 5, 6], [0, 2], 'float32')).toBeNull();
    expect(leadingReduction([128, 1000], 0, 'int32')).toBeNull();
    expect(leadingReduction([0, 5], 0, 'float32')).toBeNull();
  });
});

describe.skipIf(SKIP_NATIVE)('native Sum matches wasm', () => {
  beforeAll(useWasm);

  // The batch reductions of bias and layer-norm gradients (dense and conv), odd sizes, keepDims, and shapes the
  // native kernel hands back to wasm (inner axes, every axis, int32).
  const CASES: Array<{ shape: number[]; axis: number | number[]; keepDims?: boolean; dtype?: 'float32' | 'int32' }> = [
    { shape: [128, 1000], axis: 0 },
    { shape: [128, 784], axis: [0] },
    { shape: [128, 10], axis: -2, keepDims: true },
    { shape: [1, 1], axis: 0 },
    { shape: [127, 3], axis: 0 },
    { shape: [128, 14, 14, 32], axis: [0, 1, 2] },
    { shape: [3, 5, 7, 2], axis: [1, 0], keepDims: true },
    { shape: [128, 1000], axis: 1 },
    { shape: [128, 1000], axis: [0, 1] },
    { shape: [4, 5, 6], axis: [0, 2] },
    { shape: [9, 4], axis: 0, dtype: 'int32' },
  ];
  for (const { shape, axis, keepDims = false, dtype = 'float32' } of CASES) {
    it(`[${shape}] over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}${dtype === 'int32' ? ', int32' : ''}`, () => {
      const result = nativeAndWasm(() =>
        tf.tidy(() => {
          const x = dtype === 'int32' ? tf.cast(tf.mul(uniform(shape, 3), 50), 'int32') : uniform(shape, shape.length + shape[0]!);
          const sum = tf.sum(x, axis, keepDims);
          return dtype === 'int32' ? tf.cast(sum, 'float32') : sum;
        }),
      );
      expectAllClose(result, 1e-5, JSON.stringify({ shape, axis }));
    });
  }

  it('keeps shapes and leaks nothing, through gradients too', () => {
    registerNativeKernels();
    try {
      const bias = tf.variable(uniform([4], 2));
      const run = () =>
        tf.tidy(() => {
          const x = uniform([6, 4], 1);
          const grad = tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.add(x, b))))(bias);
          const kept = tf.sum(uniform([2, 3, 4], 5), [0, 1], true);
          return [grad.shape, kept.shape, tf.sum(uniform([2, 3, 4], 5), [0]).shape];
        });
      run(); // tfjs keeps a few constants from the first gradient
      const before = tf.memory().numTensors;
      const shapes = run();
      expect(tf.memory().numTensors).toBe(before);
      bias.dispose();
      expect(shapes).toEqual([[4], [1, 1, 4], [3, 4]]);
    } finally {
      unregisterNativeKernels();
    }
  });
});
