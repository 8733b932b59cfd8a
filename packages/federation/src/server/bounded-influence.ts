import type { CellUpdate } from '../aggregator';
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

function deltaNorm(weights: readonly WeightArray[], global: readonly WeightArray[]): number {
  let sum = 0;
  weights.forEach((w, i) => {
    const g = global[i]!.values;
    for (let j = 0; j < w.values.length; j++) {
      const d = w.values[j]! - g[j]!;
      sum += d * d;
    }
  });
  return Math.sqrt(sum);
}

/** Coordinates the direction check reads per unit: enough for a cosine to 1/256, few enough for 1,000 updates × 1M. */
const COSINE_COORDINATES = 65_536;

/**
 * Leaves out updates whose delta points against the round's consensus: the coordinate-wise median of the
 * (clipped) deltas, which hostile clients cannot turn while they are fewer than half, whatever they declare.
 * Read on an evenly strided subset of at most 65,536 coordinates per unit, so it costs O(K · 65,536).
 */
function dropOpposed(updates: CellUpdate[], global: readonly WeightArray[], minCosine: number, onDrop: (u: CellUpdate, cosine: number) => void): CellUpdate[] {
  if (updates.length < 3 || minCosine <= -1) return updates;
  const size = global.reduce((n, g) => n + g.values.length, 0);
  const stride = Math.max(1, Math.ceil(size / COSINE_COORDINATES));
  // Sampled deltas, one row per update: flat index i·stride over the unit's concatenated weights.
  const rows = updates.map(() => new Float64Array(Math.ceil(size / stride)));
  updates.forEach((u, k) => {
    let flat = 0;
    let next = 0;
    u.weights.forEach((w, i) => {
      const g = global[i]!.values;
      for (; next < flat + w.values.length; next += stride) rows[k]![next / stride]! = w.values[next - flat]! - g[next - flat]!;
      flat += w.values.length;
    });
  });
  const reference = new Float64Array(rows[0]!.length);
  const column = new Float64Array(updates.length);
  for (let j = 0; j < reference.length; j++) {
    for (let k = 0; k < rows.length; k++) column[k] = rows[k]![j]!;
    column.sort();
    const n = column.length;
    reference[j] = n % 2 ? column[(n - 1) / 2]! : (column[n / 2 - 1]! + column[n / 2]!) / 2;
  }
  let referenceSquared = 0;
  for (const v of reference) referenceSquared += v * v;
  if (referenceSquared === 0) return updates;
  const cosines = rows.map((row) => {
    let dot = 0;
    let squared = 0;
    for (let j = 0; j < row.length; j++) {
      dot += row[j]! * reference[j]!;
      squared += row[j]! * row[j]!;
    }
    return squared === 0 ? 0 : dot / Math.sqrt(squared * referenceSquared);
  });
  const kept = updates.filter((_, k) => cosines[k]! >= minCosine);
  // Never leave a unit with nothing: if everything disagrees there is no consensus to defend.
  if (kept.length === 0) return updates;
  updates.forEach((u, k) => {
    if (cosines[k]! < minCosine) onDrop(u, cosines[k]!);
  });
  return kept;
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
  const adjustments = new Map<string, InfluenceAdjustment>();
  const note = (clientId: string, patch: Omit<InfluenceAdjustment, 'clientId' | 'unit'>) =>
    adjustments.set(clientId, { ...(adjustments.get(clientId) ?? { clientId, unit }), ...patch });

  const absolute = updates.map((u) => Math.min(u.examples, bounds.maxExamples ?? Number.POSITIVE_INFINITY));
  const countCap = bounds.examplesCapFactor > 0 ? bounds.examplesCapFactor * lowerMedian(absolute) : Number.POSITIVE_INFINITY;
  const norms = updates.map((u) => deltaNorm(u.weights, global));
  const normCap = bounds.normClipFactor > 0 ? bounds.normClipFactor * lowerMedian(norms) : Number.POSITIVE_INFINITY;

  const bounded = updates.map((u, k) => {
    const examples = Math.min(absolute[k]!, countCap);
    let weights = u.weights;
    if (examples < u.examples) note(u.clientId, { declaredExamples: u.examples, countedExamples: examples });
    if (norms[k]! > normCap) {
      // Scale the delta, not the weights: the clipped update points the same way, only shorter.
      const factor = normCap / norms[k]!;
      weights = u.weights.map((w, i) => {
        const g = global[i]!.values;
        const values = new Float32Array(w.values.length);
        for (let j = 0; j < values.length; j++) values[j] = g[j]! + factor * (w.values[j]! - g[j]!);
        return { name: w.name, shape: [...w.shape], values };
      });
      note(u.clientId, { deltaNorm: norms[k]!, clippedTo: normCap });
    }
    return examples === u.examples && weights === u.weights ? u : { ...u, examples, weights };
  });
  const kept = dropOpposed(bounded, global, bounds.minCosine, (u, cosine) => note(u.clientId, { droppedCosine: cosine }));
  return { updates: kept, adjustments: [...adjustments.values()] };
}
