export * from './browser';

// Cells that train at the same time run in worker threads, which only Node has.
import './pipeline/register-worker-pipeline';
export { TrainingPipeline, PipelineStageError } from './pipeline/training-pipeline';

// Below: checkpoints (node:fs) and recording into a run store, which need Node.
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  CheckpointError,
  loadCheckpointInto,
  readCheckpointManifest,
  saveCheckpoint,
} from './checkpoint';
export type { CheckpointContents, CheckpointManifest } from './checkpoint';
export { RunWriter } from './run-store/run-writer';
export type { MetricPosition, RunWriterOptions } from './run-store/run-writer';
export { RunStoreRecorder } from './run-store/run-store-recorder';
export type { RunStoreRecorderOptions } from './run-store/run-store-recorder';
export { imageGridPng } from './run-store/image-grid-png';
export type { GridRow } from './run-store/image-grid-png';
