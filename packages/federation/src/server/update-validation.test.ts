import { describe, expect, it } from 'vitest';
import type { UpdateMessage } from '../protocol/messages';
import type { WeightArray } from '../protocol/weight-array';
import { validateUpdate, type ValidationContext } from './update-validation';

const context: ValidationContext = {
  units: new Map([
    ['cell-1', [{ name: 'cell-1/k', shape: [2, 2], values: new Float32Array(4) }, { name: 'cell-1/b', shape: [2], values: new Float32Array(2) }]],
    ['head', [{ name: 'head/k', shape: [2], values: new Float32Array(2) }]],
  ]),
  assigned: new Set(['cell-1']),
  maxUpdateNorm: 10,
};

const message = (units: string[]): UpdateMessage => ({
  type: 'update',
  round: 1,
  taskId: 't',
  examples: 1,
  metrics: {},
  units: units.map((id) => ({ id, baseVersion: 0, upstreamVersions: {} })),
});

const good = (): WeightArray[] => [
  { name: 'cell-1/k', shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) },
  { name: 'cell-1/b', shape: [2], values: Float32Array.from([0, 1]) },
];

describe('validateUpdate', () => {
  it('accepts a complete, finite, bounded update and groups it in model order', () => {
    const grouped = validateUpdate(message(['cell-1']), good().reverse(), context);
    expect(grouped.get('cell-1')!.map((w) => w.name)).toEqual(['cell-1/k', 'cell-1/b']);
  });

  it('names every kind of bad update with its code', () => {
    const cases: Array<[UpdateMessage, WeightArray[], string, RegExp]> = [
      [message(['cell-9']), good(), 'unknown-cell', /unit "cell-9" does not exist/],
      [message(['head']), [{ name: 'head/k', shape: [2], values: new Float32Array(2) }], 'not-assigned', /was not assigned/],
      [message(['cell-1']), good().slice(0, 1), 'missing-weights', /lacks cell-1\/b/],
      [message(['cell-1']), [...good(), { name: 'cell-1/extra', shape: [1], values: new Float32Array(1) }], 'unknown-cell', /no weight named cell-1\/extra/],
      [message(['cell-1']), [{ ...good()[0]!, shape: [4] }, good()[1]!], 'bad-shape', /shape \[4\], expected \[2, 2\]/],
      [message(['cell-1']), [{ ...good()[0]!, values: Float32Array.from([1, Infinity, 0, 0]) }, good()[1]!], 'non-finite', /Infinity at index 1/],
      [message(['cell-1']), [{ ...good()[0]!, values: Float32Array.from([100, 0, 0, 0]) }, good()[1]!], 'update-norm', /L2 norm of 100.0, above the bound 10/],
      [message(['cell-1']), [...good(), { name: 'head/k', shape: [2], values: new Float32Array(2) }], 'bad-request', /does not list/],
    ];
    for (const [m, tensors, code, why] of cases) {
      let caught: unknown;
      try {
        validateUpdate(m, tensors, context);
      } catch (err) {
        caught = err;
      }
      expect(caught, code).toMatchObject({ name: 'FederationError', code });
      expect((caught as Error).message).toMatch(why);
    }
  });
});
