import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { registerBroadcastReductionGradients, TFJS_REDUCTION_GRADIENTS } from './broadcast-reduction-gradients';
import { resolveBackend } from './resolve-backend';

// Reductions as the models use them (layer norm over the last axis, losses over everything, conv bias grads
// over N, H, W), odd shapes, keepDims, negative axes, and a reduced axis of size 1.
const CASES: Array<{ shape: number[]; axis?: number | number[]; keepDims?: boolean }> = [
  { shape: [128, 1000], axis: -1, keepDims: true },
  { shape: [128, 1000] },
  { shape: [128, 1000], axis: 0 },
  { shape: [4, 7, 7, 32], axis: [0, 1, 2] },
  { shape: [3, 1, 5], axis: [1, 2] },
  { shape: [2, 3, 4], axis: [0, 2], keepDims: true },
  { shape: [1], axis: 0 },
];

/** d/dx of Σ w·sum(x) and Σ w·mean(x) for every case: the reduction gradients' whole job. */
function gradients(): Float32Array[] {
  return tf.tidy(() =>
    CASES.flatMap(({ shape, axis, keepDims }, i) => {
      const x = tf.randomUniform(shape, -1, 1, 'float32', 11 + i);
      return [tf.sum, tf.mean].map((reduce) => {
        const weights = tf.randomUniform(reduce(x, axis, keepDims).shape, -3, 3, 'float32', 31 + i);
        return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reduce(t, axis, keepDims), weights)))(x).dataSync() as Float32Array;
      });
    }),
  );
}

function withTfjsGradients<T>(compute: () => T): T {
  const ours = [tf.getGradient(tf.Sum), tf.getGradient(tf.Mean)];
  tf.registerGradient(TFJS_REDUCTION_GRADIENTS.sum!);
  tf.registerGradient(TFJS_REDUCTION_GRADIENTS.mean!);
  try {
    return compute();
  } finally {
    for (const config of ours) tf.registerGradient(config!);
  }
}

afterAll(async () => {
  await resolveBackend('wasm', { quiet: true });
});

describe('Sum and Mean gradients fill their ones on the backend', () => {
  it('replace the ones tfjs registered (and keep them for comparison)', async () => {
    await resolveBackend('cpu', { quiet: true });
    registerBroadcastReductionGradients();
    expect(TFJS_REDUCTION_GRADIENTS.sum).toBeDefined();
    expect(tf.getGradient(tf.Sum)).not.toBe(TFJS_REDUCTION_GRADIENTS.sum);
    expect(tf.getGradient(tf.Mean)).not.toBe(TFJS_REDUCTION_GRADIENTS.mean);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`give tfjs's own gradients bit for bit on ${backend}, and leak nothing`, async () => {
      await resolveBackend(backend, { quiet: true });
      const before = tf.memory().numTensors;
      const ours = gradients();
      expect(tf.memory().numTensors).toBe(before);
      const theirs = withTfjsGradients(gradients);
      expect(ours).toHaveLength(theirs.length);
      ours.forEach((g, i) => expect(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(theirs[i]!.buffer, theirs[i]!.byteOffset, theirs[i]!.byteLength)), `case ${i >> 1} ${i % 2 ? 'mean' : 'sum'}`).toBe(true));
    });
  }
});
