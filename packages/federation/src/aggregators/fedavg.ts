import type { Aggregator, AggregatorFactory, CellUpdate } from '../aggregator';
import type { WeightArray } from '../protocol/weight-array';
import { AggregatorError, requireUpdates, updateWeight } from './aggregation-errors';

/** Σ_k w_k·x_k / Σ_k w_k per coordinate, accumulated in float64 so 100 updates lose no precision. */
export function weightedMean(updates: readonly CellUpdate[], weights: readonly number[]): WeightArray[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new AggregatorError('weighted mean: the update weights sum to zero');
  return updates[0]!.weights.map((ref, i) => {
    const acc = new Float64Array(ref.values.length);
    updates.forEach((u, k) => {
      const f = weights[k]! / total;
      const v = u.weights[i]!.values;
      for (let j = 0; j < acc.length; j++) acc[j]! += f * v[j]!;
    });
    return { name: ref.name, shape: [...ref.shape], values: Float32Array.from(acc) };
  });
}

/** FedAvg (McMahan et al. 2017): the example-weighted mean of the clients' weights. */
export class FedAvgAggregator implements Aggregator {
  readonly id: string = 'fedavg';
  readonly streaming = 'weighted-mean' as const;

  aggregate(updates: readonly CellUpdate[]): WeightArray[] {
    requireUpdates(this.id, updates);
    return weightedMean(updates, updates.map(updateWeight));
  }
}

/**
 * FedProx (Li et al. 2020): FedAvg on the server; clients add the proximal term μ/2·‖w − w_global‖²
 * while training, which keeps non-IID clients from drifting far from the global model.
 */
export class FedProxAggregator extends FedAvgAggregator {
  override readonly id = 'fedprox';
  readonly clientTraining: { proximalMu: number };

  constructor(mu: number) {
    super();
    if (!Number.isFinite(mu) || mu < 0) throw new AggregatorError(`fedprox: mu must be a number ≥ 0, got ${mu}`);
    this.clientTraining = { proximalMu: mu };
  }
}

export const createFedAvg: AggregatorFactory = () => new FedAvgAggregator();
export const createFedProx: AggregatorFactory = (options) => new FedProxAggregator(Number(options.mu ?? 0.01));
