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
  return { updates: bounded, adjustments: [...adjustments.values()] };
}
