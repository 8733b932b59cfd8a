import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from '../backend/resolve-backend';
import { hasFusedLayerNorm, layerNorm } from './layer-norm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layerNorm', () => {
  it('matches tf.layers.layerNormalization', () => {
    const x = tf.randomNormal([5, 12], 3, 2, 'float32', 7);
    const gamma = tf.randomUniform([12], 0.5, 1.5, 'float32', 1);
    const beta = tf.randomUniform([12], -1, 1, 'float32', 2);
    const ours = layerNorm(x, gamma, beta);
    const layer = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
    layer.apply(x);
    layer.setWeights([gamma, beta]);
    const reference = layer.apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, gamma, beta, ours, reference]);
    layer.dispose();
  });
});

// The fused kernels come with the native engine; CI builds it, so there it must be present.
describe('layerNorm on a backend with the fused kernels', () => {
  it('runs them, matches the composed ops forward and through gradients, and leaks nothing', async () => {
    let nativeError: string | null = null;
    try {
      await resolveBackend('native', { quiet: true });
    } catch (error) {
      nativeError = error instanceof Error ? error.message : String(error);
    }
    if (nativeError !== null) {
      if (process.env.CI) throw new Error(`the native engine is required on CI: ${nativeError}`);
      console.log(`[@localbp/core] fused layer norm test skipped: ${nativeError}`);
      return;
    }
    // A post-activation layer norm inside a loss, as the dense cells train it: the value and every variable's gradient.
    const run = () => {
      const x = tf.randomNormal([32, 40], 1, 2, 'float32', 5);
      const w = tf.variable(tf.randomNormal([40, 24], 0, 0.3, 'float32', 6));
      const gamma = tf.variable(tf.randomUniform([24], 0.5, 1.5, 'float32', 7));
      const beta = tf.variable(tf.randomUniform([24], -1, 1, 'float32', 8));
      const target = tf.randomNormal([32, 24], 0, 1, 'float32', 9);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(layerNorm(tf.relu(tf.matMul(x, w)), gamma, beta), target))) as tf.Scalar, [w, gamma, beta]);
      const out = [value, grads[w.name]!, grads[gamma.name]!, grads[beta.name]!].map((t) => t.dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      const leaked = tf.memory().numTensors - before;
      tf.dispose([x, w, gamma, beta, target]);
      return { out, leaked };
    };
    expect(hasFusedLayerNorm()).toBe(true);
    const fused = run();
    expect(fused.leaked).toBe(0);
    await resolveBackend('wasm', { quiet: true });
    expect(hasFusedLayerNorm()).toBe(false);
    const reference = run();
    fused.out.forEach((values, i) => {
      const ref = reference.out[i]!;
      const scale = Math.max(...ref.map(Math.abs));
      const worst = Math.max(...values.map((v, j) => Math.abs(v - ref[j]!)));
      expect(worst / scale, `output ${i}`).toBeLessThan(1e-5);
    });
    await tf.setBackend('cpu');
  });
});
