import { BACKEND_CHOICES, registry } from '@localbp/core';
import '@localbp/datasets';
import { scheduleNameSchema, type BpModelConfigInput, type ImageAugmentation, type LearningRateSchedule, type FfModelConfigInput, type LbpModelConfigInput } from '@localbp/trainer';
import { DEFAULT_STORE_PATH } from '@localbp/trainer/run-store';
import { forwardForwardModel, type RawForwardForwardOptions } from './forward-forward-options';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { UsageError } from './cli-errors';

/** The raw strings commander hands over for `localbp train`. */
export interface RawTrainOptions extends RawForwardForwardOptions {
  dataset: string;
  dataDir?: string;
  model: string;
  cells?: string;
  width?: string;
  headHidden?: string;
  objective?: string;
  noise: string;
  noiseLevel: string;
  epochs: string;
  batchSize: string;
  schedule: string;
  lr: string;
  weightDecay: string;
  headLr: string;
  lrSchedule: string;
  augment: string;
  headDropout: string;
  trainLimit?: string;
  testLimit?: string;
  seed: string;
  backend: string;
  workers: string;
  out?: string;
  resume?: string;
  json: boolean;
  evaluateEachEpoch: boolean;
  /** `--store PATH`, or false for `--no-store`. */
  store?: string | false;
}

export interface TrainPlan {
  /** A dataset id registered in the shared registry (built in: mnist, fashion-mnist). */
  dataset: string;
  dataDir?: string;
  model: LbpModelConfigInput | FfModelConfigInput | BpModelConfigInput;
  fit: {
    epochs: number;
    batchSize: number;
    schedule: 'simultaneous' | 'separate';
    evaluateEachEpoch: boolean;
    lrSchedule: LearningRateSchedule;
    augment: ImageAugmentation;
  };
  trainLimit?: number;
  testLimit?: number;
  backend: (typeof BACKEND_CHOICES)[number];
  /** Worker threads for cells that train at the same time (1 = the main thread only). */
  workers: number;
  out?: string;
  json: boolean;
  /** Run store file or URL; null with `--no-store`. */
  store: string | null;
  /** Where the loaded plugins were found (absolute paths or package names), recorded with the run. */
  plugins?: string[];
  /** Every option after merging config file, flags and defaults: written to the run as config.json. */
  resolvedConfig?: Record<string, unknown>;
}

export const MODELS = ['lbp', 'ff', 'bp', 'bp-mlp', 'bp-cnn'] as const;
export type ModelChoice = (typeof MODELS)[number];

/** Cells each `--model` uses unless `--cells` is given: bp-mlp and bp-cnn are bp over the MLP and conv stacks. */
export const MODEL_DEFAULT_CELLS: Record<ModelChoice, string> = {
  lbp: 'ae,ae,ae',
  ff: 'ae,ae,ae',
  bp: 'ae,ae,ae',
  'bp-mlp': 'ae,ae,ae',
  'bp-cnn': 'cae,cae,cae',
};

export function int(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

export function nonNegative(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a number ≥ 0, got "${value}"`);
  return n;
}

export function oneOf<T extends string>(value: string, flag: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} "${value}" is not valid; choose one of: ${valid.join(', ')}`);
  }
  return value as T;
}

function storeLocation(value: string | undefined): string {
  if (value === undefined) return DEFAULT_STORE_PATH;
  if (value.trim() === '') throw new UsageError('--store needs a file path or a libsql:// / http(s):// URL');
  return value;
}

/** `constant`, `cosine` or `cosine:FINAL` (FINAL in [0, 1]: the share of the rate left at the end). */
export function parseLearningRateSchedule(spec: string): LearningRateSchedule {
  const [type, final, ...rest] = spec.trim().split(':');
  if (type === 'constant' && final === undefined) return { type: 'constant' };
  if (type === 'cosine' && rest.length === 0) {
    if (final === undefined) return { type: 'cosine', final: 0.01, warmup: 0 };
    const f = Number(final);
    if (final.trim() !== '' && Number.isFinite(f) && f >= 0 && f <= 1) return { type: 'cosine', final: f, warmup: 0 };
  }
  throw new UsageError(`--lr-schedule "${spec}" is not valid; use constant, cosine or cosine:FINAL with FINAL between 0 and 1`);
}

/** `none`, or a comma list of `shift:N` (N whole pixels, 0-16) and `flip`. */
export function parseAugmentation(spec: string): ImageAugmentation {
  const result: ImageAugmentation = { shift: 0, horizontalFlip: false };
  if (spec.trim() === 'none') return result;
  const bad = () => new UsageError(`--augment "${spec}" is not valid; use none, shift:N (N = 0-16 pixels), flip, or both: shift:2,flip`);
  for (const part of spec.split(',').map((p) => p.trim())) {
    const shift = /^shift:(\d+)$/.exec(part);
    if (shift && Number(shift[1]) <= 16) result.shift = Number(shift[1]);
    else if (part === 'flip') result.horizontalFlip = true;
    else throw bad();
  }
  return result;
}

/** `auto` (the cores this process may use) or a whole number ≥ 1. */
export function parseWorkers(value: string): number {
  if (value.trim() === 'auto') return availableParallelism();
  return int(value, '--workers', 1);
}

