import { registerBuiltinCells } from './cells/register-builtin-cells';
import { registry } from './registry/registry';

export * as tf from '@tensorflow/tfjs';

export { LOCALBP_SPEC_VERSION } from './spec-version';
export type { NamedWeights, ValueRange } from './tensor-types';
export { deriveSeed } from './seed';

export type { Cell, CellBuildOptions, CellFactory, CellSpec, LocalLossContext, LocalUpdate } from './cell';
export type { DataShape, OptimizerSlot, TrainableModel, TrainingUnit, TrainStepContext } from './trainable-model';
export { isStagedModel } from './staged-model';
export type { PartState, StageBatch, StagedModel, StageRange, StageResult } from './staged-model';
export { isGenerativeCell } from './model-visualization';
export type { GenerativeCell, LatentStatistics, ModelVisualization, UnitImages } from './model-visualization';
export { firingRate, measureUnitActivity, summarizeFiringRates } from './unit-activity';
export type { UnitActivity } from './unit-activity';
export { ARTIFACT_KINDS, FEDERATION_ROUND_EVENT, RUN_STATUSES } from './run-store';
export type {
  ArtifactKind,
  ArtifactRecord,
  FederationRoundPayload,
  JsonValue,
  MetricPoint,
  NewArtifact,
  NewRun,
  NewRunEvent,
  RunEvent,
  RunRecord,
  RunStatus,
  RunStore,
  StoreChanges,
  StoreCursor,
  StoredMetricPoint,
} from './run-store';
export type {
  AdversarialObjective,
  DenoisingObjective,
  Objective,
  ObjectiveFactory,
  ObjectiveKind,
  ReconstructionObjective,
} from './objective';
export { isAdversarialObjective, isDenoisingObjective, isReconstructionObjective } from './objective';
export { isGoodnessLossContext, isGoodnessObjective } from './goodness-objective';
export type {
  GoodnessBatchInfo,
  GoodnessInputOptions,
  GoodnessLossContext,
  GoodnessObjective,
  GoodnessTrainingInput,
} from './goodness-objective';

export { Registry, registry } from './registry/registry';
export type { LocalbpPlugin, RegistrationInfo, RegistryEntries, RegistryKind } from './registry/registry';
export { RegistryError } from './registry/registry-error';

export { DEFAULT_OPTIMIZER, optimizerConfigSchema } from './optimizer-config';
export type { OptimizerConfig, OptimizerConfigInput } from './optimizer-config';
export { ADAMW_UPDATE_KERNEL, AdamWOptimizer } from './optimizers/adamw-optimizer';
export { LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, hasFusedLayerNorm } from './layers/layer-norm';
export type { AdamWUpdateAttrs } from './optimizers/adamw-optimizer';

export { activationSchema, applyActivation } from './layers/activation';
export type { ActivationName } from './layers/activation';
export { DenseBlock } from './layers/dense-block';
export type { DenseBlockOptions } from './layers/dense-block';
export { Conv2dBlock, TransposedConv2dBlock } from './layers/conv-block';
export type { ConvBlockOptions } from './layers/conv-block';
export { featureMapNormSchema, normalizeFeatureMap, standardizeRows } from './layers/feature-map-norm';
export type { FeatureMapNorm } from './layers/feature-map-norm';
export { FeatureMapReadout, featureMapReadoutSchema } from './layers/feature-map-readout';
export type { FeatureMapReadoutConfig } from './layers/feature-map-readout';
export { ClassifierHead, classifierHeadSchema } from './layers/classifier-head';
export { rmsNormalize } from './layers/rms-normalize';
export type { ClassifierHeadConfig } from './layers/classifier-head';

export { AutoencoderCell, autoencoderOptionsSchema, createAutoencoderCell } from './cells/autoencoder-cell';
export type { AutoencoderCellConfig, AutoencoderOptions } from './cells/autoencoder-cell';
export { DenoisingAutoencoderCell, createDenoisingAutoencoderCell } from './cells/denoising-autoencoder-cell';
export {
  CAE_DEFAULT_CHANNELS,
  ConvolutionalAutoencoderCell,
  convolutionalAutoencoderOptionsSchema,
  createConvolutionalAutoencoderCell,
} from './cells/convolutional-autoencoder-cell';
export type { ConvolutionalAutoencoderOptions } from './cells/convolutional-autoencoder-cell';
export { AdversarialCell, adversarialCellOptionsSchema, createAdversarialCell } from './cells/adversarial-cell';
export type { AdversarialCellOptions } from './cells/adversarial-cell';
export { registerBuiltinCells } from './cells/register-builtin-cells';
export { GoodnessCell, goodnessCellOptionsSchema } from './cells/goodness-cell';
export type { GoodnessCellConfig, GoodnessCellOptions } from './cells/goodness-cell';
export { GoodnessDenseCell, createGoodnessDenseCell } from './cells/goodness-dense-cell';
export { GoodnessConvCell, createGoodnessConvCell, goodnessConvOptionsSchema } from './cells/goodness-conv-cell';

export { assignNamedWeights, WeightMismatchError } from './weights/assign-named-weights';

export * from './backend';

registerBuiltinCells(registry);
