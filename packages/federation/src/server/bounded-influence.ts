import type { CellUpdate } from '../aggregator';
import { medianInPlace } from '../aggregators/order-statistics';
import type { WeightArray } from '../protocol/weight-array';

/** How far one update may pull a unit's aggregate, whatever it declares. */
export interface InfluenceBounds {
  /** Declared example counts above this are counted as this (absolute cap); undefined = none. */
  maxExamples?: number | undefined;
  /** Counts are capped at this multiple of the round's (lower) median declared count; 0 = no relative cap. */
  examplesCapFactor: number;
  /**
   * Deltas (update − global weights) longer than this multiple of the round's (lower) median delta norm
   * are scaled down to it, direction kept; 0 = no relative clip.
   */
  normClipFactor: number;
  /**
   * With 3 or more updates, an update whose (clipped) delta has a cosine below this with the round's coordinate-wise
   * median delta is left out of the aggregate: it pulls against what the round agrees on. −1 = never.
   */
  minCosine: number;
}

/** What bounding did to one client's update of one unit (absent when nothing changed). */
export interface InfluenceAdjustment {
  clientId: string;
  unit: string;
  declaredExamples?: number;
  countedExamples?: number;
  /** ‖delta‖ before clipping, and the bound it was clipped to. */
  deltaNorm?: number;
  clippedTo?: number;
  /** Left out: its delta's cosine with the round's median delta was below `minCosine`. */
  droppedCosine?: number;
}

/**
 * The lower median: the middle value, or the smaller of the two middle ones. With two updates it is the
 * smaller, so one inflated value can never raise the statistic it is bounded by.
 */
export function lowerMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** What planning needs of one update, which a server can compute as the update arrives and then drop its weights. */
export interface UpdateStats {
  clientId: string;
  /** Declared examples (before any cap). */
  examples: number;
  /** ‖update − global‖₂ over the unit. */
  deltaNorm: number;
  /** The delta on an evenly strided subset of the unit's coordinates (see `sampleStride`). */
  sample: Float32Array;
}

/** What bounding decides for each update of a unit, in input order. */
export interface InfluencePlan {
  /** Counted examples (caps applied; staleness scale not included). */
  counted: number[];
  /** Delta scale of the norm clip (1 = unclipped). */
  factors: number[];
  /** False for updates the direction check leaves out. */
  kept: boolean[];
  adjustments: InfluenceAdjustment[];
}

/** Coordinates the direction check reads per unit: enough for a cosine to 1/256, few enough for 1,000 updates × 1M. */
const COSINE_COORDINATES = 65_536;
/** At most this many sampled values per unit in a round (64 MiB of float32): above 256 updates the sample thins. */
const SAMPLE_BUDGET = 1 << 24;

/** Stride of the direction check's sample for a unit of `size` coordinates in a round of about `updates` updates. */
export function sampleStride(size: number, updates: number): number {
  const coordinates = Math.min(COSINE_COORDINATES, Math.max(4096, Math.floor(SAMPLE_BUDGET / Math.max(1, updates))));
  return Math.max(1, Math.ceil(size / coordinates));
}

/** The delta's norm and its strided sample (flat index i·stride over the unit's concatenated weights). */
export function deltaStats(weights: readonly WeightArray[], global: readonly WeightArray[], stride: number): { deltaNorm: number; sample: Float32Array } {
  const size = global.reduce((n, g) => n + g.values.length, 0);
  const sample = new Float32Array(Math.ceil(size / stride));
  let sum = 0;
  let flat = 0;
  let next = 0;
  weights.forEach((w, i) => {
    const g = global[i]!.values;
    const v = w.values;
    for (let j = 0; j < v.length; j++) {
      const d = v[j]! - g[j]!;
      sum += d * d;
    }
    for (; next < flat + v.length; next += stride) sample[next / stride] = v[next - flat]! - g[next - flat]!;
    flat += v.length;
  });
  return { deltaNorm: Math.sqrt(sum), sample };
}

/**
 * Cosines of each (clipped) sampled delta with the coordinate-wise median of them all: the round's consensus,
 * which hostile clients cannot turn while they are fewer than half, whatever they declare. Null when the
 * median is zero (no direction to defend).
 */
function cosinesWithMedian(samples: readonly Float32Array[], factors: readonly number[]): number[] | null {
  const length = samples[0]!.length;
  const reference = new Float64Array(length);
  const column = new Float64Array(samples.length);
  for (let j = 0; j < length; j++) {
    for (let k = 0; k < samples.length; k++) column[k] = samples[k]![j]! * factors[k]!;
    reference[j] = medianInPlace(column);
  }
  let referenceSquared = 0;
  for (const v of reference) referenceSquared += v * v;
  if (referenceSquared === 0) return null;
  return samples.map((row, k) => {
    let dot = 0;
    let squared = 0;
    for (let j = 0; j < length; j++) {
      const x = row[j]! * factors[k]!;
      dot += x * reference[j]!;
      squared += x * x;
    }
    return squared === 0 ? 0 : dot / Math.sqrt(squared * referenceSquared);
  });
}