/** Validates every flag and turns them into a model config and fit options. */
export function parseTrainOptions(raw: RawTrainOptions): TrainPlan {
  const dataset = oneOf(raw.dataset, '--dataset', registry.ids('dataset'));
  const modelKind = oneOf(raw.model, '--model', MODELS);
  const family = modelKind === 'lbp' || modelKind === 'ff' ? modelKind : 'bp';
  const cellIds = (raw.cells ?? MODEL_DEFAULT_CELLS[modelKind]).split(',').map((s) => s.trim());
  const knownCells = registry.ids('cell');
  for (const id of cellIds) {
    if (!knownCells.includes(id)) {
      throw new UsageError(`--cells: unknown cell "${id}"; registered cells: ${knownCells.join(', ')}`);
    }
  }
  if (raw.objective !== undefined && modelKind !== 'ff') {
    const knownObjectives = registry.ids('objective');
    if (!knownObjectives.includes(raw.objective)) {
      throw new UsageError(`--objective: unknown objective "${raw.objective}"; registered objectives: ${knownObjectives.join(', ')}`);
    }
  }
  const noise = oneOf(raw.noise, '--noise', ['gaussian', 'masking'] as const);
  const noiseLevel = nonNegative(raw.noiseLevel, '--noise-level');
  if (noise === 'masking' && noiseLevel >= 1) throw new UsageError(`--noise-level for masking noise must be below 1, got ${noiseLevel}`);
  // Ours for LBP: one 512-unit hidden layer; the BP baselines' head is linear (the paper's).
  const headHidden = raw.headHidden ?? (family === 'lbp' ? '512' : 'none');
  const hidden =
    headHidden.trim() === '' || headHidden === 'none' ? [] : headHidden.split(',').map((w) => int(w.trim(), '--head-hidden', 1));
  const schedule = oneOf(raw.schedule, '--schedule', scheduleNameSchema.options);
  if (family === 'bp' && schedule !== 'simultaneous') {
    throw new UsageError(`--schedule ${schedule}: --model ${modelKind} trains end to end (back-propagation); only "simultaneous" applies`);
  }
  const width = raw.width !== undefined ? int(raw.width, '--width', 1) : undefined;
  const lr = positive(raw.lr, '--lr');
  const weightDecay = nonNegative(raw.weightDecay, '--weight-decay');
  const headLr = positive(raw.headLr, '--head-lr');
  const headDropout = nonNegative(raw.headDropout, '--head-dropout');
  if (headDropout >= 1) throw new UsageError(`--head-dropout must be below 1, got ${headDropout}`);
  // Ours: conv stacks train with a cosine schedule and small shifts (docs/results/cae-design.md says by how much).
  const convStack = modelKind !== 'ff' && cellIds.every((id) => id === 'cae');
  const lrSchedule = parseLearningRateSchedule(raw.lrSchedule === 'auto' ? (convStack ? 'cosine' : 'constant') : raw.lrSchedule);
  const augment = parseAugmentation(
    raw.augment === 'auto' ? (convStack ? (dataset === 'cifar10' ? 'shift:2,flip' : 'shift:2') : 'none') : raw.augment,
  );
  const seed = int(raw.seed, '--seed', 0);
  const model: TrainPlan['model'] =
    modelKind === 'ff'
      ? forwardForwardModel(raw, {
          width: width ?? 1000,
          seed,
          optimizer: { type: 'adamw', learningRate: lr, weightDecay },
          headOptimizer: { type: 'adamw', learningRate: headLr, weightDecay },
        })
      : {
          ...(width !== undefined ? { width } : {}),
          seed,
          cells: cellIds.map((type) => ({
            type,
            ...(raw.objective !== undefined ? { objective: raw.objective } : {}),
            // Noise settings belong to the denoising objective (dae's default); others reject unknown keys.
            options: (raw.objective ?? (type === 'dae' ? 'denoising' : undefined)) === 'denoising' ? { objectiveOptions: { noise, level: noiseLevel } } : {},
          })),
          head: { hidden, activation: 'relu', dropout: headDropout },
          optimizer: { type: 'adamw', learningRate: lr, weightDecay },
          ...(family === 'lbp'
            ? { model: 'lbp' as const, headOptimizer: { type: 'adamw' as const, learningRate: headLr, weightDecay } }
            : { model: 'bp' as const }),
        };
  return {
    dataset,
    // Absolute, because checkpoints record it and --resume may run from another directory.
    ...(raw.dataDir ? { dataDir: path.resolve(raw.dataDir) } : {}),
    model,
    fit: {
      epochs: int(raw.epochs, '--epochs', 1),
      batchSize: int(raw.batchSize, '--batch-size', 1),
      schedule,
      evaluateEachEpoch: raw.evaluateEachEpoch,
      lrSchedule,
      augment,
    },
    ...(raw.trainLimit !== undefined ? { trainLimit: int(raw.trainLimit, '--train-limit', 1) } : {}),
    ...(raw.testLimit !== undefined ? { testLimit: int(raw.testLimit, '--test-limit', 1) } : {}),
    backend: oneOf(raw.backend, '--backend', BACKEND_CHOICES),
    workers: parseWorkers(raw.workers),
    ...(raw.out ? { out: raw.out } : {}),
    json: raw.json,
    store: raw.store === false ? null : storeLocation(raw.store),
  };
}
