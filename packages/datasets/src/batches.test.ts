import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, countBatches, epochOrder, splitToTensors, toTfDataset } from './batches';
import type { BatchOptions } from './batches';
import { DatasetError } from './dataset-error';
import type { LabeledSplit } from './labeled-split';

// 103 tiny 2x2x1 images; pixel 0 holds the example's index so batches can be traced back.
const COUNT = 103;
const split: LabeledSplit = {
  name: 'train',
  images: Uint8Array.from({ length: COUNT * 4 }, (_, k) => {
    const i = Math.floor(k / 4);
    return [i, 255 - i, 0, 255][k % 4] ?? 0;
  }),
  labels: Uint8Array.from({ length: COUNT }, (_, i) => i % 10),
  count: COUNT,
  imageShape: [2, 2, 1],
  numClasses: 10,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};

/** Runs one epoch and returns the example indices per batch, disposing every tensor. */
function epochIndices(options: BatchOptions): number[][] {
  const out: number[][] = [];
  for (const batch of batches(split, options)) {
    const pixels = batch.xs.arraySync() as number[][];
    out.push(pixels.map((row) => Math.round((row[0] ?? 0) * 255)));
    tf.dispose([batch.xs, batch.ys]);
  }
  return out;
}

beforeAll(async () => {
  await tf.ready();
});

describe('countBatches', () => {
  it('rounds up, or down with dropLast', () => {
    expect(countBatches(103, 10)).toBe(11);
    expect(countBatches(103, 10, true)).toBe(10);
    expect(countBatches(100, 10)).toBe(10);
    expect(countBatches(0, 10)).toBe(0);
  });
  it('rejects a bad batch size', () => {
    expect(() => countBatches(10, 0)).toThrow(DatasetError);
    expect(() => countBatches(10, 2.5)).toThrow(/batchSize must be a positive integer/);
  });
});

