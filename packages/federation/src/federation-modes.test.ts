import { Registry, tf } from '@localbp/core';
import { describe, expect, it } from 'vitest';
import { FEDERATION_MODES, type Aggregator, type CellUpdate } from './index';

describe('federation interfaces', () => {
  it('names both readings of federated LBP', () => {
    expect(FEDERATION_MODES).toEqual(['data-parallel', 'cell-distributed']);
  });

  it('lets an aggregator be registered and resolved through the shared registry', () => {
    const registry = new Registry();
    const firstOnly = (): Aggregator => ({
      id: 'first-only',
      aggregate: (updates: readonly CellUpdate[]) => updates[0]!.weights.map((w) => ({ name: w.name, tensor: w.tensor.clone() })),
    });
    registry.register('aggregator', 'first-only', firstOnly);
    const aggregator = registry.get('aggregator', 'first-only')({});
    const tensor = tf.tensor1d([1, 2]);
    const [out] = aggregator.aggregate([
      { cellId: 'cell-1', clientId: 'a', examples: 3, baseVersion: 0, upstreamVersions: {}, weights: [{ name: 'w', tensor }] },
    ]);
    expect(Array.from(out!.tensor.dataSync())).toEqual([1, 2]);
    tf.dispose([tensor, out!.tensor]);
  });
});
