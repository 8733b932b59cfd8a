import { describe, expect, it } from 'vitest';
import { diffConfigs } from './config-diff';

describe('diffConfigs', () => {
  it('lists every leaf path and flags the ones that differ', () => {
    const rows = diffConfigs([
      { model: { width: 32, cells: [{ type: 'ae' }] }, seed: 1 },
      { model: { width: 24, cells: [{ type: 'ae' }, { type: 'dae' }] }, seed: 1 },
    ]);
    expect(rows.filter((r) => r.differs).map((r) => [r.path, r.values])).toEqual([
      ['model.cells[1].type', [undefined, '"dae"']],
      ['model.width', ['32', '24']],
    ]);
    expect(rows.find((r) => r.path === 'seed')?.differs).toBe(false);
  });
});
