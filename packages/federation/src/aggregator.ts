import type { WeightArray } from './protocol/weight-array';

/** One participant's trained weights for one cell (or the classifier), as the server accepted them. */
export interface CellUpdate {
  /** `cell-1` … or `head`. */
  cellId: string;
  clientId: string;
  /** Examples the client trained on: FedAvg's weight. */
  examples: number;
  /** Version of this cell the client started from. */
  baseVersion: number;
  /** Versions of the upstream cells the update was trained against (staleness checks). */
  upstreamVersions: Readonly<Record<string, number>>;
  /** Extra factor on the example weight (staleness down-weighting); 1 when absent. */
  scale?: number;
  /** Every weight of the cell, in the cell's order, validated against the cell's shapes. */
  weights: readonly WeightArray[];
}

/** What an aggregator asks clients to do differently while training (FedProx's proximal term). */
export interface ClientTrainingOptions {
  /** μ of the proximal term μ/2·‖w − w_global‖²; 0 = plain local training. */
  proximalMu: number;
}

/**
 * Combines the updates of one cell into its next weights. Each cell is aggregated separately,
 * over only the clients that trained it; every update holds the same names and shapes (the
 * server validated them). Works on plain float32 arrays, so it needs no tfjs backend.
 */
export interface Aggregator {
  readonly id: string;
  /** Sent to clients with each task; absent = plain local training. */
  readonly clientTraining?: ClientTrainingOptions;
  /**
   * How a server may feed this aggregator without holding a round's updates in memory. `weighted-mean`: the
   * result is Σ updateWeight·weights / Σ updateWeight (FedAvg, FedProx), so the server keeps a running sum as
   * updates arrive and does not call `aggregate`. `coordinate-wise`: each output coordinate depends only on that
   * coordinate of the inputs (median, trimmed mean), so `aggregate` may be called on blocks of coordinates (each
   * update then holds one flat weight). Absent: `aggregate` gets every update whole.
   */
  readonly streaming?: 'weighted-mean' | 'coordinate-wise';
  /** The cell's next weights from the updates of the clients that trained it (fresh arrays). */
  aggregate(updates: readonly CellUpdate[]): WeightArray[];
}

/** Builds an aggregator from its options; what the registry's `aggregator` kind holds. */
export type AggregatorFactory = (options: Readonly<Record<string, unknown>>) => Aggregator;
