import type { Aggregator, AggregatorFactory, CellUpdate } from '../aggregator';
import type { WeightArray } from '../protocol/weight-array';
import { AggregatorError, requireUpdates, updateWeight } from './aggregation-errors';
import { weightedMean } from './fedavg';

/**
 * Multi-Krum (Blanchard et al. 2017): score each update by the summed squared distances to its
 * K − f − 2 nearest others, keep the m best-scored, and average those (example-weighted). Tolerates
 * up to f Byzantine clients when K > 2f + 2.
 */
export class MultiKrumAggregator implements Aggregator {
  readonly id = 'multi-krum';

  constructor(
    /** Byzantine clients to tolerate. */
    readonly f: number,
    /** Updates to keep; default K − f. */
    readonly m: number | undefined,
  ) {
    if (!Number.isInteger(f) || f < 0) throw new AggregatorError(`multi-krum: f must be an integer ≥ 0, got ${f}`);
    if (m !== undefined && (!Number.isInteger(m) || m < 1)) throw new AggregatorError(`multi-krum: m must be an integer ≥ 1, got ${m}`);
  }

  /** Indices of the kept updates, best score first. */
  select(updates: readonly CellUpdate[]): number[] {
    const n = updates.length;
    const neighbours = n - this.f - 2;
    if (neighbours < 1) {
      throw new AggregatorError(`multi-krum with f=${this.f} needs more than ${this.f + 2} updates, got ${n}`);
    }
    const distance = Array.from({ length: n }, () => new Float64Array(n));
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        let d = 0;
        updates[a]!.weights.forEach((w, i) => {
          const x = w.values;
          const y = updates[b]!.weights[i]!.values;
          for (let j = 0; j < x.length; j++) {
            const diff = x[j]! - y[j]!;
            d += diff * diff;
          }
        });
        distance[a]![b] = d;
        distance[b]![a] = d;
      }
    }
    const scores = distance.map((row, a) => {
      const others = Array.from(row).filter((_, b) => b !== a).sort((x, y) => x - y);
      return others.slice(0, neighbours).reduce((s, d) => s + d, 0);
    });
    const keep = Math.min(n, this.m ?? n - this.f);
    return Array.from({ length: n }, (_, i) => i)
      .sort((a, b) => scores[a]! - scores[b]! || a - b)
      .slice(0, keep);
  }

  aggregate(updates: readonly CellUpdate[]): WeightArray[] {
    requireUpdates(this.id, updates);
    const kept = this.select(updates).map((i) => updates[i]!);
    return weightedMean(kept, kept.map(updateWeight));
  }
}

export const createMultiKrum: AggregatorFactory = (options) =>
  new MultiKrumAggregator(Number(options.f ?? 1), options.m === undefined ? undefined : Number(options.m));
