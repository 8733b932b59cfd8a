import { registry as defaultRegistry, type DataShape, type Registry, type TrainableModel } from '@localbp/core';
import { BpModel } from './bp-model';
import { LbpModel } from './lbp-model';
import { registerForwardForwardModel } from './register-ff-model';

/** Builds a model family from its config (validated by the factory itself). */
export type ModelFactory = (config: unknown, data: DataShape, registry: Registry) => TrainableModel;

// Model families resolve through core's one registry, so a plugin can add its own.
declare module '@localbp/core' {
  interface RegistryEntries {
    model: ModelFactory;
  }
}

/** Registers the model families this package ships (`lbp`; the FF and BP families add theirs). */
export function registerBuiltinModels(registry: Registry): void {
  registry.register('model', 'lbp', (config, data, reg) => LbpModel.create(config as never, data, reg), {
    description: 'LBP: unsupervised cells trained by local losses, classifier on the concatenated latents',
    source: '@localbp/trainer',
  });
  registerForwardForwardModel(registry);
  registry.register('model', 'bp', (config, data, reg) => BpModel.create(config as never, data, reg), {
    description: 'BP baseline: the cells\' encoders and a linear head trained end to end by one optimizer',
    source: '@localbp/trainer',
  });
}

/**
 * Builds any registered model family from a config with a `model` field (`lbp`, …): how the CLI
 * creates models and how checkpoints are restored.
 */
export function createModel(
  config: { model?: string } & Record<string, unknown>,
  data: DataShape,
  registry: Registry = defaultRegistry,
): TrainableModel {
  const kind = config.model ?? 'lbp';
  return registry.get('model', kind)(config, data, registry);
}

/** Total trainable parameters of a model. */
export function parameterCount(model: Pick<TrainableModel, 'namedWeights'>): number {
  return model.namedWeights().reduce((n, w) => n + w.tensor.size, 0);
}

registerBuiltinModels(defaultRegistry);
