import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../backend/resolve-backend';
import { ADAMW_UPDATE_KERNEL, AdamWOptimizer } from './adamw-optimizer';

// The fused kernel comes with the native engine; CI builds it, so there it must be present.
let nativeError: string | null = null;
try {
  await resolveBackend('native', { quiet: true });
} catch (error) {
  nativeError = error instanceof Error ? error.message : String(error);
  if (!process.env.CI) console.log(`[@localbp/core] fused AdamW test skipped: ${nativeError}`);
}
const skip = nativeError !== null && !process.env.CI;

/** Five AdamW steps of two variables from fixed gradients (seed 0 means unseeded in tfjs); the weights and both moments afterwards. */
function train(weightDecay: number): Float32Array[] {
  const shapes: Array<[number, number]> = [
    [37, 29],
    [1, 1001],
  ];
  const variables = shapes.map((shape, i) => tf.tidy(() => tf.variable(tf.randomUniform(shape, -1, 1, 'float32', 11 + i))));
  const optimizer = new AdamWOptimizer(1e-3, weightDecay);
  for (let step = 0; step < 5; step++) {
    const grads = variables.map((v, i) => ({ name: v.name, tensor: tf.randomNormal(v.shape, 0, 1 + i, 'float32', 1000 + 100 * step + i) }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const state = optimizer.exportState(variables);
  const out = [...variables, ...state.tensors].map((t) => (t.dataSync() as Float32Array).slice());
  tf.dispose([...variables, ...state.tensors]);
  optimizer.resetState();
  optimizer.dispose();
  return out;
}

describe.skipIf(skip)('AdamW with the native engine', () => {
  it('runs the fused one-pass update, bit-identical to the composed ops on wasm, and leaks nothing', async () => {
    if (nativeError) throw new Error(`the native engine is required on CI: ${nativeError}`);
    await resolveBackend('native', { quiet: true });
    expect(tf.getKernel(ADAMW_UPDATE_KERNEL, 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const fused = [train(0.01), train(0)];
    expect(tf.memory().numTensors).toBe(before);
    await resolveBackend('wasm', { quiet: true });
    expect(tf.getKernel(ADAMW_UPDATE_KERNEL, 'wasm')).toBeUndefined();
    const composed = [train(0.01), train(0)];
    fused.forEach((run, r) =>
      run.forEach((values, i) => {
        const a = new Uint32Array(values.buffer);
        const b = new Uint32Array(composed[r]![i]!.buffer);
        expect(a.length).toBe(b.length);
        let differing = 0;
        for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) differing++;
        expect(differing, `run ${r} tensor ${i}`).toBe(0);
      }),
    );
  });

  it('updates its own variables in place, and never data another tensor shares', async () => {
    if (nativeError) throw new Error(`the native engine is required on CI: ${nativeError}`);
    await resolveBackend('native', { quiet: true });
    const w = tf.variable(tf.tensor2d([[1, -2, 3]]));
    const kept = w.clone();
    const optimizer = new AdamWOptimizer(0.1, 0);
    const step = () => tf.tidy(() => optimizer.applyGradients([{ name: w.name, tensor: tf.tensor2d([[1, 1, -1]]) }]));
    // A clone shares the variable's data: the update must leave the clone as it was.
    step();
    expect(Array.from(kept.dataSync())).toEqual([1, -2, 3]);
    expect(w.dataId).not.toBe(kept.dataId);
    // Now the variable alone holds its data, and so do the moments: the next update keeps the same data in place.
    const before = w.dataId;
    const memory = tf.memory().numTensors;
    step();
    expect(w.dataId).toBe(before);
    expect(tf.memory().numTensors).toBe(memory);
    const after = Array.from(w.dataSync());
    expect(after.every((x, i) => x !== [1, -2, 3][i])).toBe(true);
    tf.dispose([w, kept]);
    optimizer.dispose();
  });
});
