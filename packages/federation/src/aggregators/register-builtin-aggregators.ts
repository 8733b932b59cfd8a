import type { Registry } from '@localbp/core';
import '../register-aggregator-kind';
import { createMedian, createTrimmedMean } from './coordinate-statistics';
import { createFedAvg, createFedProx } from './fedavg';
import { createMultiKrum } from './multi-krum';

const source = '@localbp/federation';

/** FedAvg, FedProx, coordinate-wise median, trimmed mean and Multi-Krum, by id. */
export function registerBuiltinAggregators(registry: Registry): void {
  registry.register('aggregator', 'fedavg', createFedAvg, { source, description: 'example-weighted mean (McMahan et al. 2017)' });
  registry.register('aggregator', 'fedprox', createFedProx, { source, description: 'FedAvg + client proximal term μ (option mu, default 0.01)' });
  registry.register('aggregator', 'median', createMedian, { source, description: 'coordinate-wise median' });
  registry.register('aggregator', 'trimmed-mean', createTrimmedMean, { source, description: 'coordinate-wise trimmed mean (option beta, default 0.1)' });
  registry.register('aggregator', 'multi-krum', createMultiKrum, { source, description: 'Multi-Krum (options f, default 1; m, default K − f)' });
}
