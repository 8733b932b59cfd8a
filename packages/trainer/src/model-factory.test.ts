import { Registry, registerBuiltinCells, resolveBackend, tf } from '@localbp/core';
import { registerObjectives } from '@localbp/objectives';
import { beforeAll, describe, expect, it } from 'vitest';
import { LbpModel } from './lbp-model';
import { createModel, parameterCount, registerBuiltinModels } from './model-factory';

beforeAll(async () => {
  await resolveBackend('cpu', { quiet: true });
});

describe('createModel', () => {
  const data = { imageShape: [4, 4, 1], numClasses: 3 };

  it('builds the family named by config.model through the registry', () => {
    const model = createModel({ model: 'lbp', cells: [{ type: 'ae', width: 5 }], head: { hidden: [] } }, data);
    expect(model).toBeInstanceOf(LbpModel);
    expect(model.units.map((u) => u.id)).toEqual(['cell-1']);
    // ae 16→5→16 (+ layer norm 5+5) and a linear head 5→3
    expect(parameterCount(model)).toBe(16 * 5 + 5 + 5 * 16 + 16 + 10 + 5 * 3 + 3);
    model.dispose();
  });

  it('names the registered families when the kind is unknown', () => {
    expect(() => createModel({ model: 'nope', cells: [] }, data)).toThrow(/unknown model "nope"; registered models: .*lbp/);
  });

  it('a plugin registry can add its own family', () => {
    const registry = new Registry();
    registerBuiltinCells(registry);
    registerObjectives(registry);
    registerBuiltinModels(registry);
    registry.register('model', 'tiny', (config, shape, reg) => LbpModel.create({ cells: [{ type: 'ae', width: 2 }], seed: (config as { seed: number }).seed }, shape, reg));
    const model = createModel({ model: 'tiny', seed: 4 }, data, registry);
    expect(model.config.seed).toBe(4);
    const before = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });
});
