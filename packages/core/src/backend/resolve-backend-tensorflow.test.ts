import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { resolveBackend } from './resolve-backend';

// Stand-in for @tensorflow/tfjs-node with its native library present: like the
// real package, importing it registers a 'tensorflow' backend (here borrowing
// the cpu kernels) and a file:// router.
vi.mock('@tensorflow/tfjs-node', async () => {
  const tfjs = await import('@tensorflow/tfjs');
  tfjs.registerBackend('tensorflow', () => new tfjs.MathBackendCPU(), 3);
  for (const kernel of tfjs.getKernelsForBackend('cpu')) {
    tfjs.registerKernel({ ...kernel, backendName: 'tensorflow' });
  }
  const nativeSaver: tf.io.IOHandler = { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) };
  const router = ((url: string | string[]) =>
    typeof url === 'string' && url.startsWith('file://') ? nativeSaver : null) as unknown as Parameters<
    typeof tfjs.io.registerSaveRouter
  >[0];
  tfjs.io.registerSaveRouter(router);
  return { version: { 'tfjs-node': '4.22.0' }, nativeSaver };
});

describe('resolveBackend with tfjs-node available', () => {
  it('auto picks tensorflow first and leaves file:// to tfjs-node', async () => {
    const resolved = await resolveBackend('auto');
    expect(resolved).toMatchObject({
      name: 'tensorflow',
      tfBackend: 'tensorflow',
      reason: 'auto: tensorflow is the fastest available backend',
      tried: [{ name: 'tensorflow' }],
    });
    expect(resolved.versions['tfjs-node']).toBe('4.22.0');
    expect(tf.io.getSaveHandlers('file:///tmp/m')).toHaveLength(1);
  });

  it('still switches to wasm and back', async () => {
    expect((await resolveBackend('wasm')).name).toBe('wasm');
    expect((await resolveBackend('tensorflow')).name).toBe('tensorflow');
    expect(Array.from(tf.tensor1d([1, 2]).add(1).dataSync())).toEqual([2, 3]);
  });
});
