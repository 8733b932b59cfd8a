/**
 * The two readings of federated LBP (method §5):
 * - `data-parallel`: clients hold data shards, train (some of) the cells, the server averages each cell;
 * - `cell-distributed`: participant k owns cell k and trains it on latents of the frozen cells before it.
 */
export const FEDERATION_MODES = ['data-parallel', 'cell-distributed'] as const;
/** `data-parallel` or `cell-distributed`. */
export type FederationMode = (typeof FEDERATION_MODES)[number];
