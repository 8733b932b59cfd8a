import type { AggregatorFactory } from './aggregator';

// Aggregators resolve through core's one registry; this package owns the kind.
declare module '@localbp/core' {
  interface RegistryEntries {
    aggregator: AggregatorFactory;
  }
}

export {};
