// The part of @localbp/trainer that needs no filesystem (models, training, evaluation): what a browser bundle gets
// (the `browser` export condition). The main entry re-exports all of it and adds checkpoints and run recording.
export { describeError, LbpModel, ModelConfigError } from './lbp-model';
export { BpModel } from './bp-model';
export { bpModelConfigSchema } from './bp-model-config';
export type { BpModelConfig, BpModelConfigInput } from './bp-model-config';
export { buildCellStack, DEFAULT_CELL_WIDTH, readoutOf, readoutSize } from './cell-stack';
export type { CellStackConfig } from './cell-stack';
export { createModel, parameterCount, registerBuiltinModels } from './model-factory';
export { FfModel } from './ff-model';
export { defaultConvChannels, ffInferenceSchema, ffModelConfigSchema } from './ff-model-config';
export type { FfInference, FfModelConfig, FfModelConfigInput } from './ff-model-config';
export { registerForwardForwardModel } from './register-ff-model';
export type { ModelFactory } from './model-factory';
export type { DataShape } from './lbp-model';
export { LocalTrainer, ScheduleError, START } from './local-trainer';
export type { EpochRecord, FitResult, FitRunOptions, PipelinePlan, PipelineRunOptions, TrainingProgress } from './local-trainer';
export { planStages, slowestStageShare } from './pipeline/stage-plan';
export type { StageParts } from './pipeline/stage-plan';
export { registerPipelineLauncher } from './pipeline/pipeline-launcher';
export type { PipelineBatch, PipelineLauncher, StagePipeline, StagePipelineOptions } from './pipeline/pipeline-launcher';
export { evaluateAccuracy } from './evaluate-accuracy';
export { MemoryProbe } from './memory-probe';
export { scheduleByName, separateSchedule, simultaneousSchedule } from './schedule';
export type { Schedule, TrainingPhase } from './schedule';
export { combineCallbacks } from './trainer-callbacks';
export { augmentImages, augments, imageAugmentationSchema } from './image-augmentation';
export type { ImageAugmentation, ImageAugmentationInput } from './image-augmentation';
export { applyLearningRateScale, learningRateScale, learningRateScheduleSchema } from './learning-rate-schedule';
export type { LearningRateSchedule, LearningRateScheduleInput } from './learning-rate-schedule';
export type { CellLogs, Logs, TrainerCallbacks } from './trainer-callbacks';
export {
  cellSpecInputSchema,
  fitOptionsSchema,
  lbpModelConfigSchema,
  scheduleNameSchema,
} from './training-config';
export type {
  CellSpecInput,
  FitOptions,
  FitOptionsInput,
  LbpModelConfig,
  LbpModelConfigInput,
  ScheduleName,
} from './training-config';
