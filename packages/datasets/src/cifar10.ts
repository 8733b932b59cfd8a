import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './dataset-error';
import type { LabeledSplit, TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';

export const CIFAR10_CLASS_NAMES: readonly string[] = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_SPLIT = 'official: data_batch_1..5.bin are train (50000), test_batch.bin is test (10000)';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
/** One record of the binary version: a label byte, then 1024 R, 1024 G and 1024 B bytes (row-major planes). */
export const CIFAR10_RECORD_BYTES = 1 + PIXELS;

const HINT =
  'Pass --data-dir pointing at the CIFAR-10 binary version: a folder holding data_batch_1.bin … data_batch_5.bin and ' +
  'test_batch.bin (unpacked from cifar-10-binary.tar.gz, https://www.cs.toronto.edu/~kriz/cifar.html).';

/**
 * Parses one batch file of CIFAR-10's binary version into HWC pixels and labels. `file` only
 * names the source in errors.
 */
export function parseCifar10Batch(bytes: Uint8Array, file: string): { images: Uint8Array; labels: Uint8Array; count: number } {
  if (bytes.length === 0) throw new DatasetError('truncated', `CIFAR-10 file ${file} is empty`, file);
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const whole = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
    throw new DatasetError(
      'bad-shape',
      `CIFAR-10 file ${file} has ${bytes.length} bytes, not a multiple of the ${CIFAR10_RECORD_BYTES}-byte record ` +
        `(1 label + 3072 pixels): ${whole} whole records and ${bytes.length - whole * CIFAR10_RECORD_BYTES} bytes left over ` +
        '(truncated, or not the binary version)',
      file,
    );
  }
  const count = bytes.length / CIFAR10_RECORD_BYTES;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = bytes[base]!;
    if (label >= CIFAR10_CLASS_NAMES.length) {
      throw new DatasetError(
        'bad-label',
        `CIFAR-10 file ${file} has label ${label} in record ${r} (byte ${base}): expected 0..${CIFAR10_CLASS_NAMES.length - 1}`,
        file,
      );
    }
    labels[r] = label;
    // CHW planes → HWC, the layout every loader here hands to models.
    const out = r * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[base + 1 + p]!;
      images[out + 3 * p + 1] = bytes[base + 1 + PLANE + p]!;
      images[out + 3 * p + 2] = bytes[base + 1 + 2 * PLANE + p]!;
    }
  }
  return { images, labels, count };
}

function readBatch(dir: string, name: string): { images: Uint8Array; labels: Uint8Array; count: number } {
  const file = join(dir, name);
  if (!existsSync(file)) throw new DatasetError('missing-file', `CIFAR-10 file ${file} not found. ${HINT}`, file);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DatasetError('unreadable-file', `CIFAR-10 file ${file} cannot be read: ${(err as Error).message}`, file, { cause: err });
  }
  return parseCifar10Batch(bytes, file);
}

function split(name: string, parts: Array<{ images: Uint8Array; labels: Uint8Array; count: number }>): LabeledSplit {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { name, images, labels, count, imageShape: [SIDE, SIDE, 3], numClasses: 10, classNames: CIFAR10_CLASS_NAMES };
}

/** Loads CIFAR-10's binary version from `dataDir` (there is no npm package with the data). */
export function loadCifar10(options: LoadDatasetOptions = {}): TrainTestSplits {
  const dir = options.dataDir;
  if (dir === undefined) {
    throw new DatasetError('missing-file', `CIFAR-10 is not bundled with localbp. ${HINT}`);
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError('missing-file', `CIFAR-10 data directory ${dir} does not exist or is not a directory. ${HINT}`, dir);
  }
  return {
    train: split('train', CIFAR10_TRAIN_FILES.map((f) => readBatch(dir, f))),
    test: split('test', [readBatch(dir, CIFAR10_TEST_FILE)]),
    source: `CIFAR-10 binary files in ${dir}`,
    splitRule: CIFAR10_SPLIT,
  };
}
