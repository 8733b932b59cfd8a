import { promises as fs } from 'node:fs';
import path from 'node:path';
import { accuracyFigureSvg } from './accuracy-figure';
import { barFigureSvg } from './bar-figure';
import { EXPERIMENT_MODELS } from './experiment-models';
import type { ExperimentOutcome, ExperimentRunOptions } from './grid-runner';
import { inspectCell, inspectFederateCell, type CellRecord } from './grid-cell-state';
import { lineFigureSvg, type LineSeries } from './line-figure';
import { paperJobs, type PaperCell, type PaperSection } from './paper-cells';
import { judgeClaims } from './paper-claims';
import type { PaperPreset } from './paper-preset';
import { renderPaperReport } from './paper-report';
import { paperResults, type PaperFederateRun, type PaperResults, type PaperTrainRun } from './paper-results';
import { recordedEnvironment } from './recorded-environment';
import { runCells } from './run-cells';

/** Options of `runPaperExperiment`. */
export interface RunPaperOptions extends ExperimentRunOptions {
  preset: PaperPreset;
  /** Dataset → directory of its files (required for the preset's `needsDataDir` datasets; not recorded in trainArgs). */
  dataDirs: Record<string, string>;
  /** Sections to train now, in this order (default: all, in report order); the report always covers every section. */
  sections?: readonly PaperSection[];
  /** Train only the runs on these datasets / of these models now (default: all); the report covers every run. */
  datasets?: readonly string[];
  models?: readonly string[];
}

/**
 * Runs every run of a paper preset not yet finished, then writes report.md, results.json and the figures. Everything
 * written is derived from the preset and the runs' files, so `--report-only` reproduces it byte for byte.
 */
export async function runPaperExperiment(options: RunPaperOptions): Promise<ExperimentOutcome> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const jobs = paperJobs(options.preset, options.dataDirs);
  const chosen = jobs.filter((job) => (!options.datasets || options.datasets.includes(job.cell.dataset)) && (!options.models || options.models.includes(job.cell.model)));
  const toRun = options.sections ? options.sections.flatMap((section) => chosen.filter((job) => job.cell.section === section)) : chosen;
  const { ran, skipped, failed, stopped } = await runCells(toRun, { out: options.out, cli: options.cli, reportOnly: options.reportOnly, log });

  const trainRuns: PaperTrainRun[] = [];
  const federateRuns: PaperFederateRun[] = [];
  const records: CellRecord[] = [];
  const missing: Array<{ cell: PaperCell; reason: string }> = [];
  for (const job of jobs) {
    const { cell } = job;
    let resumable = false;
    if (cell.kind === 'federate') {
      const state = await inspectFederateCell(options.out, cell);
      if (state.kind === 'complete') {
        records.push(state.record);
        federateRuns.push({ cell, summary: state.summary });
        continue;
      }
    } else {
      const state = await inspectCell(options.out, cell, job.epochs);
      if (state.kind === 'complete') {
        records.push(state.record);
        trainRuns.push({ cell, summary: state.summary, resumed: state.record.resumes > 0 });
        continue;
      }
      resumable = state.kind === 'resume';
    }
    const failure = failed.find((f) => f.cell === cell)?.reason;
    missing.push({ cell, reason: failure ?? job.blocked ?? (resumable ? 'interrupted; a rerun resumes it from its checkpoint' : 'not run yet') });
  }

  const results = paperResults(options.preset, trainRuns, federateRuns);
  const claims = judgeClaims(results);
  const figures = await writeFigures(options.out, results);
  const environment = recordedEnvironment(options.command, [...trainRuns, ...federateRuns].map((r) => r.summary), records, options.versions);
  const planned: Record<PaperSection, number> = { accuracy: 0, separate: 0, 'memory-depth': 0, federated: 0 };
  for (const job of jobs) planned[job.cell.section]++;
  const reportFile = path.join(options.out, 'report.md');
  await fs.writeFile(
    reportFile,
    renderPaperReport({ preset: options.preset, environment, results, claims, figures, planned, missing, trainRuns, federateRuns, notes: options.notes ?? [] }),
  );
  const runs = [
    ...trainRuns.map(({ cell, summary: s, resumed }) => ({
      dir: cell.dir, section: cell.section, dataset: cell.dataset, model: cell.model, seed: cell.seed,
      ...(cell.depth !== undefined ? { depth: cell.depth } : {}), ...(cell.setting ? { setting: cell.setting } : {}),
      resumed, backend: s.backend, workers: s.workers ?? null, schedule: s.schedule ?? 'simultaneous', testAccuracy: s.testAccuracy,
      epochAccuracy: s.epochAccuracy, epochSeconds: s.epochSeconds, peakTensorBytes: s.peakTensorBytes, peakRssBytes: s.peakRssBytes,
      trainExamples: s.trainExamples, testExamples: s.testExamples,
    })),
    ...federateRuns.map(({ cell, summary: s }) => ({
      dir: cell.dir, section: cell.section, dataset: cell.dataset, model: cell.model, seed: cell.seed, setting: cell.setting,
      backend: s.backend, mode: s.mode, testAccuracy: s.testAccuracy, roundAccuracy: s.roundAccuracy,
    })),
  ];
  const json = { preset: options.preset, environment, results, claims, runs, missing: missing.map((m) => ({ dir: m.cell.dir, reason: m.reason })) };
  await fs.writeFile(path.join(options.out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`report written to ${reportFile}`);
  const status = stopped ? 'interrupted' : failed.length ? 'failed' : 'completed';
  return { status, ran, skipped, failed, reportFile };
}

