import { describe, expect, it } from 'vitest';
import { deriveSeed } from './seed';

describe('deriveSeed', () => {
  it('is deterministic, separates its parts and yields 32-bit seeds', () => {
    expect(deriveSeed(5, 1)).toBe(deriveSeed(5, 1));
    const seeds = new Set([deriveSeed(5, 0), deriveSeed(5, 1), deriveSeed(5, 2), deriveSeed(6, 0), deriveSeed(5), deriveSeed(2 ** 40, 1)]);
    expect(seeds.size).toBe(6);
    for (const s of seeds) expect(s).toBe(s >>> 0);
  });

  it('refuses non-integer seeds', () => {
    expect(() => deriveSeed(0.5)).toThrow('seed must be a safe integer');
    expect(() => deriveSeed(1, Number.NaN)).toThrow('seed part must be a safe integer');
  });
});
