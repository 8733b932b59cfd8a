import { aggregateResults, type FinishedRun, type ModelResult } from './aggregate-results';
import type { FederateRunSummary } from './federate-run-summary';
import type { PaperCell } from './paper-cells';
import type { PaperPreset } from './paper-preset';
import { publishedFigure } from './published-figures';
import { classifierEpochAccuracy, type RunSummary } from './run-summary';
import { spread, type Spread } from './summary-statistics';

/** A finished train run of the preset. */
export interface PaperTrainRun {
  cell: PaperCell;
  summary: RunSummary;
  resumed: boolean;
}

/** A finished `federate simulate` run of the preset. */
export interface PaperFederateRun {
  cell: PaperCell;
  summary: FederateRunSummary;
}

/** One model on one dataset of the accuracy grid, with the published figure beside it. */
export interface AccuracyRow extends ModelResult {
  /** Epoch (1-based) where the mean accuracy over seeds peaks. */
  bestEpoch: number | null;
  /** Engines and worker counts its runs trained with. */
  engines: string[];
  workers: number[];
  published: { accuracy: number; source: string } | null;
  /** Our mean final accuracy minus the published figure. */
  gap: number | null;
}

/** Separate vs simultaneous schedule of one model over the same seeds. */
export interface ScheduleRow {
  model: string;
  simultaneous: Spread | null;
  separate: Spread | null;
  /** Mean simultaneous minus mean separate final accuracy (positive: the separate schedule is worse). */
  drop: number | null;
}

/** Peak memory of one model at one depth. */
export interface DepthPoint {
  model: string;
  depth: number;
  peakTensorBytes: number;
  peakRssBytes: number;
}

/** At one depth: 1 − LBP peak / BP peak (positive: LBP needs less). */
export interface DepthSaving {
  lbp: string;
  bp: string;
  depth: number;
  tensorSaving: number;
  rssSaving: number;
}

/** A federated run beside its centralized twin. */
export interface FederatedRow {
  model: string;
  setting: string;
  seeds: number[];
  finalAccuracy: Spread | null;
  /** Mean over seeds of the accuracy after each round. */
  roundAccuracy: Array<number | null>;
  centralizedSetting: string;
  centralized: Spread | null;
  /** Mean over seeds of the centralized twin's accuracy after each epoch of its classifier. */
  centralizedEpochAccuracy: Array<number | null>;
  /** Centralized minus federated mean final accuracy. */
  gap: number | null;
}

/** Every section's numbers, computed from the finished runs only. */
export interface PaperResults {
  accuracy: Array<{ dataset: string; rows: AccuracyRow[] }>;
  separate: { dataset: string; rows: ScheduleRow[] };
  memoryDepth: { dataset: string; points: DepthPoint[]; savings: DepthSaving[] };
  federated: { dataset: string; rows: FederatedRow[] };
}

const finals = (runs: ReadonlyArray<{ summary: { testAccuracy: number | null } }>) =>
  spread(runs.flatMap((r) => (r.summary.testAccuracy === null ? [] : [r.summary.testAccuracy])));

/** Per index, the mean of the series' values there (null where none has one). */
function meanSeries(series: ReadonlyArray<ReadonlyArray<number | null>>): Array<number | null> {
  const length = Math.max(0, ...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => spread(series.flatMap((s) => (typeof s[i] === 'number' ? [s[i]] : [])))?.mean ?? null);
}

function accuracyRows(dataset: string, models: readonly string[], runs: readonly PaperTrainRun[]): AccuracyRow[] {
  const mine = runs.filter((r) => r.cell.dataset === dataset);
  const finished: FinishedRun[] = mine.map(({ cell, summary, resumed }) => ({ cell, summary, resumed }));
  return aggregateResults([dataset], models, finished)
    .models.map((r): AccuracyRow => {
      const own = mine.filter((m) => m.cell.model === r.model);
      const means = r.epochAccuracy.map((s) => s?.mean ?? -1);
      const peak = Math.max(...means);
      const published = publishedFigure(dataset, r.model);
      return {
        ...r,
        bestEpoch: peak >= 0 ? means.indexOf(peak) + 1 : null,
        engines: [...new Set(own.map((m) => m.summary.backend))].sort(),
        workers: [...new Set(own.flatMap((m) => (m.summary.workers === undefined ? [] : [m.summary.workers])))].sort((a, b) => a - b),
        published: published ? { accuracy: published.accuracy, source: published.source } : null,
        gap: published && r.finalAccuracy ? r.finalAccuracy.mean - published.accuracy : null,
      };
    })
    .sort((a, b) => (b.finalAccuracy?.mean ?? -1) - (a.finalAccuracy?.mean ?? -1) || a.model.localeCompare(b.model));
}

