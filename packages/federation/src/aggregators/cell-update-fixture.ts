import type { CellUpdate } from '../aggregator';
import type { WeightArray } from '../protocol/weight-array';

/** Test fixture: client `clientId`'s update of `cell-1` at version 0 with the given weights (and staleness scale). */
export function cellUpdate(clientId: string, examples: number, weights: WeightArray[], scale?: number): CellUpdate {
  return { cellId: 'cell-1', clientId, examples, baseVersion: 0, upstreamVersions: {}, ...(scale !== undefined ? { scale } : {}), weights };
}
