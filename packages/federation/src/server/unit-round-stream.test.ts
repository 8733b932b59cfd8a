import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Aggregator, CellUpdate } from '../aggregator';
import { CoordinateMedianAggregator, TrimmedMeanAggregator } from '../aggregators/coordinate-statistics';
import { cellUpdate } from '../aggregators/cell-update-fixture';
import { FedAvgAggregator } from '../aggregators/fedavg';
import { MultiKrumAggregator } from '../aggregators/multi-krum';
import type { WeightArray } from '../protocol/weight-array';
import { boundInfluence, sampleStride, type InfluenceBounds } from './bounded-influence';
import { UnitRoundStream } from './unit-round-stream';
import { UpdateSpool } from './update-spool';

const dir = mkdtempSync(path.join(tmpdir(), 'localbp-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEFAULTS: InfluenceBounds = { examplesCapFactor: 2, normClipFactor: 2, minCosine: 0.05 };
/** Two tensors, 2,500 coordinates: several blocks with a 1,024-value block. */
const GLOBAL: WeightArray[] = [
  { name: 'cell-1/kernel', shape: [50, 40], values: Float32Array.from({ length: 2000 }, (_, j) => Math.sin(j)) },
  { name: 'cell-1/bias', shape: [500], values: Float32Array.from({ length: 500 }, (_, j) => Math.cos(j)) },
];

let seed = 11;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;

/** The global weights moved along a shared direction plus noise, scaled by `sign` (−1: pulling backwards). */
function update(clientId: string, examples: number, sign = 1, scale?: number): CellUpdate {
  const moved = GLOBAL.map((g) => ({ name: g.name, shape: [...g.shape], values: g.values.map((v, j) => v + sign * (0.01 * Math.cos(j / 7) + 0.004 * random())) }));
  return cellUpdate(clientId, examples, moved, scale);
}

/** A round with honest clients of uneven counts, one stale one, and the attacker: 10¹² examples, negated delta ×30. */
function round(): CellUpdate[] {
  const attacker = update('x', 1e12, -30);
  return [attacker, update('a', 100), update('b', 80), update('c', 120, 1, 0.5), update('d', 90), update('e', 400)];
}

/** Streams `updates` through a fresh spool; `withoutDisk` deletes the spool before the close, so any read-back fails. */
function streamed(aggregator: Aggregator, updates: readonly CellUpdate[], blockBudget?: number, withoutDisk = false) {
  const spool = new UpdateSpool(dir, `${aggregator.id}-${Math.random().toString(36).slice(2)}.f32`);
  const stream = new UnitRoundStream('cell-1', GLOBAL, spool, sampleStride(2500, updates.length), DEFAULTS, aggregator, blockBudget);
  // Deep copies go in and are then poisoned: the stream must hold no reference to what it was given.
  for (const u of updates) {
    const copy = { ...u, weights: u.weights.map((w) => ({ ...w, values: w.values.slice() })) };
    stream.add(copy);
    for (const w of copy.weights) w.values.fill(Number.NaN);
  }
  const spooled = statSync(spool.file).size;
  if (withoutDisk) spool.dispose();
  const result = stream.finish();
  spool.dispose();
  return { ...result, spooled, file: spool.file };
}

describe('UnitRoundStream (updates on disk, statistics and sums in memory)', () => {
  const aggregators: Aggregator[] = [new FedAvgAggregator(), new CoordinateMedianAggregator(), new TrimmedMeanAggregator(0.2), new MultiKrumAggregator(1, undefined)];

  it.each(aggregators.map((a) => [a.id, a] as const))('%s: the same bounds and aggregate as bounding and aggregating in memory', (_, aggregator) => {
    const updates = round();
    const inMemory = boundInfluence('cell-1', updates, GLOBAL, DEFAULTS);
    const expected = aggregator.aggregate(inMemory.updates);
    // 1,024 values per block: the coordinate-wise pass crosses tensor and block boundaries.
    const got = streamed(aggregator, updates, 1024 * updates.length);
    expect(got.adjustments).toEqual(inMemory.adjustments);
    expect(got.adjustments.map((a) => a.clientId)).toContain('x');
    expect(got.weights.map((w) => [w.name, w.shape])).toEqual(expected.map((w) => [w.name, w.shape]));
    got.weights.forEach((w, i) => {
      let worst = 0;
      w.values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i]!.values[j]!))));
      expect(worst, `${aggregator.id} ${w.name}`).toBeLessThan(1e-6);
    });
    expect(got.spooled).toBe(updates.length * 2500 * 4);
    expect(existsSync(got.file)).toBe(false);
  });

  it('fedavg: an honest round needs no read-back, and a 10¹⁵ count arriving first is summed again from disk without losing precision', () => {
    const honest = [update('a', 100), update('b', 100), update('c', 100)];
    const plain = new FedAvgAggregator().aggregate(honest);
    const got = streamed(new FedAvgAggregator(), honest, undefined, true);
    expect(got.adjustments).toEqual([]);
    got.weights.forEach((w, i) => w.values.forEach((v, j) => expect(Math.abs(v - plain[i]!.values[j]!)).toBeLessThan(1e-6)));

    const flooded = [update('x', 1e15, -30), ...honest];
    const inMemory = new FedAvgAggregator().aggregate(boundInfluence('cell-1', flooded, GLOBAL, DEFAULTS).updates);
    expect(() => streamed(new FedAvgAggregator(), flooded, undefined, true)).toThrow(/is closed/);
    const again = streamed(new FedAvgAggregator(), flooded);
    again.weights.forEach((w, i) => w.values.forEach((v, j) => expect(Math.abs(v - inMemory[i]!.values[j]!)).toBeLessThan(1e-6)));
  });
});
