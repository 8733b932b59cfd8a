/** Parts `first..last` (inclusive) of a staged model that one worker trains: units, then the classifier as the last part. */
export interface StageParts {
  readonly first: number;
  readonly last: number;
}

/**
 * Splits parts with the given costs into at most `stages` contiguous stages so that the slowest
 * stage is as fast as possible: a pipeline runs at the pace of its slowest stage. Exact (dynamic
 * programming over split points); ties go to the earliest split.
 */
export function planStages(costs: readonly number[], stages: number): StageParts[] {
  const n = costs.length;
  if (n === 0) throw new RangeError('planStages: a model has at least one part');
  if (!Number.isInteger(stages) || stages < 1) throw new RangeError(`planStages: stages must be a positive integer, got ${stages}`);
  if (costs.some((c) => !(c >= 0) || !Number.isFinite(c))) throw new RangeError(`planStages: costs must be finite and non-negative, got ${costs.join(', ')}`);
  const k = Math.min(stages, n);
  const prefix = [0];
  for (const c of costs) prefix.push(prefix.at(-1)! + c);
  const span = (a: number, b: number) => prefix[b]! - prefix[a]!;
  // best[s][i]: the smallest possible slowest stage when the first i parts form s stages.
  const best: number[][] = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY));
  const cut: number[][] = Array.from({ length: k + 1 }, () => new Array<number>(n + 1).fill(0));
  best[0]![0] = 0;
  for (let s = 1; s <= k; s++) {
    for (let i = s; i <= n; i++) {
      for (let j = s - 1; j < i; j++) {
        const value = Math.max(best[s - 1]![j]!, span(j, i));
        if (value < best[s]![i]!) {
          best[s]![i] = value;
          cut[s]![i] = j;
        }
      }
    }
  }
  const plan: StageParts[] = [];
  let end = n;
  for (let s = k; s >= 1; s--) {
    const start = cut[s]![end]!;
    plan.unshift({ first: start, last: end - 1 });
    end = start;
  }
  return plan;
}

/** The longest stage's share of the total cost: 1 / stages is a perfect balance. */
export function slowestStageShare(costs: readonly number[], plan: readonly StageParts[]): number {
  const total = costs.reduce((a, b) => a + b, 0);
  if (total === 0) return 1 / plan.length;
  const stageCost = (p: StageParts) => costs.slice(p.first, p.last + 1).reduce((a, b) => a + b, 0);
  return Math.max(...plan.map(stageCost)) / total;
}
