import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset-error';
import { imageSize, labelHistogram, subset } from './labeled-split';
import type { LabeledSplit } from './labeled-split';

const split: LabeledSplit = {
  name: 'train',
  images: Uint8Array.from({ length: 5 * 6 }, (_, i) => i),
  labels: Uint8Array.from([0, 1, 2, 1, 1]),
  count: 5,
  imageShape: [2, 3, 1],
  numClasses: 3,
  classNames: ['a', 'b', 'c'],
};

describe('subset', () => {
  it('keeps the first examples as a view', () => {
    const s = subset(split, 2);
    expect(s.count).toBe(2);
    expect(Array.from(s.labels)).toEqual([0, 1]);
    expect(Array.from(s.images)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(s.images.buffer).toBe(split.images.buffer);
    expect(s.imageShape).toEqual([2, 3, 1]);
  });

  it('returns the whole split when the limit exceeds the count', () => {
    expect(subset(split, 5)).toBe(split);
    expect(subset(split, 1000).count).toBe(5);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects limit %s', (limit) => {
    expect(() => subset(split, limit)).toThrow(DatasetError);
    expect(() => subset(split, limit)).toThrow(/positive integer/);
  });
});

describe('labelHistogram and imageSize', () => {
  it('counts labels per class', () => {
    expect(labelHistogram(split)).toEqual([1, 3, 1]);
  });
  it('multiplies H, W and C', () => {
    expect(imageSize(split)).toBe(6);
  });
});
