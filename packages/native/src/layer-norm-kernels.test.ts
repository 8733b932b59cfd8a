import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './layer-norm-kernels';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';
import { expectClose, uniform, useWasm } from './native-test-utils';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

itRequiresAddon();

const EPSILON = 1e-5;

/** Layer normalization over the last axis from tfjs ops, and its gradients by autodiff: the reference. */
function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  const f = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const mean = tf.mean(xs, -1, true);
    const centered = tf.sub(xs, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, EPSILON))), g), b);
  };
  const y = f(x, gamma, beta);
  const grads = tf.grads((xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(xs, g, b))([x, gamma, beta], dy);
  return [y, ...grads];
}

/** The fused kernels: y from the forward one, [dx, dgamma, dbeta] from the backward one given its saved mean and rstd. */
function fused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, dy: tf.Tensor): tf.Tensor[] {
  const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma, beta }, { epsilon: EPSILON }) as tf.Tensor[];
  const grads = tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, x, gamma, mean: mean!, rstd: rstd! }) as tf.Tensor[];
  tf.dispose([mean!, rstd!]);
  return [y!, ...grads];
}

describe.skipIf(SKIP_NATIVE)('native layer normalization matches the composed ops', () => {
  beforeAll(useWasm);

  // The dense cells' latents and the head's hidden layer, odd and tiny sizes, a rank-3 input, and rows far from zero
  // (a one-pass variance would cancel there).
  const CASES: Array<{ shape: number[]; offset?: number }> = [
    { shape: [128, 1000] },
    { shape: [128, 512] },
    { shape: [3, 17] },
    { shape: [1, 1] },
    { shape: [2, 5, 33] },
    { shape: [64, 37], offset: 300 },
    { shape: [0, 6] },
  ];
  for (const { shape, offset = 0 } of CASES) {
    it(`[${shape}]${offset ? `, values around ${offset}` : ''}: output and all three gradients`, () => {
      const cols = shape.at(-1)!;
      const inputs = tf.tidy(() => [
        tf.add(tf.mul(uniform(shape, 1), 3), offset),
        tf.add(uniform([cols], 2), 1),
        uniform([cols], 3),
        uniform(shape, 4),
      ]);
      const [x, gamma, beta, dy] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const reference = composed(x, gamma, beta, dy).map((t) => t.dataSync() as Float32Array);
      registerNativeKernels();
      try {
        const before = tf.memory().numTensors;
        const ours = fused(x, gamma, beta, dy);
        expect(ours.map((t) => t.shape)).toEqual([shape, shape, [cols], [cols]]);
        const values = ours.map((t) => t.dataSync() as Float32Array);
        tf.dispose(ours);
        expect(tf.memory().numTensors).toBe(before);
        // A constant row normalizes to beta with a zero gradient; elsewhere fp32 rounding, relative to the largest value.
        ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, i) => expectClose(values[i]!, reference[i]!, cols === 1 ? 1e-6 : 2e-5, `${JSON.stringify(shape)} ${name}`));
      } finally {
        unregisterNativeKernels();
        tf.dispose(inputs);
      }
    });
  }

  it('names the input that does not fit', () => {
    registerNativeKernels();
    try {
      tf.tidy(() => {
        const x = uniform([4, 6], 1);
        expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: uniform([5], 2), beta: uniform([6], 3) }, { epsilon: EPSILON })).toThrow(/gamma must be float32 with 6 elements/);
        expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: uniform([6], 2), beta: uniform([6], 3) }, { epsilon: 0 })).toThrow(/epsilon must be a positive number/);
        const [, mean, rstd] = tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: uniform([6], 2), beta: uniform([6], 3) }, { epsilon: EPSILON }) as tf.Tensor[];
        expect(() => tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy: uniform([4, 5], 4), x, gamma: uniform([6], 2), mean: mean!, rstd: rstd! })).toThrow(/dy must be float32 with 24 elements/);
      });
    } finally {
      unregisterNativeKernels();
    }
  });
});
