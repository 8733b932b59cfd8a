import { tf } from '@localbp/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentImages, imageAugmentationSchema } from './image-augmentation';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two 4x5 one-channel images with distinct pixel values 1..20 and 21..40. */
function images(): tf.Tensor4D {
  return tf.tensor4d(Array.from({ length: 40 }, (_, i) => i + 1), [2, 4, 5, 1]);
}

function rows(t: tf.Tensor4D, index: number): number[][] {
  return (t.arraySync()[index] as number[][][]).map((r) => r.map((p) => Math.round(p[0]! * 1e4) / 1e4));
}

describe('augmentImages', () => {
  it('translates by whole pixels with zero fill, a different offset per example, reproducibly per seed', () => {
    const x = images();
    const original = [rows(x, 0), rows(x, 1)];
    const config = imageAugmentationSchema.parse({ shift: 1 });
    const a = augmentImages(x, config, 7);
    const b = augmentImages(x, config, 7);
    expect(a.shape).toEqual([2, 4, 5, 1]);
    expect(a.arraySync()).toEqual(b.arraySync());
    for (const i of [0, 1]) {
      const out = rows(a, i);
      // Every output pixel is an input pixel of the same image or padding: no interpolation.
      const allowed = new Set([0, ...original[i]!.flat()]);
      for (const v of out.flat()) expect(allowed.has(v)).toBe(true);
      // Some offset in [-1, 1]² reproduces the output exactly.
      const matches = [-1, 0, 1].flatMap((dy) =>
        [-1, 0, 1].filter((dx) =>
          out.every((r, y) => r.every((v, xx) => v === (original[i]![y + dy]?.[xx + dx] ?? 0))),
        ),
      );
      expect(matches.length).toBeGreaterThan(0);
    }
    // Over many seeds the offsets vary.
    const distinct = new Set(Array.from({ length: 12 }, (_, s) => JSON.stringify(augmentImages(x, config, s).arraySync())));
    expect(distinct.size).toBeGreaterThan(3);
    for (const t of [x, a, b]) t.dispose();
  });

  it('mirrors images left-right with horizontalFlip and leaves no tensors behind', () => {
    const x = images();
    const before = tf.memory().numTensors;
    const config = imageAugmentationSchema.parse({ horizontalFlip: true });
    const seen = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      const out = augmentImages(x, config, seed);
      const first = rows(out, 0);
      const original = rows(x, 0);
      const mirrored = original.map((r) => [...r].reverse());
      expect([JSON.stringify(original), JSON.stringify(mirrored)]).toContain(JSON.stringify(first));
      seen.add(JSON.stringify(first));
      out.dispose();
    }
    expect(seen.size).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects negative or huge shifts', () => {
    expect(() => imageAugmentationSchema.parse({ shift: -1 })).toThrow();
    expect(() => imageAugmentationSchema.parse({ shift: 100 })).toThrow();
  });
});
