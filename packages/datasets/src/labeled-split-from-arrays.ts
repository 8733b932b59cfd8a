import { DatasetError } from './dataset-error';
import type { LabeledSplit } from './labeled-split';

/** Raw pixels and labels from anywhere (an HTTP body, IndexedDB, a file input), as `labeledSplitFromArrays` takes them. */
export interface LabeledArrays {
  /** Raw pixels 0..255, count*H*W*C values, each image in HWC order. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  /** [H, W, C]. */
  imageShape: readonly [number, number, number] | readonly number[];
  numClasses: number;
  /** Default: '0', '1', … */
  classNames?: readonly string[];
  /** Default: 'train'. */
  name?: string;
}

/**
 * A `LabeledSplit` over typed arrays that did not come from a loader, checked as strictly as a loader
 * checks its files: pixel count = labels × H×W×C, every label below `numClasses`. It is how code without
 * a filesystem (a browser participant) holds a shard. The arrays are used as they are, not copied.
 */
export function labeledSplitFromArrays(arrays: LabeledArrays): LabeledSplit {
  const { images, labels, numClasses } = arrays;
  const name = arrays.name ?? 'train';
  if (!(images instanceof Uint8Array) || !(labels instanceof Uint8Array)) {
    throw new DatasetError('bad-argument', `${name}: images and labels must be Uint8Arrays`);
  }
  const shape = [...arrays.imageShape];
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DatasetError('bad-shape', `${name}: imageShape must be [H, W, C] of positive integers, got [${shape.join(', ')}]`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 256) {
    throw new DatasetError('bad-argument', `${name}: numClasses must be an integer in 1..256, got ${numClasses}`);
  }
  const count = labels.length;
  const size = shape[0]! * shape[1]! * shape[2]!;
  if (count === 0) throw new DatasetError('count-mismatch', `${name}: no examples`);
  if (images.length !== count * size) {
    throw new DatasetError(
      'count-mismatch',
      `${name}: ${images.length} pixel values do not make ${count} images of ${shape.join('x')} (expected ${count * size})`,
    );
  }
  const bad = labels.findIndex((l) => l >= numClasses);
  if (bad >= 0) throw new DatasetError('bad-label', `${name}: label ${labels[bad]} of example ${bad} is not below numClasses ${numClasses}`);
  const classNames = arrays.classNames ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (classNames.length !== numClasses) {
    throw new DatasetError('bad-argument', `${name}: ${classNames.length} class names for ${numClasses} classes`);
  }
  return { name, images, labels, count, imageShape: [shape[0]!, shape[1]!, shape[2]!], numClasses, classNames };
}
