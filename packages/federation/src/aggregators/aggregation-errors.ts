import type { CellUpdate } from '../aggregator';

/** Bad aggregator options or inputs: a configuration mistake, reported before any round runs. */
export class AggregatorError extends Error {
  override readonly name = 'AggregatorError';
}

/** Every aggregator needs at least one update with consistent names and sizes. */
export function requireUpdates(id: string, updates: readonly CellUpdate[], minimum = 1): void {
  if (updates.length < minimum) {
    throw new AggregatorError(`${id} needs at least ${minimum} update(s), got ${updates.length}`);
  }
  const first = updates[0]!;
  for (const u of updates) {
    if (u.weights.length !== first.weights.length) {
      throw new AggregatorError(`${id}: update from ${u.clientId} holds ${u.weights.length} weights, expected ${first.weights.length}`);
    }
    u.weights.forEach((w, i) => {
      const ref = first.weights[i]!;
      if (w.name !== ref.name || w.values.length !== ref.values.length) {
        throw new AggregatorError(`${id}: update from ${u.clientId} has ${w.name} (${w.values.length}) where ${ref.name} (${ref.values.length}) was expected`);
      }
    });
  }
}

/** The example weight of an update, including any staleness scale. */
export function updateWeight(u: CellUpdate): number {
  return u.examples * (u.scale ?? 1);
}
