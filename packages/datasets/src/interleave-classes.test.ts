import { describe, expect, it } from 'vitest';
import { interleaveClasses } from './interleave-classes';

describe('interleaveClasses', () => {
  it('takes one image per class in turn, skipping exhausted classes', () => {
    // imageSize 1: the pixel value identifies the image.
    const result = interleaveClasses(
      [
        { images: Uint8Array.from([10, 11, 12, 13]), start: 1, count: 3 },
        { images: Uint8Array.from([20]), start: 0, count: 1 },
        { images: Uint8Array.from([30, 31]), start: 0, count: 2 },
      ],
      1,
    );
    expect(result.count).toBe(6);
    expect(Array.from(result.images)).toEqual([11, 20, 30, 12, 31, 13]);
    expect(Array.from(result.labels)).toEqual([0, 1, 2, 0, 2, 0]);
  });

  it('copies whole images', () => {
    const result = interleaveClasses(
      [
        { images: Uint8Array.from([1, 2, 3, 4]), start: 0, count: 2 },
        { images: Uint8Array.from([5, 6]), start: 0, count: 1 },
      ],
      2,
    );
    expect(Array.from(result.images)).toEqual([1, 2, 5, 6, 3, 4]);
  });
});