describe('batches', () => {
  const base: BatchOptions = { batchSize: 10, shuffle: true, seed: 1234 };

  it('gives the same order for the same seed and epoch', () => {
    expect(epochIndices({ ...base, epoch: 3 })).toEqual(epochIndices({ ...base, epoch: 3 }));
  });

  it('gives different orders for different epochs and seeds', () => {
    const epoch0 = epochIndices({ ...base, epoch: 0 });
    expect(epochIndices({ ...base, epoch: 1 })).not.toEqual(epoch0);
    expect(epochIndices({ ...base, seed: 99, epoch: 0 })).not.toEqual(epoch0);
    expect(epochIndices(base)).toEqual(epoch0);
  });

  it('visits every example exactly once per epoch, ending with a partial batch', () => {
    const perBatch = epochIndices(base);
    expect(perBatch.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(perBatch.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('keeps stored order without shuffle', () => {
    expect(epochIndices({ ...base, shuffle: false }).flat()).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('drops the partial batch with dropLast', () => {
    const perBatch = epochIndices({ ...base, dropLast: true });
    expect(perBatch).toHaveLength(10);
    expect(perBatch.every((b) => b.length === 10)).toBe(true);
    expect(new Set(perBatch.flat()).size).toBe(100);
  });

  it('yields float32 pixels in [0, 1] with int32 labels that match the images', () => {
    let index = 0;
    for (const batch of batches(split, { ...base, batchSize: 32 })) {
      expect(batch.index).toBe(index++);
      expect(batch.xs.dtype).toBe('float32');
      expect(batch.ys.dtype).toBe('int32');
      expect(batch.xs.shape).toEqual([batch.size, 4]);
      expect(batch.ys.shape).toEqual([batch.size]);
      const pixels = batch.xs.arraySync() as number[][];
      const labels = batch.ys.arraySync();
      pixels.forEach((row, b) => {
        for (const v of row) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(row[1]).toBeCloseTo(1 - (row[0] ?? 0), 6);
        expect(row[3]).toBe(1);
        expect(labels[b]).toBe(Math.round((row[0] ?? 0) * 255) % 10);
      });
      tf.dispose([batch.xs, batch.ys]);
    }
    expect(index).toBe(4);
  });

  it('keeps the image shape when flatten is false', () => {
    const [first] = batches(split, { ...base, flatten: false });
    expect(first?.xs.shape).toEqual([10, 2, 2, 1]);
    tf.dispose([first?.xs, first?.ys].filter((t): t is tf.Tensor => t !== undefined));
  });

  it('leaves no tensors behind once yielded ones are disposed, even when stopped early', () => {
    const before = tf.memory().numTensors;
    for (const batch of batches(split, base)) tf.dispose([batch.xs, batch.ys]);
    for (const batch of batches(split, base)) {
      tf.dispose([batch.xs, batch.ys]);
      if (batch.index === 2) break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates options when called, not on the first batch', () => {
    expect(() => batches(split, { ...base, batchSize: 0 })).toThrow(DatasetError);
    expect(() => batches(split, { ...base, epoch: -1 })).toThrow(/epoch must be a non-negative integer/);
    expect(() => batches(split, { ...base, seed: 0.5 })).toThrow(/seed/);
  });
});

describe('epochOrder', () => {
  it('matches the order batches uses', () => {
    const order = Array.from(epochOrder(COUNT, { shuffle: true, seed: 1234, epoch: 2 }));
    expect(epochIndices({ batchSize: 10, shuffle: true, seed: 1234, epoch: 2 }).flat()).toEqual(order);
  });
});

describe('toTfDataset', () => {
  it('yields the same batches and moves to the next epoch on each iteration', async () => {
    const before = tf.memory().numTensors;
    const dataset = toTfDataset(split, { batchSize: 10, shuffle: true, seed: 5, epoch: 4 });
    const iterate = async (): Promise<number[]> => {
      const seen: number[] = [];
      await dataset.forEachAsync(({ xs, ys }) => {
        const pixels = xs.arraySync() as number[][];
        seen.push(...pixels.map((row) => Math.round((row[0] ?? 0) * 255)));
        tf.dispose([xs, ys]);
      });
      return seen;
    };
    const first = await iterate();
    const second = await iterate();
    expect(first).toEqual(epochIndices({ batchSize: 10, shuffle: true, seed: 5, epoch: 4 }).flat());
    expect(second).toEqual(epochIndices({ batchSize: 10, shuffle: true, seed: 5, epoch: 5 }).flat());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('splitToTensors', () => {
  it('returns the whole split in stored order', () => {
    const before = tf.memory().numTensors;
    const { xs, ys } = splitToTensors(split);
    expect(xs.shape).toEqual([COUNT, 4]);
    expect(ys.dtype).toBe('int32');
    expect((xs.arraySync() as number[][]).map((row) => Math.round((row[0] ?? 0) * 255))).toEqual(
      Array.from({ length: COUNT }, (_, i) => i),
    );
    expect(Array.from(ys.dataSync())).toEqual(Array.from(split.labels));
    const image = splitToTensors(split, { flatten: false });
    expect(image.xs.shape).toEqual([COUNT, 2, 2, 1]);
    tf.dispose([xs, ys, image.xs, image.ys]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batches startBatch', () => {
  it('resumes mid-epoch with exactly the remaining batches of the same order', () => {
    const split = {
      name: 'train',
      images: Uint8Array.from({ length: 10 * 4 }, (_, i) => i % 256),
      labels: Uint8Array.from({ length: 10 }, (_, i) => i % 3),
      count: 10,
      imageShape: [2, 2, 1] as [number, number, number],
      numClasses: 3,
      classNames: ['a', 'b', 'c'],
    };
    const options = { batchSize: 3, shuffle: true, seed: 4, epoch: 1 };
    const all = [...batches(split, options)].map((b) => {
      const labels = Array.from(b.ys.dataSync());
      b.xs.dispose();
      b.ys.dispose();
      return { index: b.index, labels };
    });
    const rest = [...batches(split, { ...options, startBatch: 2 })].map((b) => {
      const labels = Array.from(b.ys.dataSync());
      b.xs.dispose();
      b.ys.dispose();
      return { index: b.index, labels };
    });
    expect(rest).toEqual(all.slice(2));
    expect(() => batches(split, { ...options, startBatch: -1 })).toThrow('startBatch');
  });
});
