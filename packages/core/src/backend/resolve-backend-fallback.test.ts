import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from './backend-unavailable-error';
import { resolveBackend } from './resolve-backend';

// tfjs-node installed but its native library missing (what a failed download
// leaves). vitest wraps this in its own mock error; the one-line cut is tested
// in backend-unavailable-error.test.ts.
vi.mock('@tensorflow/tfjs-node', () => {
  throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found');
});

// @localbp/native installed but its addon not built (no OpenBLAS at install time).
vi.mock('@localbp/native', () => ({
  registerNativeKernels: () => {
    throw new Error('addon not built (libopenblas-dev missing? apt-get install libopenblas-dev, then pnpm rebuild @localbp/native)');
  },
  unregisterNativeKernels: () => undefined,
  nativeKernelsActive: () => false,
  nativeVersions: () => ({}),
}));

// A wasm backend whose binary fails to instantiate.
vi.mock('@tensorflow/tfjs-backend-wasm', async () => {
  const tfjs = await import('@tensorflow/tfjs');
  tfjs.registerBackend('wasm', async () => {
    throw new Error('WebAssembly.instantiate(): expected magic word 00 61 73 6d');
  }, 2);
  return { version_wasm: '4.22.0' };
});

describe('resolveBackend when faster backends fail', () => {
  it('auto falls back to cpu and reports each cause on one line', async () => {
    const resolved = await resolveBackend('auto', { quiet: true });
    expect(resolved.name).toBe('cpu');
    expect(resolved.tried).toEqual([
      { name: 'tensorflow', error: expect.stringMatching(/^[^\n]+$/) },
      { name: 'native', error: expect.stringMatching(/^addon not built \(libopenblas-dev missing\? apt-get install libopenblas-dev/) },
      { name: 'wasm', error: 'WebAssembly.instantiate(): expected magic word 00 61 73 6d' },
      { name: 'cpu' },
    ]);
    expect(resolved.reason).toMatch(/^auto: tensorflow unavailable \(.+\); native unavailable \(.+\); wasm unavailable \(.+\); using cpu$/);
    expect(tf.env().getBool('PROD')).toBe(true);
  });

  it('an explicit wasm choice throws with the cause', async () => {
    await expect(resolveBackend('wasm')).rejects.toThrow(
      new BackendUnavailableError('wasm', 'WebAssembly.instantiate(): expected magic word 00 61 73 6d'),
    );
    expect(tf.getBackend()).toBe('cpu');
  });
});
