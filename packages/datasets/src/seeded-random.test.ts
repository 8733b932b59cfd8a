import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { deriveSeed, permutation, SeededRandom } from './seeded-random';

const draws = (seed: number, n: number): number[] => {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs across seeds', () => {
    expect(draws(42, 20)).toEqual(draws(42, 20));
    expect(draws(42, 20)).not.toEqual(draws(43, 20));
    expect(draws(0, 5)).not.toEqual(draws(2 ** 32, 5));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = draws(7, 10000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('nextInt covers 0..n-1 and rejects bad bounds', () => {
    const rng = new SeededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(rng.nextInt(6));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => rng.nextInt(0)).toThrow(DatasetError);
    expect(() => rng.nextInt(2.5)).toThrow(DatasetError);
  });

  it('shuffles in place, keeping the elements', () => {
    const array = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const same = new SeededRandom(3).shuffle(array);
    expect(same).toBe(array);
    expect([...array].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(array).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('rejects non-integer seeds', () => {
    expect(() => new SeededRandom(0.5)).toThrow(/seed must be a safe integer/);
  });
});

describe('permutation', () => {
  it('is a deterministic permutation of 0..n-1', () => {
    const p = permutation(1000, 9);
    expect(Array.from(p)).toEqual(Array.from(permutation(1000, 9)));
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from(permutation(1000, 10)));
    expect(permutation(0, 1).length).toBe(0);
  });
});

describe('deriveSeed', () => {
  it('is deterministic and separates its parts', () => {
    expect(deriveSeed(5, 1)).toBe(deriveSeed(5, 1));
    const seeds = new Set([deriveSeed(5, 0), deriveSeed(5, 1), deriveSeed(5, 2), deriveSeed(6, 0), deriveSeed(5)]);
    expect(seeds.size).toBe(5);
    for (const s of seeds) expect(s).toBe(s >>> 0);
  });
});
