import { BACKEND_CHOICES, registry } from '@localbp/core';
import '@localbp/datasets';
import { EXPERIMENT_MODELS, experimentModel, experimentPlanSchema, missingRegistrations, PAPER_PRESETS, PAPER_SECTIONS, type ExperimentPlan, type PaperPreset, type PaperSection } from '@localbp/trainer/experiment';
import path from 'node:path';
import { UsageError } from './cli-errors';

/** The raw strings commander hands over for `localbp experiment`. */
export interface RawExperimentOptions {
  datasets: string;
  models: string;
  seeds: string;
  epochs: string;
  batchSize?: string;
  width?: string;
  trainLimit?: string;
  testLimit?: string;
  backend?: string;
  dataDir: string[];
}

function list(value: string, flag: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new UsageError(`${flag} must be a comma-separated list without empty items, got "${value}"`);
  const dup = items.find((s, i) => items.indexOf(s) !== i);
  if (dup) throw new UsageError(`${flag} lists "${dup}" twice`);
  return items;
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be an integer ≥ 1, got "${value}"`);
  return n;
}

/**
 * `--data-dir DIR` (one dataset) or `--data-dir DATASET=DIR` (repeatable): where each dataset's files are.
 * Absolute, because each run records it and may be resumed from elsewhere.
 */
function dataDirs(values: string[], datasets: string[]): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const value of values) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(value);
    if (m) {
      if (!datasets.includes(m[1]!)) throw new UsageError(`--data-dir ${value}: "${m[1]}" is not one of --datasets (${datasets.join(', ')})`);
      dirs[m[1]!] = path.resolve(m[2]!);
    } else if (datasets.length === 1) {
      dirs[datasets[0]!] = path.resolve(value);
    } else {
      throw new UsageError(`--data-dir ${value}: with several datasets, name the dataset: --data-dir DATASET=DIR`);
    }
  }
  return dirs;
}

/** Validates every flag and that each model id can be trained by this build. */
export function parseExperimentOptions(raw: RawExperimentOptions): ExperimentPlan {
  const datasets = list(raw.datasets, '--datasets');
  const knownDatasets = registry.ids('dataset');
  for (const d of datasets) {
    if (!knownDatasets.includes(d)) throw new UsageError(`--datasets: unknown dataset "${d}"; registered datasets: ${knownDatasets.join(', ')}`);
  }
  const models = list(raw.models, '--models');
  const registered = { model: registry.ids('model'), cell: registry.ids('cell'), objective: registry.ids('objective') };
  for (const id of models) {
    const model = experimentModel(id);
    if (!model) throw new UsageError(`--models: unknown model "${id}"; choose from: ${EXPERIMENT_MODELS.map((m) => m.id).join(', ')}`);
    const missing = missingRegistrations(model, registered);
    if (missing) throw new UsageError(`--models: ${id} is not available in this build: ${missing}`);
  }
  if (raw.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(raw.backend)) {
    throw new UsageError(`--backend "${raw.backend}" is not valid; choose one of: ${BACKEND_CHOICES.join(', ')}`);
  }
  const plan = {
    datasets,
    models,
    seeds: int(raw.seeds, '--seeds'),
    epochs: int(raw.epochs, '--epochs'),
    batchSize: int(raw.batchSize, '--batch-size'),
    width: int(raw.width, '--width'),
    trainLimit: int(raw.trainLimit, '--train-limit'),
    testLimit: int(raw.testLimit, '--test-limit'),
    backend: raw.backend,
    dataDirs: dataDirs(raw.dataDir, datasets),
  };
  return experimentPlanSchema.parse(Object.fromEntries(Object.entries(plan).filter(([, v]) => v !== undefined)));
}

/**
 * Grid flags a preset replaces (commander option names): giving one with --preset is a usage error. `--datasets` and
 * `--models` are not among them: with a preset they choose which of its runs train now.
 */
export const PRESET_GRID_FLAGS = ['seeds', 'epochs', 'batchSize', 'width', 'trainLimit', 'testLimit', 'backend'] as const;

/** The raw strings `localbp experiment --preset` reads. */
export interface RawPresetOptions {
  preset: string;
  out?: string;
  dataDir: string[];
  sections?: string;
  /** Given on the command line: train only the preset's runs on these datasets / of these models now. */
  datasets?: string;
  models?: string;
}

/** `--preset NAME`: the preset, its output directory and the data directories (`--data-dir DATASET=DIR`). */
export function parsePresetOptions(
  raw: RawPresetOptions,
  givenGridFlags: readonly string[],
): { preset: PaperPreset; out: string; dataDirs: Record<string, string>; sections?: PaperSection[]; datasets?: string[]; models?: string[] } {
  const preset = PAPER_PRESETS[raw.preset];
  if (!preset) throw new UsageError(`--preset: unknown preset "${raw.preset}"; choose from: ${Object.keys(PAPER_PRESETS).join(', ')}`);
  if (givenGridFlags.length) {
    const flags = givenGridFlags.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(`--preset ${raw.preset} sets the whole plan; drop ${flags.join(', ')}`);
  }
  const registered = { model: registry.ids('model'), cell: registry.ids('cell'), objective: registry.ids('objective') };
  const models = new Set([
    ...preset.accuracy.flatMap((a) => a.models),
    ...preset.separate.models,
    ...preset.memoryDepth.pairs.flatMap((p) => [p.lbp, p.bp]),
    ...preset.federated.models,
    ...preset.federated.cellDistributed,
  ]);
  for (const id of models) {
    const missing = missingRegistrations(experimentModel(id)!, registered);
    if (missing) throw new UsageError(`--preset ${raw.preset}: ${id} is not available in this build: ${missing}`);
  }
  const datasets = [...new Set([...preset.accuracy.map((a) => a.dataset), preset.memoryDepth.dataset, preset.federated.dataset])];
  if (raw.dataDir.some((d) => !/^[a-z][a-z0-9-]*=/.test(d))) throw new UsageError('--data-dir with --preset: name the dataset: --data-dir DATASET=DIR');
  const sections = raw.sections === undefined ? undefined : list(raw.sections, '--sections');
  const unknown = sections?.find((s) => !(PAPER_SECTIONS as readonly string[]).includes(s));
  if (unknown) throw new UsageError(`--sections: unknown section "${unknown}"; choose from: ${PAPER_SECTIONS.join(', ')}`);
  const only = (value: string | undefined, flag: string, known: readonly string[]): string[] | undefined => {
    if (value === undefined) return undefined;
    const items = list(value, flag);
    const stranger = items.find((x) => !known.includes(x));
    if (stranger) throw new UsageError(`${flag} with --preset ${raw.preset}: "${stranger}" is not in the preset; it has ${known.join(', ')}`);
    return items;
  };
  const onlyDatasets = only(raw.datasets, '--datasets', datasets);
  const onlyModels = only(raw.models, '--models', [...models]);
  return {
    preset,
    out: raw.out ?? path.join('docs', 'results', preset.id),
    dataDirs: dataDirs(raw.dataDir, datasets),
    ...(sections ? { sections: sections as PaperSection[] } : {}),
    ...(onlyDatasets ? { datasets: onlyDatasets } : {}),
    ...(onlyModels ? { models: onlyModels } : {}),
  };
}
