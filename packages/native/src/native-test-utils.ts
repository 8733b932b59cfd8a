import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

/** Switches tfjs to the wasm backend once per test file. */
export async function useWasm(): Promise<void> {
  tf.enableProdMode();
  if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
}

type Compute = () => tf.Tensor | tf.Tensor[];

/** The values of what `compute` returns, its tensors disposed. */
function read(compute: Compute): Float32Array[] {
  const out = compute();
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return values;
}

/** `compute`'s values with the native kernels registered (taken off again afterwards). */
function readNative(compute: Compute): Float32Array[] {
  registerNativeKernels();
  try {
    return read(compute);
  } finally {
    unregisterNativeKernels();
  }
}

/** Runs `compute` with the native kernels registered, then with plain wasm; returns both results' values. */
export function nativeAndWasm(compute: Compute): { native: Float32Array[]; wasm: Float32Array[] } {
  const native = readNative(compute);
  return { native, wasm: read(compute) };
}

/**
 * Runs `compute` with the native kernels, then on tfjs's cpu backend: the reference where wasm's own kernel is
 * wrong or missing (wasm 4.22's _FusedMatMul mis-adds the bias when transposeB is set and broadcasts a
 * scalar bias wrongly; it has no Conv2DBackpropFilter).
 */
export async function nativeAndCpu(compute: Compute): Promise<{ native: Float32Array[]; wasm: Float32Array[] }> {
  const native = readNative(compute);
  await tf.setBackend('cpu');
  try {
    return { native, wasm: read(compute) };
  } finally {
    await tf.setBackend('wasm');
  }
}

/**
 * fp32 agreement: the largest difference relative to the largest magnitude of the reference. sgemm and wasm sum
 * the K products in different orders; for inputs in [-1, 1] and K ≤ ~1000 the rounding difference stays near
 * √K·2⁻²⁴ of the result's scale (≈ 2e-6), while an indexing bug is off by O(1). 1e-5 separates the two.
 */
export function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-5, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (!(diff <= worst)) worst = Number.isNaN(diff) ? Infinity : diff;
  }
  expect(worst / Math.max(scale, 1e-30), `${label} max relative difference`).toBeLessThanOrEqual(tolerance);
}

export function expectAllClose(result: { native: Float32Array[]; wasm: Float32Array[] }, tolerance = 1e-5, label = ''): void {
  result.wasm.forEach((w, i) => expectClose(result.native[i]!, w, tolerance, `${label}[${i}]`));
}

/** Reproducible inputs in [-1, 1]. */
export function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}
