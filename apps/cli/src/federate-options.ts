import { registry } from '@localbp/core';
import { formatPartitionSpec, getDatasetSpec, parsePartitionSpec, type PartitionSpec } from '@localbp/datasets';
import '@localbp/federation';
import type { FederationConfigInput } from '@localbp/federation/node';
import { UsageError } from './cli-errors';
import { parseTrainOptions, type RawTrainOptions, type TrainPlan } from './train-options';

/** Model and data flags shared by `federate serve` and `federate simulate` (same names as `train`). */
export interface RawModelFlags {
  dataset: string;
  dataDir?: string;
  model: string;
  /** Absent: as `localbp train` (the model's default cells, each cell type's default width, the family's head). */
  cells?: string;
  width?: string;
  headHidden?: string;
  objective?: string;
  noise: string;
  noiseLevel: string;
  lr: string;
  weightDecay: string;
  headLr: string;
  headDropout: string;
  seed: string;
  backend: string;
  trainLimit?: string;
  testLimit?: string;
  /** `--store PATH`, or false for `--no-store`. */
  store?: string | false;
  /** Forward-Forward flags (`--model ff`), as `localbp train` takes them. */
  layers: string;
  ffInference: string;
  ffNegatives: string;
  goodness?: string;
  peerNorm: string;
  ffChannels?: string;
  reluGradient: string;
}

/** Round flags of `federate serve` and `federate simulate`. */
export interface RawRoundFlags {
  mode: string;
  rounds: string;
  localEpochs: string;
  batchSize: string;
  fraction: string;
  waitFor?: string;
  minClients: string;
  quorum: string;
  roundTimeout: string;
  heartbeat: string;
  heartbeatTimeout: string;
  crowdTimeout: string;
  aggregator: string;
  mu: string;
  trimBeta: string;
  krumF: string;
  maxUpdateNorm: string;
  maxExamples?: string;
  examplesCap: string;
  normClip: string;
  minCosine: string;
  maxStaleness: string;
  stalePolicy: string;
  clientOptimizer: string;
  assign?: string;
  maxBodyMb?: string;
  rate: string;
}

