import { Registry } from '@localbp/core';
import { describe, expect, it } from 'vitest';
import type { CellUpdate } from '../aggregator';
import { AggregatorError } from './aggregation-errors';
import { cellUpdate } from './cell-update-fixture';
import { CoordinateMedianAggregator, TrimmedMeanAggregator } from './coordinate-statistics';
import { FedAvgAggregator, FedProxAggregator } from './fedavg';
import { MultiKrumAggregator } from './multi-krum';
import { registerBuiltinAggregators } from './register-builtin-aggregators';

/** An update of one cell with a 2-value kernel and a 1-value bias. */
function update(clientId: string, examples: number, kernel: [number, number], bias: number, scale?: number): CellUpdate {
  return cellUpdate(
    clientId,
    examples,
    [
      { name: 'cell-1/kernel', shape: [2], values: Float32Array.from(kernel) },
      { name: 'cell-1/bias', shape: [1], values: Float32Array.from([bias]) },
    ],
    scale,
  );
}

const values = (out: ReturnType<FedAvgAggregator['aggregate']>) => out.map((w) => Array.from(w.values));

describe('FedAvg', () => {
  it('weights each client by its example count', () => {
    // kernel: (1·1 + 3·3)/4 = 2.5, (2·1 + 6·3)/4 = 5; bias: (0·1 + 4·3)/4 = 3
    const out = new FedAvgAggregator().aggregate([update('a', 1, [1, 2], 0), update('b', 3, [3, 6], 4)]);
    expect(values(out)).toEqual([[2.5, 5], [3]]);
    expect(out.map((w) => [w.name, w.shape])).toEqual([['cell-1/kernel', [2]], ['cell-1/bias', [1]]]);
  });

  it('applies staleness scales on top of example counts', () => {
    // weights 2·1 = 2 and 2·0.5 = 1: (2·0 + 1·3)/3 = 1
    const out = new FedAvgAggregator().aggregate([update('a', 2, [0, 0], 0), update('b', 2, [3, 3], 3, 0.5)]);
    expect(values(out)).toEqual([[1, 1], [1]]);
  });

  it('refuses empty or inconsistent input', () => {
    expect(() => new FedAvgAggregator().aggregate([])).toThrow(AggregatorError);
    const odd = update('b', 1, [1, 1], 1);
    odd.weights = [odd.weights[0]!];
    expect(() => new FedAvgAggregator().aggregate([update('a', 1, [1, 1], 1), odd])).toThrow(/holds 1 weights, expected 2/);
  });
});

describe('FedProx', () => {
  it('aggregates like FedAvg and asks clients for the proximal term', () => {
    const agg = new FedProxAggregator(0.1);
    expect(agg.clientTraining).toEqual({ proximalMu: 0.1 });
    expect(values(agg.aggregate([update('a', 1, [1, 2], 0), update('b', 3, [3, 6], 4)]))).toEqual([[2.5, 5], [3]]);
    expect(() => new FedProxAggregator(-1)).toThrow(/mu must be a number ≥ 0/);
  });
});

describe('coordinate-wise median', () => {
  it('takes the middle value per coordinate, ignoring example counts', () => {
    const out = new CoordinateMedianAggregator().aggregate([
      update('a', 1, [1, 100], 5),
      update('b', 1000, [2, -3], 6),
      update('c', 1, [50, 4], 7),
    ]);
    expect(values(out)).toEqual([[2, 4], [6]]);
  });

  it('averages the two middle values for an even count', () => {
    const out = new CoordinateMedianAggregator().aggregate([
      update('a', 1, [1, 0], 0),
      update('b', 1, [2, 0], 10),
      update('c', 1, [4, 0], 20),
      update('d', 1, [100, 0], 30),
    ]);
    expect(values(out)).toEqual([[3, 0], [15]]);
  });
});

describe('trimmed mean', () => {
  it('drops the ⌊β·K⌋ extremes on each side', () => {
    // K = 5, β = 0.2 → trim 1 each side: kernel[0] from {-100, 1, 2, 3, 100} → mean(1,2,3) = 2
    const updates = [
      update('a', 1, [-100, 1], 1),
      update('b', 1, [1, 1], 2),
      update('c', 1, [2, 1], 3),
      update('d', 1, [3, 1], 4),
      update('e', 1, [100, 1], 1000),
    ];
    expect(values(new TrimmedMeanAggregator(0.2).aggregate(updates))).toEqual([[2, 1], [3]]);
    // β = 0 is the plain mean: (−100 + 1 + 2 + 3 + 100)/5 = 1.2
    expect(new TrimmedMeanAggregator(0).aggregate(updates)[0]!.values[0]).toBeCloseTo(1.2, 6);
    expect(() => new TrimmedMeanAggregator(0.5)).toThrow(/beta must be in \[0, 0.5\)/);
  });
});

describe('Multi-Krum', () => {
  it('drops the outlier and averages the rest by examples', () => {
    // Squared distances: a–b 1, a–c 4, b–c 1 (kernel only differs in coordinate 0), x far from all.
    const updates = [
      update('a', 1, [0, 0], 0),
      update('b', 1, [1, 0], 0),
      update('c', 2, [2, 0], 0),
      update('x', 1, [1000, 1000], 1000),
    ];
    const krum = new MultiKrumAggregator(1, undefined);
    // K − f − 2 = 1 nearest neighbour: scores a 1, b 1, c 1, x ≈ 2·10^6 → keep K − f = 3: a, b, c.
    expect(krum.select(updates).sort()).toEqual([0, 1, 2]);
    // (0·1 + 1·1 + 2·2)/4 = 1.25
    expect(values(krum.aggregate(updates))).toEqual([[1.25, 0], [0]]);
    // m = 1 keeps only the best score (ties break by position): a.
    expect(values(new MultiKrumAggregator(1, 1).aggregate(updates))).toEqual([[0, 0], [0]]);
  });

  it('says how many updates it needs', () => {
    expect(() => new MultiKrumAggregator(1, undefined).aggregate([update('a', 1, [0, 0], 0), update('b', 1, [0, 0], 0), update('c', 1, [0, 0], 0)])).toThrow(
      /needs more than 3 updates, got 3/,
    );
  });
});

describe('registration', () => {
  it('resolves every built-in by id and lets plugins add their own', () => {
    const registry = new Registry();
    registerBuiltinAggregators(registry);
    expect(registry.ids('aggregator').sort()).toEqual(['fedavg', 'fedprox', 'median', 'multi-krum', 'trimmed-mean']);
    expect(registry.get('aggregator', 'fedprox')({ mu: 0.5 }).clientTraining).toEqual({ proximalMu: 0.5 });
    expect(registry.get('aggregator', 'trimmed-mean')({ beta: 0.25 }).id).toBe('trimmed-mean');
    registry.register('aggregator', 'first-only', () => ({ id: 'first-only', aggregate: (u) => [...u[0]!.weights] }));
    expect(registry.get('aggregator', 'first-only')({}).aggregate([update('a', 1, [7, 8], 9)])[0]!.values).toEqual(Float32Array.from([7, 8]));
  });
});
