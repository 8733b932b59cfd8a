import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';

itRequiresAddon();

const WORKER = new URL('../test-fixtures/native-worker.mjs', import.meta.url);

function runWorker(seed: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { seed } });
    worker.once('message', (value: number) => {
      resolve(value);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

// The trainer's pipeline resolves the engine in each worker thread: the addon is context-aware and keeps its
// im2col workspace per thread, so concurrent workers neither crash nor disturb each other's results.
describe.skipIf(SKIP_NATIVE)('native kernels in worker threads', () => {
  it('load in two concurrent workers and give each the result it gives alone', async () => {
    expect(existsSync(new URL('../dist/index.js', import.meta.url)), 'pnpm build first').toBe(true);
    const alone = [await runWorker(1), await runWorker(2)];
    const together = await Promise.all([runWorker(1), runWorker(2)]);
    expect(together).toEqual(alone);
    expect(alone.every(Number.isFinite)).toBe(true);
  });
});
