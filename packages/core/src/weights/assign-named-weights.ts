import type * as tf from '@tensorflow/tfjs';
import type { NamedWeights } from '../tensor-types';

/** A named weight set did not match the model it was loaded into. */
export class WeightMismatchError extends Error {
  override readonly name = 'WeightMismatchError';
}

/**
 * Assigns `source` into the live variables of `target` by name, checking that both hold exactly
 * the same names and shapes before touching anything, so a bad file never half-loads.
 */
export function assignNamedWeights(target: NamedWeights, source: ReadonlyMap<string, tf.Tensor>, what: string): void {
  const missing = target.filter((t) => !source.has(t.name)).map((t) => t.name);
  if (missing.length) throw new WeightMismatchError(`${what}: missing weights ${missing.join(', ')}`);
  const targetNames = new Set(target.map((t) => t.name));
  const extra = [...source.keys()].filter((n) => !targetNames.has(n));
  if (extra.length) throw new WeightMismatchError(`${what}: unexpected weights ${extra.join(', ')}`);
  for (const t of target) {
    const s = source.get(t.name)!;
    if (s.shape.join('x') !== t.tensor.shape.join('x')) {
      throw new WeightMismatchError(
        `${what}: weight ${t.name} has shape [${s.shape.join(', ')}], expected [${t.tensor.shape.join(', ')}]`,
      );
    }
  }
  for (const t of target) (t.tensor as tf.Variable).assign(source.get(t.name)!);
}
