import type { TrainTestSplits } from './labeled-split';
import type { LoadDatasetOptions } from './load-dataset-options';

/**
 * A dataset the registry can resolve by id (`--dataset <id>`): static facts plus a loader. Plugins
 * register their own under the `dataset` kind of `@localbp/core`'s registry.
 */
export interface DatasetProvider {
  /** Human-readable name, e.g. 'Fashion-MNIST'. */
  name: string;
  /** [H, W, C]. */
  imageShape: [number, number, number];
  classNames: readonly string[];
  /** Loads and validates both splits (synchronously, from local files). */
  load(options: LoadDatasetOptions): TrainTestSplits;
}

// Datasets resolve through core's one registry; this package owns the kind.
declare module '@localbp/core' {
  interface RegistryEntries {
    dataset: DatasetProvider;
  }
}
