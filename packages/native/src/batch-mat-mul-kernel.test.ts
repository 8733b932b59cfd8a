import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';
import { expectAllClose, nativeAndWasm, uniform, useWasm } from './native-test-utils';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

itRequiresAddon();

describe.skipIf(SKIP_NATIVE)('native BatchMatMul matches wasm', () => {
  beforeAll(useWasm);

  // [m, k, n]: the dense cells' products (batch 128, 784 → 1000 → 1000, head 512 → 10) and odd sizes.
  const SIZES: Array<[number, number, number]> = [
    [128, 784, 1000],
    [128, 1000, 1000],
    [128, 1000, 512],
    [128, 512, 10],
    [1, 1, 1],
    [3, 1, 127],
    [127, 3, 1001],
    [1001, 127, 3],
    [1, 1001, 1],
  ];
  for (const [m, k, n] of SIZES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${m}x${k}·${k}x${n} transposeA=${transposeA} transposeB=${transposeB}`, () => {
          const result = nativeAndWasm(() =>
            tf.tidy(() => {
              const a = uniform(transposeA ? [k, m] : [m, k], m + k);
              const b = uniform(transposeB ? [n, k] : [k, n], k + n);
              return tf.matMul(a, b, transposeA, transposeB);
            }),
          );
          expectAllClose(result);
        });
      }
    }
  }

  it('batched products with a broadcast operand, all transpose combinations', () => {
    for (const [aShape, bShape] of [
      [[4, 5, 7], [4, 7, 3]],
      [[4, 5, 7], [1, 7, 3]],
      [[1, 5, 7], [6, 7, 3]],
      [[5, 7], [2, 3, 7, 3]],
    ] as Array<[number[], number[]]>) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const at = tA ? [...aShape.slice(0, -2), aShape.at(-1)!, aShape.at(-2)!] : aShape;
          const bt = tB ? [...bShape.slice(0, -2), bShape.at(-1)!, bShape.at(-2)!] : bShape;
          expectAllClose(nativeAndWasm(() => tf.tidy(() => tf.matMul(uniform(at, 1), uniform(bt, 2), tA, tB))), 1e-5, `${at}·${bt}`);
        }
      }
    }
  });

  it('broadcasts batch dims of rank 4 the way tfjs does (against a float64 reference)', () => {
    registerNativeKernels();
    try {
      const a = uniform([2, 1, 3, 4], 3);
      const b = uniform([1, 3, 4, 2], 4);
      const out = tf.engine().runKernel(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor;
      expect(out.shape).toEqual([2, 3, 3, 2]);
      const av = a.arraySync() as number[][][][];
      const bv = b.arraySync() as number[][][][];
      const ov = out.arraySync() as number[][][][];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 3; j++)
          for (let r = 0; r < 3; r++)
            for (let c = 0; c < 2; c++) {
              let sum = 0;
              for (let t = 0; t < 4; t++) sum += av[i]![0]![r]![t]! * bv[0]![j]![t]![c]!;
              expect(ov[i]![j]![r]![c]!).toBeCloseTo(sum, 5);
            }
      tf.dispose([a, b, out]);
    } finally {
      unregisterNativeKernels();
    }
  });

  it('gradients of a small dense net (two layers, relu, MSE) match wasm', () => {
    const result = nativeAndWasm(() =>
      tf.tidy(() => {
        const x = uniform([64, 30], 1);
        const target = uniform([64, 10], 2);
        const f = (w1: tf.Tensor, w2: tf.Tensor): tf.Scalar => tf.losses.meanSquaredError(target, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)) as tf.Scalar;
        return tf.grads(f)([uniform([30, 50], 3), uniform([50, 10], 4)]);
      }),
    );
    expectAllClose(result);
  });

  it('leaks no tensors over repeated products and gradients', () => {
    registerNativeKernels();
    try {
      const a = uniform([64, 100], 5);
      const b = uniform([100, 30], 6);
      const step = (): void => {
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]);
        tf.dispose([ga!, gb!]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b]);
    } finally {
      unregisterNativeKernels();
    }
  });
});

describe.skipIf(SKIP_NATIVE)('registerNativeKernels', () => {
  beforeAll(useWasm);

  it('replaces the wasm kernels idempotently and restores them on unregister', () => {
    const original = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    registerNativeKernels();
    const native = tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc;
    registerNativeKernels();
    expect(native).not.toBe(original);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc).toBe(native);
    unregisterNativeKernels();
    unregisterNativeKernels();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')!.kernelFunc).toBe(original);
  });
});
