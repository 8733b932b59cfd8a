import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './dataset-error';
import { readIdxFile } from './idx-file';
import type { LabeledSplit } from './labeled-split';

/** File names shared by MNIST and Fashion-MNIST in IDX form (each may also end in .gz). */
export const IDX_SPLIT_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** What a folder of MNIST-style IDX files must contain, and what to tell the user when it does not. */
export interface IdxDatasetSpec {
  /** Dataset name used in messages, e.g. 'MNIST'. */
  label: string;
  height: number;
  width: number;
  classNames: readonly string[];
  /** Appended to missing-file errors: how to fix it. */
  missingHint: string;
}

/** Finds `dir/baseName` or `dir/baseName.gz`, with an actionable error when neither exists. */
export function resolveIdxPath(dir: string, baseName: string, spec: IdxDatasetSpec): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(
      'missing-file',
      `${spec.label} data directory ${dir} does not exist or is not a directory. ${spec.missingHint}`,
      dir,
    );
  }
  const plain = join(dir, baseName);
  if (existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return gz;
  throw new DatasetError(
    'missing-file',
    `${spec.label} file ${plain} not found (nor ${gz}). ${spec.missingHint}`,
    plain,
  );
}

/** Loads one split from an images/labels IDX pair and checks that the two agree. */
export function loadIdxSplit(dir: string, name: keyof typeof IDX_SPLIT_FILES, spec: IdxDatasetSpec): LabeledSplit {
  const imagesPath = resolveIdxPath(dir, IDX_SPLIT_FILES[name].images, spec);
  const labelsPath = resolveIdxPath(dir, IDX_SPLIT_FILES[name].labels, spec);
  const images = readIdxFile(imagesPath, { label: spec.label, itemNoun: 'images' });
  const labels = readIdxFile(labelsPath, { label: spec.label, itemNoun: 'labels' });

  const [count = 0, height, width] = images.dims;
  if (images.dims.length !== 3) {
    throw new DatasetError(
      'bad-shape',
      `${spec.label} file ${imagesPath} has ${images.dims.length} dimensions (${images.dims.join('x')}): expected 3 (count x ${spec.height} x ${spec.width})`,
      imagesPath,
    );
  }
  if (height !== spec.height || width !== spec.width) {
    throw new DatasetError(
      'bad-shape',
      `${spec.label} file ${imagesPath} holds ${height}x${width} images: expected ${spec.height}x${spec.width}`,
      imagesPath,
    );
  }
  if (labels.dims.length !== 1) {
    throw new DatasetError(
      'bad-shape',
      `${spec.label} file ${labelsPath} has ${labels.dims.length} dimensions (${labels.dims.join('x')}): expected 1 (one label per image)`,
      labelsPath,
    );
  }
  const labelCount = labels.dims[0] ?? 0;
  if (labelCount !== count) {
    throw new DatasetError(
      'count-mismatch',
      `${spec.label} files disagree: ${imagesPath} has ${count} images but ${labelsPath} has ${labelCount} labels`,
      labelsPath,
    );
  }
  const numClasses = spec.classNames.length;
  for (let i = 0; i < labelCount; i++) {
    const label = labels.data[i] ?? 0;
    if (label >= numClasses) {
      throw new DatasetError(
        'bad-label',
        `${spec.label} file ${labelsPath} has label ${label} at index ${i}: expected 0..${numClasses - 1}`,
        labelsPath,
      );
    }
  }

  return {
    name,
    images: images.data,
    labels: labels.data,
    count,
    imageShape: [spec.height, spec.width, 1],
    numClasses,
    classNames: spec.classNames,
  };
}
