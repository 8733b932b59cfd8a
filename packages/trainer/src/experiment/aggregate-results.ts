import { MEMORY_PAIRS } from './experiment-models';
import type { GridCell } from './experiment-plan';
import type { RunSummary } from './run-summary';
import { spread, type Spread } from './summary-statistics';

/** A finished grid cell: its summary and whether it was resumed (then its timings cover only part of the run). */
export interface FinishedRun {
  cell: GridCell;
  summary: RunSummary;
  resumed: boolean;
}

/** One model on one dataset, over its seeds. */
export interface ModelResult {
  dataset: string;
  model: string;
  seeds: number[];
  finalAccuracy: Spread | null;
  /** Per run: the best test accuracy over its epochs. */
  bestAccuracy: Spread | null;
  /** Index i: test accuracy after epoch i + 1, over the runs that have it. */
  epochAccuracy: Array<Spread | null>;
  /** Mean seconds per epoch of each run that was not resumed. */
  secondsPerEpoch: Spread | null;
  peakTensorBytes: Spread | null;
  peakRssBytes: Spread | null;
  parameters: number | null;
}

/** Mean peak of an LBP model over the mean peak of the BP model with the same encoder stack. */
export interface MemoryRatio {
  dataset: string;
  lbp: string;
  bp: string;
  tensorBytesRatio: number;
  rssBytesRatio: number;
}

/** Every run's summary of an experiment, grouped by dataset and model with mean ± std over seeds. */
export interface ExperimentResults {
  models: ModelResult[];
  memoryRatios: MemoryRatio[];
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function modelResult(dataset: string, model: string, runs: FinishedRun[]): ModelResult {
  const summaries = runs.map((r) => r.summary);
  const epochs = Math.max(0, ...summaries.map((s) => s.epochAccuracy.length));
  const accuracies = (s: RunSummary) => s.epochAccuracy.filter((a): a is number => a !== null);
  return {
    dataset,
    model,
    seeds: runs.map((r) => r.cell.seed),
    finalAccuracy: spread(summaries.flatMap((s) => (s.testAccuracy === null ? [] : [s.testAccuracy]))),
    bestAccuracy: spread(summaries.flatMap((s) => (accuracies(s).length ? [Math.max(...accuracies(s))] : []))),
    epochAccuracy: Array.from({ length: epochs }, (_, i) =>
      spread(summaries.flatMap((s) => (typeof s.epochAccuracy[i] === 'number' ? [s.epochAccuracy[i]] : []))),
    ),
    secondsPerEpoch: spread(runs.filter((r) => !r.resumed && r.summary.epochSeconds.length).map((r) => mean(r.summary.epochSeconds))),
    peakTensorBytes: spread(summaries.map((s) => s.peakTensorBytes)),
    peakRssBytes: spread(summaries.map((s) => s.peakRssBytes)),
    parameters: summaries[0]?.parameters ?? null,
  };
}

/** Aggregates finished runs per dataset and model (in the order given) and pairs LBP with BP for memory. */
export function aggregateResults(datasets: readonly string[], models: readonly string[], runs: readonly FinishedRun[]): ExperimentResults {
  const results: ModelResult[] = [];
  for (const dataset of datasets) {
    for (const model of models) {
      const mine = runs.filter((r) => r.cell.dataset === dataset && r.cell.model === model).sort((a, b) => a.cell.seed - b.cell.seed);
      if (mine.length) results.push(modelResult(dataset, model, mine));
    }
  }
  const memoryRatios: MemoryRatio[] = [];
  for (const dataset of datasets) {
    for (const pair of MEMORY_PAIRS) {
      const lbp = results.find((r) => r.dataset === dataset && r.model === pair.lbp);
      const bp = results.find((r) => r.dataset === dataset && r.model === pair.bp);
      if (!lbp?.peakTensorBytes || !bp?.peakTensorBytes || !lbp.peakRssBytes || !bp.peakRssBytes) continue;
      memoryRatios.push({
        dataset,
        ...pair,
        tensorBytesRatio: lbp.peakTensorBytes.mean / bp.peakTensorBytes.mean,
        rssBytesRatio: lbp.peakRssBytes.mean / bp.peakRssBytes.mean,
      });
    }
  }
  return { models: results, memoryRatios };
}
