import type { tf } from '@localbp/core';

/** One participant's trained weights for one cell (or the classifier), as the server receives them. */
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
  weights: ReadonlyArray<{ name: string; tensor: tf.Tensor }>;
}

/**
 * Combines the updates of one cell into its next weights. Each cell is aggregated separately,
 * over only the clients that trained it. Implementations own no tensors they return to the caller
 * beyond the result, which the caller disposes.
 */
export interface Aggregator {
  readonly id: string;
  /** The cell's next weights from the updates of the clients that trained it; the caller disposes them. */
  aggregate(updates: readonly CellUpdate[]): Array<{ name: string; tensor: tf.Tensor }>;
}

/** Builds an aggregator from its options; what the registry's `aggregator` kind holds. */
export type AggregatorFactory = (options: Readonly<Record<string, unknown>>) => Aggregator;
