import * as tf from '@tensorflow/tfjs';
import { DatasetError } from './dataset-error';
import { imageSize } from './labeled-split';
import type { LabeledSplit } from './labeled-split';
import { deriveSeed, permutation } from './seeded-random';

/** How `batches` cuts a split into mini-batches: size, shuffling (seeded per epoch), shape, where to start. */
export interface BatchOptions {
  batchSize: number;
  /** Visit examples in a seeded random order (else in stored order). */
  shuffle: boolean;
  /** With `epoch`, fixes the order: same seed and epoch give the same batches. Ignored without shuffle. */
  seed: number;
  /** Each epoch gets its own permutation of the split. Default 0. */
  epoch?: number;
  /** xs shaped [b, H*W*C] (default true) or [b, H, W, C]. */
  flatten?: boolean;
  /** Skip a final batch smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Start at this batch of the epoch (resuming mid-epoch); earlier batches are never built. Default 0. */
  startBatch?: number;
}

/** One mini-batch; the caller owns the tensors and must dispose them. */
export interface Batch {
  /** float32 pixels scaled to [0, 1]. */
  xs: tf.Tensor;
  /** int32 class indices. */
  ys: tf.Tensor1D;
  /** Examples in this batch (the last one may be smaller). */
  size: number;
  /** 0-based position of the batch within the epoch. */
  index: number;
}

/** Whether images come flattened `[n, H*W*C]` or shaped `[n, H, W, C]`. */
export interface ShapeOptions {
  /** xs shaped [n, H*W*C] (default true) or [n, H, W, C]. */
  flatten?: boolean;
}

/** v/255 for every byte, so scaling is a table lookup and exactly the same everywhere. */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

function requirePositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new DatasetError('bad-argument', `${what} must be a positive integer, got ${value}`);
  }
}

/** Batches per epoch for `count` examples. */
export function countBatches(count: number, batchSize: number, dropLast = false): number {
  requirePositiveInteger(batchSize, 'batchSize');
  if (!Number.isInteger(count) || count < 0) {
    throw new DatasetError('bad-argument', `count must be a non-negative integer, got ${count}`);
  }
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** The order examples are visited in during one epoch: stored order, or a permutation fixed by (seed, epoch). */
export function epochOrder(count: number, options: Pick<BatchOptions, 'shuffle' | 'seed' | 'epoch'>): Uint32Array {
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new DatasetError('bad-argument', `epoch must be a non-negative integer, got ${epoch}`);
  }
  if (options.shuffle) return permutation(count, deriveSeed(options.seed, epoch));
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

/** Copies the chosen examples into fresh tensors. */
function gather(split: LabeledSplit, indices: ArrayLike<number>, flatten: boolean): { xs: tf.Tensor; ys: tf.Tensor1D } {
  const size = imageSize(split);
  const n = indices.length;
  const pixels = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const example = indices[b] ?? 0;
    labels[b] = split.labels[example] ?? 0;
    const src = example * size;
    const dst = b * size;
    for (let p = 0; p < size; p++) pixels[dst + p] = BYTE_TO_UNIT[split.images[src + p] ?? 0] ?? 0;
  }
  const shape = flatten ? [n, size] : [n, ...split.imageShape];
  return { xs: tf.tensor(pixels, shape, 'float32'), ys: tf.tensor1d(labels, 'int32') };
}

/**
 * Yields the split's mini-batches for one epoch. Tensors are created only when a batch is
 * requested, so stopping early leaks nothing; each yielded batch must be disposed by the caller.
 */
export function batches(split: LabeledSplit, options: BatchOptions): Generator<Batch, void, undefined> {
  // Validate now rather than on the first next(), so bad options fail where they are passed.
  const { batchSize, flatten = true, dropLast = false, startBatch = 0 } = options;
  const total = countBatches(split.count, batchSize, dropLast);
  if (!Number.isInteger(startBatch) || startBatch < 0) {
    throw new DatasetError('bad-argument', `startBatch must be a non-negative integer, got ${startBatch}`);
  }
  const order = epochOrder(split.count, options);
  return (function* generate(): Generator<Batch, void, undefined> {
    for (let index = startBatch; index < total; index++) {
      const indices = order.subarray(index * batchSize, Math.min((index + 1) * batchSize, split.count));
      yield { ...gather(split, indices, flatten), size: indices.length, index };
    }
  })();
}

/**
 * The same batches as a tf.data.Dataset. Iterating it again (e.g. once per fitDataset epoch)
 * moves to the next epoch's permutation, starting from `options.epoch`.
 */
export function toTfDataset(split: LabeledSplit, options: BatchOptions): tf.data.Dataset<{ xs: tf.Tensor; ys: tf.Tensor }> {
  countBatches(split.count, options.batchSize, options.dropLast);
  const firstEpoch = options.epoch ?? 0;
  let iteration = 0;
  return tf.data.generator(() => {
    const epochBatches = batches(split, { ...options, epoch: firstEpoch + iteration++ });
    return (function* tensorsOnly(): Generator<{ xs: tf.Tensor; ys: tf.Tensor }, void, undefined> {
      for (const batch of epochBatches) yield { xs: batch.xs, ys: batch.ys };
    })();
  });
}

/** The whole split as two tensors, for evaluation; the caller disposes them. */
export function splitToTensors(split: LabeledSplit, options: ShapeOptions = {}): { xs: tf.Tensor; ys: tf.Tensor1D } {
  return gather(split, epochOrder(split.count, { shuffle: false, seed: 0 }), options.flatten ?? true);
}
