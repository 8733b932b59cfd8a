import { describe, expect, it } from 'vitest';
import { aggregateResults, type FinishedRun } from './aggregate-results';
import { gridCells } from './experiment-plan';
import type { RunSummary } from './run-summary';
import { spread } from './summary-statistics';

const plan = { datasets: ['mnist'], models: ['lbp-ae', 'bp-mlp'], seeds: 3, epochs: 2, dataDirs: {} };

function summary(acc: [number, number], seconds: [number, number], tensorBytes: number, rss: number): RunSummary {
  return {
    model: 'lbp', dataset: 'mnist', backend: 'wasm', status: 'completed', epochs: 2, batchSize: 128, seed: 1,
    trainExamples: 100, testExamples: 50, testAccuracy: acc[1], epochSeconds: seconds, epochAccuracy: acc,
    totalSeconds: seconds[0] + seconds[1], peakTensorBytes: tensorBytes, peakRssBytes: rss, parameters: 42, versions: {},
  };
}

describe('spread', () => {
  it('gives the mean, the sample std (n − 1), min and max', () => {
    const s = spread([0.9, 0.92, 0.97])!;
    expect(s.mean).toBeCloseTo(0.93, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(((0.03) ** 2 + 0.01 ** 2 + 0.04 ** 2) / 2), 12);
    expect([s.n, s.min, s.max]).toEqual([3, 0.9, 0.97]);
    expect(spread([0.5])).toEqual({ n: 1, mean: 0.5, std: 0, min: 0.5, max: 0.5 });
    expect(spread([])).toBeNull();
  });
});

describe('aggregateResults', () => {
  const cells = gridCells(plan);
  const cell = (model: string, seed: number) => cells.find((c) => c.model === model && c.seed === seed)!;
  const runs: FinishedRun[] = [
    { cell: cell('lbp-ae', 1), summary: summary([0.8, 0.9], [10, 12], 100, 1000), resumed: false },
    { cell: cell('lbp-ae', 2), summary: summary([0.85, 0.84], [11, 13], 200, 3000), resumed: false },
    // Resumed: its seconds cover part of an epoch, so they stay out of the timing.
    { cell: cell('lbp-ae', 3), summary: summary([0.7, 0.95], [1, 1], 300, 2000), resumed: true },
    { cell: cell('bp-mlp', 1), summary: summary([0.9, 0.96], [5, 5], 400, 4000), resumed: false },
  ];
  const results = aggregateResults(plan.datasets, plan.models, runs);

  it('aggregates final, best and per-epoch accuracy over seeds', () => {
    const ae = results.models.find((r) => r.model === 'lbp-ae')!;
    expect(ae.seeds).toEqual([1, 2, 3]);
    expect(ae.finalAccuracy!.mean).toBeCloseTo((0.9 + 0.84 + 0.95) / 3, 12);
    expect(ae.bestAccuracy!.mean).toBeCloseTo((0.9 + 0.85 + 0.95) / 3, 12);
    expect(ae.epochAccuracy.map((s) => [s!.min, s!.max])).toEqual([[0.7, 0.85], [0.84, 0.95]]);
    expect(ae.secondsPerEpoch).toMatchObject({ n: 2, mean: 11.5 });
    expect(ae.peakTensorBytes!.mean).toBe(200);
  });

  it('pairs LBP with the BP model of the same encoder for the memory ratio', () => {
    expect(results.memoryRatios).toEqual([
      { dataset: 'mnist', lbp: 'lbp-ae', bp: 'bp-mlp', tensorBytesRatio: 0.5, rssBytesRatio: 0.5 },
    ]);
  });
});
