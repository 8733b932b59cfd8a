import { DatasetError } from './dataset-error';

import { deriveSeed } from '@localbp/core';

export { deriveSeed };

/** Anything indexable by number that can be shuffled in place. */
export interface MutableIndexable {
  length: number;
  [index: number]: number;
}

function requireSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new DatasetError('bad-argument', `${what} must be a safe integer, got ${value}`);
  }
}

/** mulberry32: tiny, fast, good enough for shuffling; identical sequences for identical seeds. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    requireSafeInteger(seed, 'seed');
    // Mixed so that nearby seeds (1, 2, 3) start far apart.
    this.state = deriveSeed(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x1_0000_0000) {
      throw new DatasetError('bad-argument', `nextInt bound must be an integer in 1..2^32, got ${n}`);
    }
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T extends MutableIndexable>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i] as number;
      array[i] = array[j] as number;
      array[j] = tmp;
    }
    return array;
  }
}

/** A seeded random permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new DatasetError('bad-argument', `permutation length must be a non-negative integer, got ${n}`);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return new SeededRandom(seed).shuffle(order);
}
