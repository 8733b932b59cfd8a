import { describe, expect, it } from 'vitest';
import { medianInPlace, selectInPlace } from './order-statistics';

function sortedMedian(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

describe('order statistics by quickselect', () => {
  it('equal the sorted answer on random, sorted, reversed, constant and duplicate-heavy columns', () => {
    let seed = 3;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
    const columns: number[][] = [[7], [2, 1], [1, 1, 1, 1], [5, -0, 0, 3, 3, 3, -2]];
    for (const n of [3, 10, 101, 1000]) {
      const r = Array.from({ length: n }, random);
      columns.push(r, [...r].sort((a, b) => a - b), [...r].sort((a, b) => b - a), Array.from({ length: n }, () => Math.round(random() * 4)));
    }
    for (const c of columns) {
      // + 0: −0 and +0 are the same median (a sort orders them, quickselect need not).
      expect(medianInPlace(Float64Array.from(c)) + 0).toBe(sortedMedian(c) + 0);
      const k = Math.floor(c.length / 3);
      const a = Float64Array.from(c);
      const kth = selectInPlace(a, k);
      expect(kth + 0).toBe(Float64Array.from(c).sort()[k]! + 0);
      // Partitioned around k.
      for (let i = 0; i < a.length; i++) expect(i < k ? a[i]! <= kth : a[i]! >= kth).toBe(true);
    }
  });
});
