import { promises as fs } from 'node:fs';
import path from 'node:path';
import { aggregateResults, type FinishedRun } from './aggregate-results';
import { accuracyFigureSvg } from './accuracy-figure';
import { EXPERIMENT_MODELS } from './experiment-models';
import { gridCells, type ExperimentPlan, type GridCell } from './experiment-plan';
import { inspectCell, type CellRecord } from './grid-cell-state';
import { recordedEnvironment } from './recorded-environment';
import { runCells } from './run-cells';
import { renderReport, type ReportInput } from './render-report';

/** What every experiment runner takes besides its plan. */
export interface ExperimentRunOptions {
  out: string;
  /** How to start `localbp`: the Node binary and the CLI script. */
  cli: { node: string; script: string };
  /** The command line as the user typed it, for the report. */
  command: string;
  /** Versions the report states besides those every run records (e.g. localbp's own). */
  versions: Record<string, string>;
  /** Only aggregate what has finished and write the report; train nothing. */
  reportOnly?: boolean;
  /** Remarks the report lists under "Notes". */
  notes?: string[];
  /** Receives progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Options of `runExperiment`. */
export interface RunExperimentOptions extends ExperimentRunOptions {
  plan: ExperimentPlan;
}

/** What `runExperiment` did: runs trained, skipped and failed, and where the report is. */
export interface ExperimentOutcome {
  status: 'completed' | 'interrupted' | 'failed';
  ran: number;
  skipped: number;
  failed: Array<{ cell: GridCell; reason: string }>;
  reportFile: string;
}

/**
 * Runs every cell of the grid not yet finished, each as its own `localbp train` process (its own peak RSS; a crash
 * stays in its cell), then writes report.md, results.json and one SVG figure per dataset. SIGINT/SIGTERM is passed
 * on to the running child, which checkpoints; rerunning the same command resumes.
 */
export async function runExperiment(options: RunExperimentOptions): Promise<ExperimentOutcome> {
  const { plan, out } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cells = gridCells(plan);
  const { ran, skipped, failed, stopped } = await runCells(
    cells.map((cell) => ({ cell, epochs: plan.epochs })),
    { out, cli: options.cli, reportOnly: options.reportOnly, log, describe: (c) => `${c.dataset} ${c.model} seed ${c.seed}` },
  );
  const reportFile = await writeReport(options, cells, failed);
  log(`report written to ${reportFile}`);
  const status = stopped ? 'interrupted' : failed.length ? 'failed' : 'completed';
  if (status === 'interrupted') log(`grid interrupted; rerun the same command to resume`);
  return { status, ran, skipped, failed, reportFile };
}

async function writeReport(options: RunExperimentOptions, cells: GridCell[], failed: ExperimentOutcome['failed']): Promise<string> {
  const { plan, out } = options;
  const finished: FinishedRun[] = [];
  const missing: ReportInput['missing'] = [];
  const records: CellRecord[] = [];
  for (const cell of cells) {
    const state = await inspectCell(out, cell, plan.epochs);
    if (state.kind === 'complete') {
      finished.push({ cell, summary: state.summary, resumed: state.record.resumes > 0 });
      records.push(state.record);
    } else {
      const failure = failed.find((f) => f.cell === cell);
      missing.push({ cell, reason: failure?.reason ?? (state.kind === 'resume' ? 'interrupted; a rerun resumes it from its checkpoint' : 'not run yet') });
    }
  }
  const results = aggregateResults(plan.datasets, plan.models, finished);
  const labels = new Map(EXPERIMENT_MODELS.map((m) => [m.id, m.label]));
  const figures: Record<string, string> = {};
  for (const dataset of plan.datasets) {
    const rows = results.models.filter((r) => r.dataset === dataset);
    if (!rows.length) continue;
    figures[dataset] = `accuracy-${dataset}.svg`;
    await fs.writeFile(path.join(out, figures[dataset]), accuracyFigureSvg(dataset, rows, labels));
  }
  const environment = recordedEnvironment(options.command, finished.map((r) => r.summary), records, options.versions);
  const configs: ReportInput['configs'] = [];
  for (const r of results.models) {
    const first = finished.find((f) => f.cell.dataset === r.dataset && f.cell.model === r.model)!;
    configs.push({
      dataset: r.dataset,
      model: r.model,
      config: first.summary.config ?? null,
      trainExamples: first.summary.trainExamples,
      testExamples: first.summary.testExamples,
    });
  }
  const reportFile = path.join(out, 'report.md');
  await fs.writeFile(reportFile, renderReport({ plan, environment, results, figures, missing, configs, runs: finished, notes: options.notes ?? [] }));
  const runs = finished.map(({ cell, summary, resumed }) => ({
    dataset: cell.dataset,
    model: cell.model,
    seed: cell.seed,
    dir: cell.dir,
    resumed,
    status: summary.status,
    testAccuracy: summary.testAccuracy,
    epochAccuracy: summary.epochAccuracy,
    epochSeconds: summary.epochSeconds,
    peakTensorBytes: summary.peakTensorBytes,
    peakRssBytes: summary.peakRssBytes,
    parameters: summary.parameters,
    trainExamples: summary.trainExamples,
    testExamples: summary.testExamples,
  }));
  const json = { plan, environment, results, runs, missing: missing.map((m) => ({ dir: m.cell.dir, reason: m.reason })) };
  await fs.writeFile(path.join(out, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  return reportFile;
}