function number(value: string, flag: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${expected}, got "${value}"`);
  return n;
}
const int = (v: string, flag: string, min: number) => number(v, flag, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);
const seconds = (v: string, flag: string) => Math.round(number(v, flag, (n) => n > 0, 'a positive number of seconds') * 1000);

/** The model config and data limits, validated exactly as `localbp train` validates them. */
export function parseModelFlags(raw: RawModelFlags): TrainPlan {
  const trainRaw: RawTrainOptions = {
    ...raw,
    epochs: '1',
    batchSize: '128',
    schedule: 'simultaneous',
    // Each round is its own short fit on the client: a schedule over the whole run does not apply.
    lrSchedule: 'constant',
    augment: 'none',
    workers: '1',
    json: false,
    evaluateEachEpoch: false,
  };
  return parseTrainOptions(trainRaw);
}

/** `--assign "alice=cell-1;bob=cell-1,cell-2,head"` → per-client unit lists. */
export function parseAssignments(text: string | undefined, cellCount: number, unitPrefix = 'cell'): Record<string, string[]> {
  if (text === undefined || text.trim() === '') return {};
  const units = new Set([...Array.from({ length: cellCount }, (_, i) => `${unitPrefix}-${i + 1}`), 'head']);
  const out: Record<string, string[]> = {};
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, list] = part.split('=');
    if (!name || !list) throw new UsageError(`--assign "${part}": expected CLIENT=UNIT[,UNIT…], e.g. alice=cell-1`);
    const chosen = list.split(',').map((s) => s.trim());
    for (const u of chosen) {
      if (!units.has(u)) throw new UsageError(`--assign ${name}: unknown unit "${u}"; this model has ${[...units].join(', ')}`);
    }
    out[name.trim()] = chosen;
  }
  return out;
}

/** Everything a federated run is, from the serve/simulate flags. */
export function parseFederationConfig(modelFlags: RawModelFlags, rounds: RawRoundFlags, defaults: { waitFor: number }): { plan: TrainPlan; config: FederationConfigInput } {
  const plan = parseModelFlags(modelFlags);
  const mode = rounds.mode;
  if (mode !== 'data-parallel' && mode !== 'cell-distributed') throw new UsageError(`--mode must be data-parallel or cell-distributed, got "${mode}"`);
  const aggregators = registry.ids('aggregator');
  if (!aggregators.includes(rounds.aggregator)) {
    throw new UsageError(`--aggregator: unknown aggregator "${rounds.aggregator}"; registered aggregators: ${aggregators.join(', ')}`);
  }
  const options: Record<string, unknown> = {};
  if (rounds.aggregator === 'fedprox') options.mu = number(rounds.mu, '--mu', (n) => n >= 0, 'a number ≥ 0');
  if (rounds.aggregator === 'trimmed-mean') options.beta = number(rounds.trimBeta, '--trim-beta', (n) => n >= 0 && n < 0.5, 'in [0, 0.5)');
  if (rounds.aggregator === 'multi-krum') options.f = int(rounds.krumF, '--krum-f', 0);
  const stalePolicy = rounds.stalePolicy;
  if (stalePolicy !== 'accept' && stalePolicy !== 'down-weight') throw new UsageError(`--stale-policy must be accept or down-weight, got "${stalePolicy}"`);
  const clientOptimizerState = rounds.clientOptimizer;
  if (clientOptimizerState !== 'reset' && clientOptimizerState !== 'keep') {
    throw new UsageError(`--client-optimizer must be reset or keep, got "${clientOptimizerState}"`);
  }
  if (plan.model.model === 'bp' && (mode !== 'data-parallel' || rounds.assign !== undefined)) {
    throw new UsageError(`--model ${modelFlags.model} trains end to end (back-propagation): only --mode data-parallel without --assign applies`);
  }
  const spec = getDatasetSpec(plan.dataset);
  // LBP names its units cell-1…, Forward-Forward layer-1…; both call the classifier `head`.
  const lbp = 'cells' in plan.model && Array.isArray(plan.model.cells);
  const cellCount = lbp ? (plan.model as { cells: unknown[] }).cells.length : Number((plan.model as { layers?: number }).layers ?? 0);
  const config: FederationConfigInput = {
    mode,
    rounds: int(rounds.rounds, '--rounds', 1),
    localEpochs: int(rounds.localEpochs, '--local-epochs', 1),
    batchSize: int(rounds.batchSize, '--batch-size', 1),
    fraction: number(rounds.fraction, '--fraction', (n) => n > 0 && n <= 1, 'in (0, 1]'),
    waitForClients: rounds.waitFor !== undefined ? int(rounds.waitFor, '--wait-for', 1) : defaults.waitFor,
    minClients: int(rounds.minClients, '--min-clients', 1),
    quorum: int(rounds.quorum, '--quorum', 1),
    roundTimeoutMs: seconds(rounds.roundTimeout, '--round-timeout'),
    heartbeatMs: seconds(rounds.heartbeat, '--heartbeat'),
    heartbeatTimeoutMs: seconds(rounds.heartbeatTimeout, '--heartbeat-timeout'),
    crowdTimeoutMs: seconds(rounds.crowdTimeout, '--crowd-timeout'),
    aggregator: { id: rounds.aggregator, options },
    maxUpdateNorm: number(rounds.maxUpdateNorm, '--max-update-norm', (n) => n > 0, 'a positive number'),
    ...(rounds.maxExamples !== undefined ? { maxExamples: int(rounds.maxExamples, '--max-examples', 1) } : {}),
    examplesCapFactor: number(rounds.examplesCap, '--examples-cap', (n) => n === 0 || n >= 1, '0 (off) or a number ≥ 1'),
    normClipFactor: number(rounds.normClip, '--norm-clip', (n) => n === 0 || n >= 1, '0 (off) or a number ≥ 1'),
    minCosine: number(rounds.minCosine, '--min-cosine', (n) => n >= -1 && n <= 1, 'in [-1, 1]'),
    maxStaleness: int(rounds.maxStaleness, '--max-staleness', 0),
    stalePolicy,
    clientOptimizerState,
    assignments: parseAssignments(rounds.assign, cellCount, lbp ? 'cell' : 'layer'),
    model: plan.model as Record<string, unknown>,
    data: { dataset: plan.dataset, imageShape: [...spec.imageShape], numClasses: spec.numClasses },
    seed: plan.model.seed ?? 1,
    requestsPerSecond: number(rounds.rate, '--rate', (n) => n > 0, 'a positive number'),
    ...(rounds.maxBodyMb !== undefined ? { maxBodyBytes: Math.round(number(rounds.maxBodyMb, '--max-body-mb', (n) => n > 0, 'a positive number') * 2 ** 20) } : {}),
  };
  return { plan, config };
}

/** Which configuration key each serve flag sets: a restart applies (or refuses) only the flags given. */
const CONFIG_KEY_OF_FLAG: Record<string, string> = {
  mode: 'mode', rounds: 'rounds', localEpochs: 'localEpochs', batchSize: 'batchSize', fraction: 'fraction',
  waitFor: 'waitForClients', minClients: 'minClients', quorum: 'quorum', roundTimeout: 'roundTimeoutMs',
  heartbeat: 'heartbeatMs', heartbeatTimeout: 'heartbeatTimeoutMs', crowdTimeout: 'crowdTimeoutMs',
  aggregator: 'aggregator', mu: 'aggregator', trimBeta: 'aggregator', krumF: 'aggregator',
  maxUpdateNorm: 'maxUpdateNorm', maxExamples: 'maxExamples', examplesCap: 'examplesCapFactor', normClip: 'normClipFactor', minCosine: 'minCosine',
  maxStaleness: 'maxStaleness', stalePolicy: 'stalePolicy', clientOptimizer: 'clientOptimizerState', assign: 'assignments',
  maxBodyMb: 'maxBodyBytes', rate: 'requestsPerSecond', dataset: 'data', seed: 'seed',
};

/** Configuration keys set by the given flags; any model flag sets `model`. */
export function givenConfigKeys(flags: readonly string[], modelFlags: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const f of flags) {
    const key = CONFIG_KEY_OF_FLAG[f];
    if (key) keys.add(key);
    if (modelFlags.includes(f) || f === 'dataset' || f === 'seed') keys.add('model');
  }
  return [...keys];
}

/** `--partition` plus the shard this process holds. */
export function parsePartitionFlag(text: string): PartitionSpec {
  try {
    return parsePartitionSpec(text);
  } catch (err) {
    throw new UsageError(`--partition: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export { formatPartitionSpec };