/** Aggregates the finished runs of a preset into its sections. */
export function paperResults(preset: PaperPreset, trainRuns: readonly PaperTrainRun[], federateRuns: readonly PaperFederateRun[]): PaperResults {
  const accuracyRuns = trainRuns.filter((r) => r.cell.section === 'accuracy');
  const accuracy = preset.accuracy.map((g) => ({ dataset: g.dataset, rows: accuracyRows(g.dataset, g.models, accuracyRuns) }));

  const sep = preset.separate;
  const separateRows = sep.models.map((model): ScheduleRow => {
    const seps = trainRuns.filter((r) => r.cell.section === 'separate' && r.cell.model === model);
    // Only the seeds that have both schedules, so the difference is over the same seeds.
    const seeds = new Set(seps.map((r) => r.cell.seed));
    const sims = accuracyRuns.filter((r) => r.cell.dataset === sep.dataset && r.cell.model === model && seeds.has(r.cell.seed));
    const both = seps.filter((r) => sims.some((s) => s.cell.seed === r.cell.seed));
    const simultaneous = finals(sims);
    const separate = finals(both);
    return { model, simultaneous, separate, drop: simultaneous && separate ? simultaneous.mean - separate.mean : null };
  });

  const mem = preset.memoryDepth;
  const points: DepthPoint[] = trainRuns
    .filter((r) => r.cell.section === 'memory-depth' && r.cell.depth !== undefined)
    .map((r) => ({ model: r.cell.model, depth: r.cell.depth!, peakTensorBytes: r.summary.peakTensorBytes, peakRssBytes: r.summary.peakRssBytes }))
    .sort((a, b) => a.model.localeCompare(b.model) || a.depth - b.depth);
  const savings: DepthSaving[] = [];
  for (const pair of mem.pairs) {
    for (const depth of mem.depths) {
      const lbp = points.find((p) => p.model === pair.lbp && p.depth === depth);
      const bp = points.find((p) => p.model === pair.bp && p.depth === depth);
      if (!lbp || !bp) continue;
      savings.push({ ...pair, depth, tensorSaving: 1 - lbp.peakTensorBytes / bp.peakTensorBytes, rssSaving: 1 - lbp.peakRssBytes / bp.peakRssBytes });
    }
  }

  const fed = preset.federated;
  const settings = [
    ...fed.models.flatMap((model) => fed.partitions.map((setting) => ({ model, setting, twin: 'centralized' }))),
    ...fed.cellDistributed.map((model) => ({ model, setting: 'cell-distributed', twin: 'centralized-separate' })),
  ];
  const federatedRows = settings.map(({ model, setting, twin }): FederatedRow => {
    const runs = federateRuns.filter((r) => r.cell.model === model && r.cell.setting === setting);
    const twins = trainRuns.filter((r) => r.cell.section === 'federated' && r.cell.model === model && r.cell.setting === twin);
    const finalAccuracy = finals(runs);
    const centralized = finals(twins);
    return {
      model,
      setting,
      seeds: runs.map((r) => r.cell.seed).sort((a, b) => a - b),
      finalAccuracy,
      roundAccuracy: meanSeries(runs.map((r) => r.summary.roundAccuracy)),
      centralizedSetting: twin,
      centralized,
      centralizedEpochAccuracy: meanSeries(twins.map((t) => classifierEpochAccuracy(t.summary))),
      gap: finalAccuracy && centralized ? centralized.mean - finalAccuracy.mean : null,
    };
  });

  return {
    accuracy,
    separate: { dataset: sep.dataset, rows: separateRows },
    memoryDepth: { dataset: mem.dataset, points, savings },
    federated: { dataset: fed.dataset, rows: federatedRows },
  };
}
