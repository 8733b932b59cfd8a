import { describe, expect, it } from 'vitest';
import { planStages, slowestStageShare } from './stage-plan';

describe('planStages', () => {
  it('balances the main job: two cells against the third and the head', () => {
    // Relative costs measured for 3 ae cells x 1000 and a 512-unit head.
    const costs = [1.6, 2.0, 2.0, 1.5];
    const plan = planStages(costs, 2);
    expect(plan).toEqual([
      { first: 0, last: 1 },
      { first: 2, last: 3 },
    ]);
    expect(slowestStageShare(costs, plan)).toBeCloseTo(3.6 / 7.1, 6);
  });

  it('gives every part its own stage when there are enough workers, and never more stages than parts', () => {
    expect(planStages([1, 1, 1], 3)).toEqual([
      { first: 0, last: 0 },
      { first: 1, last: 1 },
      { first: 2, last: 2 },
    ]);
    expect(planStages([1, 1], 8)).toHaveLength(2);
  });

  it('keeps one heavy part alone and groups the light ones', () => {
    expect(planStages([10, 1, 1, 1], 2)).toEqual([
      { first: 0, last: 0 },
      { first: 1, last: 3 },
    ]);
    expect(planStages([1, 1, 1, 10], 2)).toEqual([
      { first: 0, last: 2 },
      { first: 3, last: 3 },
    ]);
  });

  it('is optimal: no contiguous split of three stages has a faster slowest stage', () => {
    const costs = [3, 1, 4, 1, 5, 9, 2, 6];
    const plan = planStages(costs, 3);
    const slowest = (cuts: number[]) => {
      const bounds = [0, ...cuts, costs.length];
      let worst = 0;
      for (let s = 0; s + 1 < bounds.length; s++) worst = Math.max(worst, costs.slice(bounds[s], bounds[s + 1]).reduce((a, b) => a + b, 0));
      return worst;
    };
    let bestBrute = Number.POSITIVE_INFINITY;
    for (let a = 1; a < costs.length; a++) for (let b = a + 1; b < costs.length; b++) bestBrute = Math.min(bestBrute, slowest([a, b]));
    const planCost = Math.max(...plan.map((p) => costs.slice(p.first, p.last + 1).reduce((x, y) => x + y, 0)));
    expect(planCost).toBe(bestBrute);
    expect(plan[0]!.first).toBe(0);
    expect(plan.at(-1)!.last).toBe(costs.length - 1);
  });

  it('refuses nonsense', () => {
    expect(() => planStages([], 2)).toThrow(/at least one part/);
    expect(() => planStages([1], 0)).toThrow(/positive integer/);
    expect(() => planStages([1, Number.NaN], 2)).toThrow(/finite/);
  });
});
