import { describe, expect, it } from 'vitest';
import { lttb, smooth } from './downsample';

describe('lttb', () => {
  it('keeps short series whole and drops nulls', () => {
    expect(lttb([1, 2, 3], [1, null, 3], 100)).toEqual({ x: [1, 3], y: [1, 3] });
  });

  it('reduces 100,000 points to the threshold, keeping the ends and the spikes', () => {
    const n = 100_000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map((i) => (i === 54_321 ? 50 : i === 77_777 ? -40 : Math.sin(i / 1000)));
    const { x, y } = lttb(xs, ys, 1000);
    expect(x).toHaveLength(1000);
    expect([x[0], x.at(-1)]).toEqual([0, n - 1]);
    expect(x).toContain(54_321);
    expect(x).toContain(77_777);
    expect(Math.max(...y)).toBe(50);
    expect(Math.min(...y)).toBe(-40);
    for (let i = 1; i < x.length; i++) expect(x[i]!).toBeGreaterThan(x[i - 1]!);
  });
});

describe('smooth', () => {
  it('is the identity at weight 0 and a debiased moving average above', () => {
    expect(smooth([1, 2, null, 4], 0)).toEqual([1, 2, null, 4]);
    const s = smooth([2, 2, 2], 0.9);
    // Debiasing: a constant series stays constant from the first point on.
    for (const v of s) expect(v).toBeCloseTo(2, 10);
    const step = smooth([0, 0, 10, 10], 0.5) as number[];
    expect(step[2]!).toBeGreaterThan(0);
    expect(step[2]!).toBeLessThan(10);
  });
});
