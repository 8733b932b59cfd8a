import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from './native-addon';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';

itRequiresAddon();

/** Row-major op(A)·op(B) in float64, the reference for the cut products. */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = ta ? a[p * m + i]! : a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += av * (tb ? b[j * k + p]! : b[p * n + j]!);
    }
  }
  return c;
}

function filled(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** One heap holding A, B and C; returns C after gemmBatch. */
function product(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float32Array {
  const heap = new ArrayBuffer((a.length + b.length + m * n) * 4);
  new Float32Array(heap, 0, a.length).set(a);
  new Float32Array(heap, a.length * 4, b.length).set(b);
  const cOffset = (a.length + b.length) * 4;
  loadNativeAddon().gemmBatch(heap, ta, tb, m, n, k, Float64Array.of(0), Float64Array.of(a.length * 4), Float64Array.of(cOffset), 0);
  return new Float32Array(heap, cOffset, m * n).slice();
}

// Large products are cut into blocks by shape; while a stage says it is idle, helper threads run some of them.
describe.skipIf(SKIP_NATIVE)('core lending: products and AdamW cut into blocks', () => {
  // [m, n, k]: cut by columns (4 blocks), by rows (2 blocks), and the main job's 128 x 1000 x 1000.
  const shapes: Array<[number, number, number]> = [
    [70, 1001, 300],
    [400, 70, 250],
    [128, 1000, 1000],
  ];
  for (const [m, n, k] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}x${n}x${k}${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}: every block in place, the same bits whether helpers run blocks or not`, () => {
        const addon = loadNativeAddon();
        const a = filled(m * k, m + k);
        const b = filled(k * n, n + 7);
        const alone = product(a, b, m, n, k, ta, tb);
        if (m * n * k <= 21_100_000) {
          const want = reference(a, b, m, n, k, ta, tb);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(alone[i]! - want[i]!));
          expect(worst).toBeLessThan(1e-4 * Math.sqrt(k));
        }
        const before = addon.helpedBlocks();
        addon.shareIdle(1);
        try {
          // A helper only claims what this thread has not yet taken: repeat until it has taken some.
          const lent: Float32Array[] = [];
          for (let round = 0; round < 50 && addon.helpedBlocks() === before; round++) lent.push(product(a, b, m, n, k, ta, tb));
          expect(addon.helpedBlocks()).toBeGreaterThan(before);
          for (const c of lent) expect(Buffer.from(c.buffer).equals(Buffer.from(alone.buffer))).toBe(true);
        } finally {
          addon.shareIdle(-1);
        }
      });
    }
  }

  it('AdamW over 2^20 floats: helpers change who computes, never the result', () => {
    const addon = loadNativeAddon();
    const count = 1 << 20;
    const run = (): Float32Array => {
      const heap = new ArrayBuffer(count * 7 * 4);
      [filled(count, 1), filled(count, 2), filled(count, 3).map(Math.abs)].forEach((x, i) => new Float32Array(heap, count * 4 * (i === 2 ? 3 : i), count).set(x));
      new Float32Array(heap, count * 8, count).set(filled(count, 4));
      addon.adamwUpdate(heap, count, 0, count * 4, count * 8, count * 12, count * 16, count * 20, count * 24, 0.9, 0.999, 0.999, 1e-3, 1e-8);
      return new Float32Array(heap, count * 16, count * 3).slice();
    };
    const alone = run();
    const before = addon.helpedBlocks();
    addon.shareIdle(1);
    try {
      let lent = run();
      for (let round = 0; round < 50 && addon.helpedBlocks() === before; round++) lent = run();
      expect(addon.helpedBlocks()).toBeGreaterThan(before);
      expect(Buffer.from(lent.buffer).equals(Buffer.from(alone.buffer))).toBe(true);
    } finally {
      addon.shareIdle(-1);
    }
  });

  it('a stage thread that ends while it waits stops lending: helpers then leave every block to its owner', async () => {
    const addon = loadNativeAddon();
    const addonFile = fileURLToPath(new URL('../build/Release/localbp_native.node', import.meta.url));
    const worker = new Worker(
      `const { createRequire } = require('node:module'); const { parentPort, workerData } = require('node:worker_threads');
       const addon = createRequire(workerData)(workerData); addon.shareIdle(1); addon.shareIdle(1); parentPort.postMessage('waiting');
       setInterval(() => {}, 1000);`,
      { eval: true, workerData: addonFile },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    const a = filled(128 * 1000, 1);
    const b = filled(1000 * 1000, 2);
    const before = addon.helpedBlocks();
    for (let round = 0; round < 50 && addon.helpedBlocks() === before; round++) product(a, b, 128, 1000, 1000, false, false);
    // Counted once although it said so twice.
    expect(addon.helpedBlocks()).toBeGreaterThan(before);
    await worker.terminate();
    const after = addon.helpedBlocks();
    for (let round = 0; round < 10; round++) product(a, b, 128, 1000, 1000, false, false);
    expect(addon.helpedBlocks()).toBe(after);
  });

  it('shareIdle takes only +1 or -1', () => {
    expect(() => loadNativeAddon().shareIdle(2 as 1)).toThrow(/\+1 or -1/);
  });
});
