import { describe, expect, it } from 'vitest';
import type { Aggregator, CellUpdate } from '../aggregator';
import { CoordinateMedianAggregator, TrimmedMeanAggregator } from '../aggregators/coordinate-statistics';
import { FedAvgAggregator } from '../aggregators/fedavg';
import { MultiKrumAggregator } from '../aggregators/multi-krum';
import type { WeightArray } from '../protocol/weight-array';
import { boundInfluence, lowerMedian, type InfluenceBounds } from './bounded-influence';

const GLOBAL: WeightArray[] = [{ name: 'cell-1/kernel', shape: [2], values: Float32Array.from([1, 1]) }];
/** Tight bounds (the server's defaults are k = 2, c = 2, cosine 0.05), so small examples show every effect. */
const TIGHT: InfluenceBounds = { examplesCapFactor: 1, normClipFactor: 1, minCosine: 0 };
/** Without the direction check, to see capping and clipping alone. */
const NO_COSINE: InfluenceBounds = { ...TIGHT, minCosine: -1 };

function update(clientId: string, examples: number, values: [number, number]): CellUpdate {
  return { cellId: 'cell-1', clientId, examples, baseVersion: 0, upstreamVersions: {}, weights: [{ name: 'cell-1/kernel', shape: [2], values: Float32Array.from(values) }] };
}

describe('lowerMedian', () => {
  it('takes the middle value, the smaller of the two for an even count', () => {
    expect(lowerMedian([5, 1, 3])).toBe(3);
    expect(lowerMedian([10, 1e12])).toBe(10);
    expect(lowerMedian([4, 1, 3, 2])).toBe(2);
  });
});

