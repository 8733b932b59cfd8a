import type { CellBuildOptions } from '../cell';
import { DEFAULT_OPTIMIZER } from '../optimizer-config';
import type { Registry } from '../registry/registry';

/**
 * Build options for a first cell in a cell test: 8x8x1 images in [0, 1], width 16, seed 1, AdamW at lr 0.01 (fast
 * enough for a contract check's few steps), built against `registry`. `overrides` replace any field.
 */
export function cellBuildOptions(registry: Registry, overrides: Partial<CellBuildOptions> = {}): CellBuildOptions {
  return {
    id: 'cell-1',
    index: 0,
    inputShape: [8, 8, 1],
    inputRange: 'unit',
    width: 16,
    options: {},
    seed: 1,
    optimizer: { ...DEFAULT_OPTIMIZER, learningRate: 0.01 },
    registry,
    ...overrides,
  };
}
