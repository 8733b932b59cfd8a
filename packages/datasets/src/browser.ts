// The part of @localbp/datasets that needs no filesystem: what a browser bundle gets (the `browser` export
// condition). The main entry re-exports all of it and adds the file loaders (node:fs, node:zlib, node:module).
export { DatasetError } from './dataset-error';
export type { DatasetErrorCode } from './dataset-error';

export { subset, labelHistogram, imageSize } from './labeled-split';
export type { LabeledSplit, TrainTestSplits } from './labeled-split';
export { labeledSplitFromArrays } from './labeled-split-from-arrays';
export type { LabeledArrays } from './labeled-split-from-arrays';

export { SeededRandom, permutation, deriveSeed } from './seeded-random';
export type { MutableIndexable } from './seeded-random';

export { batches, countBatches, epochOrder, toTfDataset, splitToTensors } from './batches';
export type { Batch, BatchOptions, ShapeOptions } from './batches';

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
