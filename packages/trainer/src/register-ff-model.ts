import type { Registry } from '@localbp/core';
import { FfModel } from './ff-model';
import type {} from './model-factory';

/** Registers the Forward-Forward model family (`ff`): Hinton's FF and its successors by objective. */
export function registerForwardForwardModel(registry: Registry): void {
  registry.register('model', 'ff', (config, data, reg) => FfModel.create(config as never, data, reg), {
    description: 'Forward-Forward: goodness-trained layers (objective ff, symba, hybrid, scff, cwcomp) and a linear readout',
    source: '@localbp/trainer',
  });
}
