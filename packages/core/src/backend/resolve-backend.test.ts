import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendUnavailableError } from './backend-unavailable-error';
import { currentBackendName, resolveBackend } from './resolve-backend';
import type { ResolvedBackend } from './resolve-backend';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('resolveBackend', () => {
  it('auto picks the first backend that loads and records why the others did not', async () => {
    const resolved = await resolveBackend('auto', { quiet: true });
    expect(['tensorflow', 'native', 'wasm']).toContain(resolved.name);
    // native runs on tfjs's wasm backend.
    expect(resolved.tfBackend).toBe(resolved.name === 'native' ? 'wasm' : resolved.name);
    expect(resolved.tried.at(-1)).toEqual({ name: resolved.name });
    for (const attempt of resolved.tried.slice(0, -1)) {
      expect(attempt.error).toMatch(/\S/);
      expect(attempt.error).not.toContain('\n');
    }
    expect(resolved.versions['tfjs-core']).toBe(tf.version['tfjs-core']);
    if (resolved.name === 'native') {
      expect(resolved.tried.map((t) => t.name)).toEqual(['tensorflow', 'native']);
      expect(resolved.versions.openblas).toMatch(/^OpenBLAS \d/);
      expect(currentBackendName()).toBe('native');
    }
    if (resolved.name === 'wasm') {
      expect(resolved.tried.map((t) => t.name)).toEqual(['tensorflow', 'native', 'wasm']);
      expect(resolved.reason).toMatch(/^auto: tensorflow unavailable \(.+\); native unavailable \(.+\); using wasm$/);
      expect(resolved.versions['tfjs-backend-wasm']).toBe('4.22.0');
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    }
  });

  it('an explicit backend that cannot load throws BackendUnavailableError and keeps the current one', async () => {
    await resolveBackend('cpu');
    let outcome: ResolvedBackend | Error;
    try {
      outcome = await resolveBackend('tensorflow');
    } catch (error) {
      outcome = error as Error;
    }
    if (outcome instanceof Error) {
      expect(outcome).toBeInstanceOf(BackendUnavailableError);
      const error = outcome as BackendUnavailableError;
      expect(error.backend).toBe('tensorflow');
      expect(error.message).toMatch(/^Backend "tensorflow" is unavailable: \S/);
      expect(error.message).not.toContain('\n');
      expect(tf.getBackend()).toBe('cpu');
    } else {
      // tfjs-node installed with its native library.
      expect(outcome.name).toBe('tensorflow');
    }
  });

  it('switches between wasm and cpu repeatedly, keeping tensors usable', async () => {
    const a = (await resolveBackend('wasm')).name;
    expect(a).toBe('wasm');
    expect(currentBackendName()).toBe('wasm');
    const t = tf.tensor1d([1, 2, 3]);
    const cpu = await resolveBackend('cpu');
    expect(cpu).toMatchObject({ name: 'cpu', tfBackend: 'cpu', reason: 'requested explicitly' });
    expect(cpu.versions['tfjs-backend-cpu']).toBe('4.22.0');
    expect(Array.from(t.mul(2).dataSync())).toEqual([2, 4, 6]);
    await resolveBackend('wasm');
    expect(Array.from(t.add(1).dataSync())).toEqual([2, 3, 4]);
    await resolveBackend('wasm');
    expect(currentBackendName()).toBe('wasm');
    t.dispose();
  });

  it('switches between native and wasm, taking the native kernels off for wasm', async () => {
    let native: ResolvedBackend;
    try {
      native = await resolveBackend('native');
    } catch (error) {
      // Addon not built here: the reason is one line naming the fix.
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toMatch(/^Backend "native" is unavailable: [^\n]+$/);
      return;
    }
    expect(native).toMatchObject({ name: 'native', tfBackend: 'wasm', reason: 'requested explicitly' });
    expect(currentBackendName()).toBe('native');
    const nativeMatMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    await resolveBackend('wasm');
    expect(currentBackendName()).toBe('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).not.toBe(nativeMatMul);
    await resolveBackend('cpu');
    await resolveBackend('native');
    expect(currentBackendName()).toBe('native');
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it('serializes concurrent calls: the last one wins', async () => {
    const results = await Promise.all([resolveBackend('wasm'), resolveBackend('cpu'), resolveBackend('wasm')]);
    expect(results.map((r) => r.name)).toEqual(['wasm', 'cpu', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('prints one notice when auto falls back, none when quiet', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const quiet = await resolveBackend('auto', { quiet: true });
    expect(warn).not.toHaveBeenCalled();
    await resolveBackend('auto');
    if (quiet.tried.length > 1) {
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[localbp\] auto: tensorflow unavailable/);
    } else {
      expect(warn).not.toHaveBeenCalled();
    }
  });

  it('enables prod mode', async () => {
    await resolveBackend('cpu');
    expect(tf.env().getBool('PROD')).toBe(true);
  });
});