describe('boundInfluence', () => {
  it('leaves an IID-like round (equal counts, equal norms) untouched, and shortens only what is above the median', () => {
    // Deltas (0.1, 0), (0, 0.1), (0.08, 0.06): all of norm 0.1, all pointing the same general way.
    const honest = [update('a', 100, [1.1, 1]), update('b', 100, [1, 1.1]), update('c', 100, [1.08, 1.06])];
    const { updates, adjustments } = boundInfluence('cell-1', honest, GLOBAL, { ...TIGHT, normClipFactor: 1.001 }); // 1.001: float32 rounding of the equal norms
    expect(adjustments).toEqual([]);
    updates.forEach((u, i) => expect(u).toBe(honest[i]));
    // With k = c = 2 a client a bit above the median (120 examples, norm 0.12) is left alone too.
    const uneven = [update('a', 100, [1.1, 1]), update('b', 120, [1, 1.12]), update('c', 90, [1.08, 1.06])];
    expect(boundInfluence('cell-1', uneven, GLOBAL, { examplesCapFactor: 2, normClipFactor: 2, minCosine: 0 }).adjustments).toEqual([]);
    expect(boundInfluence('cell-1', uneven, GLOBAL, TIGHT).adjustments.map((a) => [a.clientId, a.countedExamples])).toEqual([['b', 100]]);
  });

  it('caps an inflated count at the median and clips a long delta to the median norm, keeping its direction', () => {
    // Deltas: a, b, c have norm 0.1; x moves by (−3, −4), norm 5.
    const round = [update('a', 100, [1.1, 1]), update('b', 100, [1, 1.1]), update('c', 100, [0.9, 1]), update('x', 1e12, [-2, -3])];
    const { updates, adjustments } = boundInfluence('cell-1', round, GLOBAL, NO_COSINE);
    const x = updates[3]!;
    expect(x.examples).toBe(100);
    // Clipped to 0.1 along (−0.6, −0.8).
    expect(Array.from(x.weights[0]!.values).map((v) => Number(v.toFixed(5)))).toEqual([0.94, 0.92]);
    expect(adjustments).toHaveLength(1);
    expect(adjustments[0]).toMatchObject({ clientId: 'x', unit: 'cell-1', declaredExamples: 1e12, countedExamples: 100, deltaNorm: 5 });
    expect(adjustments[0]!.clippedTo).toBeCloseTo(0.1, 6);
    // Inputs are never modified in place.
    expect(Array.from(round[3]!.weights[0]!.values)).toEqual([-2, -3]);
  });

  it('applies the absolute --max-examples cap, and each bound can be switched off', () => {
    const round = [update('a', 100, [1.1, 1]), update('x', 1e12, [-9, -9])];
    expect(boundInfluence('cell-1', round, GLOBAL, { maxExamples: 50, examplesCapFactor: 0, normClipFactor: 0, minCosine: -1 }).updates.map((u) => u.examples)).toEqual([50, 50]);
    const off = boundInfluence('cell-1', round, GLOBAL, { examplesCapFactor: 0, normClipFactor: 0, minCosine: -1 });
    expect(off.adjustments).toEqual([]);
    // With two clients the lower median is the honest one: the inflated count cannot lift its own cap.
    expect(boundInfluence('cell-1', round, GLOBAL, TIGHT).updates[1]!.examples).toBe(100);
    expect(boundInfluence('cell-1', round, GLOBAL, { examplesCapFactor: 2, normClipFactor: 2, minCosine: 0 }).updates[1]!.examples).toBe(200);
  });

  it('leaves out an update pointing against the round\'s mean delta (with 3 or more updates), and reports its cosine', () => {
    const round = [update('a', 100, [1.1, 1.1]), update('b', 100, [1.1, 1.05]), update('c', 100, [1.05, 1.1]), update('x', 100, [0.9, 0.9])];
    const { updates, adjustments } = boundInfluence('cell-1', round, GLOBAL, TIGHT);
    expect(updates.map((u) => u.clientId)).toEqual(['a', 'b', 'c']);
    const dropped = adjustments.filter((a) => a.droppedCosine !== undefined);
    expect(dropped.map((a) => a.clientId)).toEqual(['x']);
    expect(dropped[0]!.droppedCosine).toBeLessThan(0);
    // Two updates give no majority to defend: both stay.
    expect(boundInfluence('cell-1', [round[0]!, round[3]!], GLOBAL, TIGHT).updates).toHaveLength(2);
    // −1 switches the check off.
    expect(boundInfluence('cell-1', round, GLOBAL, NO_COSINE).updates).toHaveLength(4);
  });

  it('keeps every aggregator near the honest consensus against a 1e12-count, negated-weights client', () => {
    // Four honest clients move the unit from 1 to about 1.1; the hostile one sends the negated weights.
    const honest = [update('a', 100, [1.1, 1.1]), update('b', 100, [1.12, 1.08]), update('c', 100, [1.08, 1.1]), update('d', 100, [1.1, 1.12])];
    const hostile = update('x', 1e12, [-1.1, -1.1]);
    const aggregators: Aggregator[] = [new FedAvgAggregator(), new CoordinateMedianAggregator(), new TrimmedMeanAggregator(0.2), new MultiKrumAggregator(1, undefined)];
    for (const aggregator of aggregators) {
      const raw = aggregator.aggregate([...honest, hostile])[0]!.values;
      const bounded = aggregator.aggregate(boundInfluence('cell-1', [...honest, hostile], GLOBAL, TIGHT).updates)[0]!.values;
      // Bounded: the hostile pull is at most 1/5 of the weight and one median step (0.14) against 4/5 of the
      // honest 0.1, so the unit still moves towards the honest 1.1, never back below the global 1.
      for (const v of bounded) {
        expect(v, aggregator.id).toBeGreaterThan(1.03);
        expect(v, aggregator.id).toBeLessThan(1.13);
      }
      // Unbounded FedAvg is the hostile client's weights: what the bound is for.
      if (aggregator.id === 'fedavg') expect(raw[0]).toBeCloseTo(-1.1, 5);
    }
  });
});
