import { isBackendChoice, resolveBackend, type BackendChoice, type ResolvedBackend, type TrainableModel } from '@localbp/core';
import { getDatasetSpec, loadDataset, subset, type LabeledSplit } from '@localbp/datasets';
import { CheckpointError, createModel, loadCheckpointInto, readCheckpointManifest, type CheckpointManifest } from '@localbp/trainer';
import { loadPlugins } from './load-plugins';

/** A trained run opened for inference: its model with the saved weights, and how to get its test data. */
export interface TrainedRun {
  dir: string;
  manifest: CheckpointManifest;
  model: TrainableModel;
  backend: ResolvedBackend;
  dataset: string;
  classNames: readonly string[];
  /** The run's test split, limited as the run was (`limit` overrides; 0 = the whole split). */
  testSplit(limit?: number): LabeledSplit;
}

/**
 * Opens `runs/NAME` (a `localbp train --out` directory): loads the plugins it recorded, resolves the backend
 * (the recorded choice unless given), rebuilds the model from the checkpoint's config and loads its weights.
 * The caller disposes `model`.
 */
export async function openTrainedRun(dir: string, options: { backend?: BackendChoice } = {}): Promise<TrainedRun> {
  const manifest = await readCheckpointManifest(dir);
  const run = manifest.run;
  if (typeof run.dataset !== 'string') throw new CheckpointError(`checkpoint ${dir} does not record its dataset`);
  const dataset = run.dataset;
  if (Array.isArray(run.plugins)) await loadPlugins(run.plugins.filter((p): p is string => typeof p === 'string'));
  const choice = options.backend ?? (isBackendChoice(run.backendChoice) ? run.backendChoice : 'auto');
  const backend = await resolveBackend(choice, { quiet: true });
  process.stderr.write(`backend: ${backend.name} (${backend.reason})\n`);
  const model = createModel(manifest.model, manifest.data);
  try {
    await loadCheckpointInto(dir, model, manifest);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const recordedLimit = typeof run.testLimit === 'number' ? run.testLimit : 0;
  return {
    dir,
    manifest,
    model,
    backend,
    dataset,
    classNames: getDatasetSpec(dataset).classNames,
    testSplit(limit = recordedLimit) {
      const { test } = loadDataset(dataset, typeof run.dataDir === 'string' ? { dataDir: run.dataDir } : {});
      return limit > 0 ? subset(test, limit) : test;
    },
  };
}