/**
 * Decides how far each update of one unit may pull it, from statistics alone (so a server can stream the
 * updates): example counts capped (absolute, then relative to the round's lower-median count), deltas longer
 * than `normClipFactor` × the round's lower-median delta norm scaled down to it, and with 3 or more updates
 * those whose clipped delta points against the round's median delta left out (never all of them).
 */
export function planInfluence(unit: string, stats: readonly UpdateStats[], bounds: InfluenceBounds): InfluencePlan {
  const adjustments = new Map<string, InfluenceAdjustment>();
  const note = (clientId: string, patch: Omit<InfluenceAdjustment, 'clientId' | 'unit'>) =>
    adjustments.set(clientId, { ...(adjustments.get(clientId) ?? { clientId, unit }), ...patch });
  const absolute = stats.map((u) => Math.min(u.examples, bounds.maxExamples ?? Number.POSITIVE_INFINITY));
  const countCap = bounds.examplesCapFactor > 0 ? bounds.examplesCapFactor * lowerMedian(absolute) : Number.POSITIVE_INFINITY;
  const normCap = bounds.normClipFactor > 0 ? bounds.normClipFactor * lowerMedian(stats.map((u) => u.deltaNorm)) : Number.POSITIVE_INFINITY;
  const counted = stats.map((u, k) => {
    const examples = Math.min(absolute[k]!, countCap);
    if (examples < u.examples) note(u.clientId, { declaredExamples: u.examples, countedExamples: examples });
    return examples;
  });
  const factors = stats.map((u) => {
    if (!(u.deltaNorm > normCap)) return 1;
    // Scale the delta, not the weights: the clipped update points the same way, only shorter.
    note(u.clientId, { deltaNorm: u.deltaNorm, clippedTo: normCap });
    return normCap / u.deltaNorm;
  });
  let kept = stats.map(() => true);
  if (stats.length >= 3 && bounds.minCosine > -1) {
    const cosines = cosinesWithMedian(stats.map((u) => u.sample), factors);
    // Never leave a unit with nothing: if everything disagrees there is no consensus to defend.
    if (cosines && cosines.some((c) => c >= bounds.minCosine)) {
      kept = cosines.map((c) => c >= bounds.minCosine);
      stats.forEach((u, k) => {
        if (!kept[k]) note(u.clientId, { droppedCosine: cosines[k]! });
      });
    }
  }
  return { counted, factors, kept, adjustments: [...adjustments.values()] };
}

/** `global + factor · (weights − global)`, fresh arrays. */
export function clipWeights(weights: readonly WeightArray[], global: readonly WeightArray[], factor: number): WeightArray[] {
  return weights.map((w, i) => {
    const g = global[i]!.values;
    const values = new Float32Array(w.values.length);
    for (let j = 0; j < values.length; j++) values[j] = g[j]! + factor * (w.values[j]! - g[j]!);
    return { name: w.name, shape: [...w.shape], values };
  });
}

/**
 * Bounds every update of one unit before any aggregator sees them: example counts capped (absolute, then
 * relative to the round's median count), and deltas longer than `normClipFactor` × the round's median delta
 * norm clipped to that length. Honest IID rounds are untouched (counts and norms within a small factor of the
 * median); a single client declaring 10¹² examples or sending a huge delta weighs like a few honest ones.
 * `global` holds the unit's current weights, in the order of each update's weights (as validation left them).
 */
export function boundInfluence(
  unit: string,
  updates: readonly CellUpdate[],
  global: readonly WeightArray[],
  bounds: InfluenceBounds,
): { updates: CellUpdate[]; adjustments: InfluenceAdjustment[] } {
  const stride = sampleStride(global.reduce((n, g) => n + g.values.length, 0), updates.length);
  const plan = planInfluence(unit, updates.map((u) => ({ clientId: u.clientId, examples: u.examples, ...deltaStats(u.weights, global, stride) })), bounds);
  const bounded = updates.map((u, k) => {
    const examples = plan.counted[k]!;
    const weights = plan.factors[k] === 1 ? u.weights : clipWeights(u.weights, global, plan.factors[k]!);
    return examples === u.examples && weights === u.weights ? u : { ...u, examples, weights };
  });
  return { updates: bounded.filter((_, k) => plan.kept[k]), adjustments: plan.adjustments };
}
