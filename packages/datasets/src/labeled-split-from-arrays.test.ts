import { describe, expect, it } from 'vitest';
import { labeledSplitFromArrays } from './labeled-split-from-arrays';

const images = Uint8Array.from({ length: 3 * 4 }, (_, i) => i);

describe('labeledSplitFromArrays', () => {
  it('wraps the arrays without copying and names the classes', () => {
    const split = labeledSplitFromArrays({ images, labels: Uint8Array.from([0, 2, 1]), imageShape: [2, 2, 1], numClasses: 3 });
    expect(split).toMatchObject({ name: 'train', count: 3, imageShape: [2, 2, 1], numClasses: 3, classNames: ['0', '1', '2'] });
    expect(split.images).toBe(images);
  });

  it('refuses arrays that do not fit together, with the reason', () => {
    const labels = Uint8Array.from([0, 1, 1]);
    expect(() => labeledSplitFromArrays({ images, labels: Uint8Array.from([0, 1]), imageShape: [2, 2, 1], numClasses: 2 })).toThrow(
      /12 pixel values do not make 2 images of 2x2x1 \(expected 8\)/,
    );
    expect(() => labeledSplitFromArrays({ images, labels: Uint8Array.from([0, 5, 1]), imageShape: [2, 2, 1], numClasses: 2 })).toThrow(
      /label 5 of example 1 is not below numClasses 2/,
    );
    expect(() => labeledSplitFromArrays({ images, labels, imageShape: [2, 2], numClasses: 2 })).toThrow(/imageShape must be \[H, W, C\]/);
    expect(() => labeledSplitFromArrays({ images, labels, imageShape: [2, 2, 1], numClasses: 2, classNames: ['a'] })).toThrow(/1 class names for 2 classes/);
    expect(() => labeledSplitFromArrays({ images: new Uint8Array(0), labels: new Uint8Array(0), imageShape: [2, 2, 1], numClasses: 2 })).toThrow(/no examples/);
  });
});
