import type { Aggregator, CellUpdate } from '../aggregator';
import { AggregatorError } from '../aggregators/aggregation-errors';
import type { WeightArray } from '../protocol/weight-array';
import { deltaStats, lowerMedian, planInfluence, type InfluenceAdjustment, type InfluenceBounds, type InfluencePlan, type UpdateStats } from './bounded-influence';
import type { SpoolEntry, UpdateSpool } from './update-spool';

/** An accepted update once its weights are on disk: what it declared, its statistics, where it lies. */
interface StreamedUpdate {
  meta: Omit<CellUpdate, 'weights'>;
  stats: UpdateStats;
  entry: SpoolEntry;
  /** The weight its values were added to the running sum with (weighted-mean aggregators). */
  provisional: number;
}

/** Values of the coordinate-wise block pass held at once (64 MiB of float32). */
const BLOCK_BUDGET = 1 << 24;
/** A provisional weight this many times the final total would cost the running sum its precision: sum again from disk. */
const PRECISION_RATIO = 1e6;

/**
 * One unit's accepted updates in one round, without their weights in memory. Each update, as it arrives, is
 * written to the round's spool, reduced to its statistics (delta norm, strided delta sample: all bounded
 * influence needs), and for a weighted-mean aggregator added to a float64 running sum with a provisional
 * weight (its count, capped at `examplesCapFactor` × the lower median of the counts seen so far). At the close
 * the bounds are decided from the statistics and only the updates they changed are read back to correct the
 * sum, so an honest FedAvg round costs O(parameters) at the close, whatever the number of clients.
 * Coordinate-wise aggregators run on blocks of coordinates read back from the spool; others on whole updates.
 */
export class UnitRoundStream {
  private readonly entries: StreamedUpdate[] = [];
  private readonly declared: number[] = [];
  private readonly sum: Float64Array[] | null;
  private readonly size: number;

  constructor(
    readonly unit: string,
    private readonly global: readonly WeightArray[],
    private readonly spool: UpdateSpool,
    private readonly stride: number,
    private readonly bounds: InfluenceBounds,
    private readonly aggregator: Aggregator,
    /** Values the coordinate-wise pass holds at once (tests make it small to cross block boundaries). */
    private readonly blockBudget = BLOCK_BUDGET,
  ) {
    this.sum = aggregator.streaming === 'weighted-mean' ? global.map((g) => new Float64Array(g.values.length)) : null;
    this.size = global.reduce((n, g) => n + g.values.length, 0);
  }

  get count(): number {
    return this.entries.length;
  }

  /** Takes a validated update of this unit; its weights are not referenced afterwards. */
  add(update: CellUpdate): void {
    const { weights, ...meta } = update;
    const stats = { clientId: update.clientId, examples: update.examples, ...deltaStats(weights, this.global, this.stride) };
    const entry = this.spool.append(weights.map((w) => w.values));
    let provisional = 0;
    if (this.sum) {
      const absolute = Math.min(update.examples, this.bounds.maxExamples ?? Number.POSITIVE_INFINITY);
      this.declared.push(absolute);
      const cap = this.bounds.examplesCapFactor > 0 ? this.bounds.examplesCapFactor * lowerMedian(this.declared) : Number.POSITIVE_INFINITY;
      provisional = Math.min(absolute, cap) * (update.scale ?? 1);
      weights.forEach((w, i) => addScaled(this.sum![i]!, w.values, provisional));
    }
    this.entries.push({ meta, stats, entry, provisional });
  }

  /** Bounds the round's updates of this unit and aggregates them. */
  finish(): { weights: WeightArray[]; adjustments: InfluenceAdjustment[] } {
    const plan = planInfluence(this.unit, this.entries.map((e) => e.stats), this.bounds);
    const weights =
      this.aggregator.streaming === 'weighted-mean' ? this.finishMean(plan) : this.aggregator.streaming === 'coordinate-wise' ? this.finishBlocks(plan) : this.finishWhole(plan);
    return { weights, adjustments: plan.adjustments };
  }

