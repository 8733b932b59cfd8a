import { registry as defaultRegistry, type Registry } from '@localbp/core';
import { CIFAR10_CLASS_NAMES, loadCifar10 } from './cifar10';
import { DatasetError } from './dataset-error';
import type { DatasetProvider } from './dataset-provider';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from './fashion-mnist';
import type { LabeledSplit, TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';
import { MNIST_CLASS_NAMES, loadMnist } from './mnist';

/** Datasets this package ships; plugins add more through the registry. */
export const DATASET_IDS = ['mnist', 'fashion-mnist', 'cifar10'] as const;
/** A registered dataset id: a built-in one or a plugin's. */
export type DatasetId = string;

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

/** What `loadDataset` returns: the descriptor to record with runs and both splits. */
export interface LoadedDataset {
  info: DatasetInfo;
  train: LabeledSplit;
  test: LabeledSplit;
}

const BUILTIN: Record<(typeof DATASET_IDS)[number], DatasetProvider> = {
  mnist: { name: 'MNIST', imageShape: [28, 28, 1], classNames: MNIST_CLASS_NAMES, load: loadMnist },
  'fashion-mnist': {
    name: 'Fashion-MNIST',
    imageShape: [28, 28, 1],
    classNames: FASHION_MNIST_CLASS_NAMES,
    load: loadFashionMnist,
  },
  cifar10: { name: 'CIFAR-10', imageShape: [32, 32, 3], classNames: CIFAR10_CLASS_NAMES, load: loadCifar10 },
};

/** Registers the datasets this package ships; idempotent, called on import. */
export function registerDatasets(target: Registry = defaultRegistry): void {
  for (const id of DATASET_IDS) {
    target.register('dataset', id, BUILTIN[id], { description: BUILTIN[id].name, source: '@localbp/datasets' });
  }
}

/** Whether `value` is a dataset id registered in the registry. */
export function isDatasetId(value: string, target: Registry = defaultRegistry): boolean {
  return target.has('dataset', value);
}

/** Checks a user-supplied id (e.g. from --dataset), listing the registered ones when it is unknown. */
export function parseDatasetId(value: string, target: Registry = defaultRegistry): DatasetId {
  if (isDatasetId(value, target)) return value;
  throw new DatasetError(
    'unknown-dataset',
    `Unknown dataset '${value}': expected one of ${target.ids('dataset').map((id) => `'${id}'`).join(', ')}`,
  );
}

/** Static facts about a dataset, without reading any file. */
export function getDatasetSpec(id: string, target: Registry = defaultRegistry): DatasetSpec {
  const known = parseDatasetId(id, target);
  const entry = target.get('dataset', known);
  return {
    id: known,
    name: entry.name,
    imageShape: [...entry.imageShape],
    numClasses: entry.classNames.length,
    classNames: entry.classNames,
  };
}

/** Loads a dataset by id from `dataDir`, or from its npm data package by default. */
export function loadDataset(id: string, options: LoadDatasetOptions = {}, target: Registry = defaultRegistry): LoadedDataset {
  const spec = getDatasetSpec(id, target);
  const { train, test, source, splitRule } = target.get('dataset', spec.id).load(options);
  return {
    info: { ...spec, source, splitRule, trainCount: train.count, testCount: test.count },
    train,
    test,
  };
}

// Loading this module makes the built-in datasets resolvable by id.
registerDatasets();
