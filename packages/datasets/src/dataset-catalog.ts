import { DatasetError } from './dataset-error';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from './fashion-mnist';
import type { LabeledSplit, TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';
import { MNIST_CLASS_NAMES, loadMnist } from './mnist';

/** Datasets this package can load. Adding one means one entry here and one in CATALOG. */
export const DATASET_IDS = ['mnist', 'fashion-mnist'] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

/** What is known about a dataset before loading it. */
export interface DatasetSpec {
  id: DatasetId;
  /** Human-readable name, e.g. 'Fashion-MNIST'. */
  name: string;
  /** [H, W, C]. */
  imageShape: [number, number, number];
  numClasses: number;
  classNames: readonly string[];
}

/** A loaded dataset's descriptor, meant to be recorded with runs. */
export interface DatasetInfo extends DatasetSpec {
  /** Where the files came from. */
  source: string;
  /** How train and test were separated. */
  splitRule: string;
  trainCount: number;
  testCount: number;
}

export interface LoadedDataset {
  info: DatasetInfo;
  train: LabeledSplit;
  test: LabeledSplit;
}

interface CatalogEntry {
  name: string;
  imageShape: [number, number, number];
  classNames: readonly string[];
  load: (options: LoadDatasetOptions) => TrainTestSplits;
}

const CATALOG: Record<DatasetId, CatalogEntry> = {
  mnist: { name: 'MNIST', imageShape: [28, 28, 1], classNames: MNIST_CLASS_NAMES, load: loadMnist },
  'fashion-mnist': {
    name: 'Fashion-MNIST',
    imageShape: [28, 28, 1],
    classNames: FASHION_MNIST_CLASS_NAMES,
    load: loadFashionMnist,
  },
};

export function isDatasetId(value: string): value is DatasetId {
  return (DATASET_IDS as readonly string[]).includes(value);
}

/** Checks a user-supplied id (e.g. from --dataset), listing the valid ones when it is unknown. */
export function parseDatasetId(value: string): DatasetId {
  if (isDatasetId(value)) return value;
  throw new DatasetError(
    'unknown-dataset',
    `Unknown dataset '${value}': expected one of ${DATASET_IDS.map((id) => `'${id}'`).join(', ')}`,
  );
}

/** Static facts about a dataset, without reading any file. */
export function getDatasetSpec(id: string): DatasetSpec {
  const known = parseDatasetId(id);
  const entry = CATALOG[known];
  return {
    id: known,
    name: entry.name,
    imageShape: [...entry.imageShape],
    numClasses: entry.classNames.length,
    classNames: entry.classNames,
  };
}

/** Loads a dataset by id from `dataDir`, or from its npm data package by default. */
export function loadDataset(id: string, options: LoadDatasetOptions = {}): LoadedDataset {
  const spec = getDatasetSpec(id);
  const { train, test, source, splitRule } = CATALOG[spec.id].load(options);
  return {
    info: { ...spec, source, splitRule, trainCount: train.count, testCount: test.count },
    train,
    test,
  };
}