  /** The running sum, corrected for every update whose final weight or clip differs from what it was added with. */
  private finishMean(plan: InfluencePlan): WeightArray[] {
    const sum = this.sum!;
    const final = this.entries.map((e, k) => (plan.kept[k] ? plan.counted[k]! * (e.meta.scale ?? 1) : 0));
    const total = final.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new AggregatorError(`${this.aggregator.id}: the update weights of ${this.unit} sum to zero`);
    const again = Math.max(...this.entries.map((e) => e.provisional)) > PRECISION_RATIO * total;
    if (again) for (const s of sum) s.fill(0);
    const buffer = new Float32Array(this.size);
    this.entries.forEach((e, k) => {
      const factor = plan.factors[k]!;
      const removed = again ? 0 : e.provisional;
      if (!again && final[k] === e.provisional && factor === 1) return;
      if (final[k] === 0 && removed === 0) return;
      const values = this.spool.read(e.entry, buffer);
      let flat = 0;
      this.global.forEach((g, i) => {
        const s = sum[i]!;
        const gv = g.values;
        const w = final[k]!;
        // w·(g + factor·(x − g)) − removed·x, coordinate by coordinate.
        for (let j = 0; j < gv.length; j++) {
          const x = values[flat + j]!;
          s[j] = s[j]! + w * (gv[j]! + factor * (x - gv[j]!)) - removed * x;
        }
        flat += gv.length;
      });
    });
    return this.global.map((g, i) => {
      const s = sum[i]!;
      const out = new Float32Array(s.length);
      for (let j = 0; j < s.length; j++) out[j] = s[j]! / total;
      return { name: g.name, shape: [...g.shape], values: out };
    });
  }

  /** Blocks of coordinates of every kept update, read back and clipped, through the aggregator one block at a time. */
  private finishBlocks(plan: InfluencePlan): WeightArray[] {
    const kept = this.keptIndices(plan);
    const block = Math.max(1024, Math.floor(this.blockBudget / kept.length));
    const buffers = kept.map(() => new Float32Array(block));
    let flat = 0;
    return this.global.map((g) => {
      const out = new Float32Array(g.values.length);
      for (let j0 = 0; j0 < out.length; j0 += block) {
        const n = Math.min(block, out.length - j0);
        const updates: CellUpdate[] = kept.map((k, b) => {
          const values = this.spool.read(this.entries[k]!.entry, buffers[b]!.subarray(0, n), flat + j0);
          clipInPlace(values, g.values.subarray(j0, j0 + n), plan.factors[k]!);
          return { ...this.entries[k]!.meta, examples: plan.counted[k]!, weights: [{ name: g.name, shape: [n], values }] };
        });
        out.set(this.aggregator.aggregate(updates)[0]!.values, j0);
      }
      flat += g.values.length;
      return { name: g.name, shape: [...g.shape], values: out };
    });
  }

  /** Every kept update whole (an aggregator that needs them all at once, such as Multi-Krum's distances). */
  private finishWhole(plan: InfluencePlan): WeightArray[] {
    const updates = this.keptIndices(plan).map((k) => {
      const values = this.spool.read(this.entries[k]!.entry, new Float32Array(this.size));
      let flat = 0;
      const weights = this.global.map((g) => {
        const part = values.subarray(flat, flat + g.values.length);
        clipInPlace(part, g.values, plan.factors[k]!);
        flat += g.values.length;
        return { name: g.name, shape: [...g.shape], values: part };
      });
      return { ...this.entries[k]!.meta, examples: plan.counted[k]!, weights };
    });
    return this.aggregator.aggregate(updates);
  }

  private keptIndices(plan: InfluencePlan): number[] {
    return this.entries.map((_, k) => k).filter((k) => plan.kept[k]);
  }
}

function addScaled(target: Float64Array, values: Float32Array, factor: number): void {
  for (let j = 0; j < target.length; j++) target[j] = target[j]! + factor * values[j]!;
}

/** `values ← global + factor · (values − global)`; nothing to do for factor 1. */
function clipInPlace(values: Float32Array, global: Float32Array, factor: number): void {
  if (factor === 1) return;
  for (let j = 0; j < values.length; j++) values[j] = global[j]! + factor * (values[j]! - global[j]!);
}