const MIB = 2 ** 20;

/** Writes every figure that has data and returns their file names by key. */
async function writeFigures(out: string, results: PaperResults): Promise<Record<string, string>> {
  const figures: Record<string, string> = {};
  const write = async (key: string, svg: string) => {
    figures[key] = `${key}.svg`;
    await fs.writeFile(path.join(out, figures[key]), svg);
  };
  const labels = new Map(EXPERIMENT_MODELS.map((m) => [m.id, m.label]));
  for (const { dataset, rows } of results.accuracy) {
    if (!rows.length) continue;
    await write(`accuracy-${dataset}`, accuracyFigureSvg(dataset, rows, labels));
    const bars = rows.flatMap((r) =>
      r.finalAccuracy ? [{ name: r.model, mean: r.finalAccuracy.mean, std: r.finalAccuracy.std, n: r.finalAccuracy.n, ...(r.published ? { reference: r.published.accuracy } : {}) }] : [],
    );
    await write(`final-${dataset}`, barFigureSvg(`${dataset}: final test accuracy (bar: mean, line: ± std over seeds, ◇: published)`, bars));
  }
  const { points } = results.memoryDepth;
  if (points.length) {
    const models = [...new Set(points.map((p) => p.model))];
    await write(
      'memory-depth',
      lineFigureSvg({
        title: `${results.memoryDepth.dataset}: peak tensor memory while training vs depth`,
        xLabel: 'cells (depth)',
        yLabel: 'peak tensor MiB',
        yFormat: (y) => (y / MIB).toFixed(0),
        yMin: 0,
        series: models.map((m) => ({ name: m, points: points.filter((p) => p.model === m).map((p) => ({ x: p.depth, y: p.peakTensorBytes })) })),
      }),
    );
  }
  const series: LineSeries[] = [];
  results.federated.rows.forEach((r, i) => {
    const pointsOf = (ys: Array<number | null>) => ys.flatMap((y, k) => (y === null ? [] : [{ x: k + 1, y }]));
    if (r.finalAccuracy) series.push({ name: `${r.model} ${r.setting}`, points: pointsOf(r.roundAccuracy), color: i });
    if (r.centralized) series.push({ name: `${r.model} ${r.centralizedSetting}`, points: pointsOf(r.centralizedEpochAccuracy), dashed: true, color: i });
  });
  if (series.length) {
    await write(
      'federated',
      lineFigureSvg({
        title: `${results.federated.dataset}: test accuracy per round (dashed: centralized twin per epoch)`,
        xLabel: 'round (centralized: epoch)',
        yLabel: 'test accuracy',
        yFormat: (y) => `${(y * 100).toFixed(1)}%`,
        series,
      }),
    );
  }
  return figures;
}
