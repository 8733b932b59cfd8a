import { resolveBackend } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { describe, expect, it } from 'vitest';
import { LbpModel } from './lbp-model';
import { LocalTrainer } from './local-trainer';

// The same seeded run must compute the same model on every backend (up to float rounding).
describe('backends agree', () => {
  it('wasm and cpu train the same model from the same seed', async () => {
    const mnist = loadDataset('mnist');
    const train = subset(mnist.train, 96);
    const test = subset(mnist.test, 100);
    const run = async (backend: 'wasm' | 'cpu') => {
      await resolveBackend(backend, { quiet: true });
      const model = LbpModel.create({ cells: [{ type: 'ae' }, { type: 'dae' }], width: 16, seed: 2 }, mnist.info);
      const result = await new LocalTrainer(model).fit(train, { epochs: 1, batchSize: 32, test });
      const weights = model.namedWeights().map((w) => Array.from(w.tensor.dataSync()));
      model.dispose();
      return { result, weights };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.result.cellLosses.length).toBe(2);
    wasm.result.cellLosses.forEach((l, i) => expect(l).toBeCloseTo(cpu.result.cellLosses[i]!, 4));
    let maxDiff = 0;
    wasm.weights.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - cpu.weights[i]![j]!)))));
    expect(maxDiff).toBeLessThan(1e-3);
  });
});
