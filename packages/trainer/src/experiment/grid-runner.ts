import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { aggregateResults, type FinishedRun } from './aggregate-results';
import { accuracyFigureSvg } from './accuracy-figure';
import { EXPERIMENT_MODELS } from './experiment-models';
import { gridCells, type ExperimentPlan, type GridCell } from './experiment-plan';
import { inspectCell, writeCellRecord, type CellRecord } from './grid-cell-state';
import { machineInfo } from './machine-info';
import { spread } from './summary-statistics';
import { renderReport, type ReportInput } from './render-report';

/** Options of `runExperiment`. */
export interface RunExperimentOptions {
  plan: ExperimentPlan;
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

/** What `runExperiment` did: runs trained, skipped and failed, and where the report is. */
export interface ExperimentOutcome {
  status: 'completed' | 'interrupted' | 'failed';
  ran: number;
  skipped: number;
  failed: Array<{ cell: GridCell; reason: string }>;
  reportFile: string;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  lastError: string;
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
  // Refuse a directory holding other settings before training anything.
  const states = new Map<GridCell, Awaited<ReturnType<typeof inspectCell>>>();
  for (const cell of cells) states.set(cell, await inspectCell(out, cell, plan.epochs));
  await fs.mkdir(out, { recursive: true });

  let stopping = false;
  let child: ReturnType<typeof spawn> | null = null;
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    stopping = true;
    if (interrupts === 1) log('interrupt: stopping once the current run has written its checkpoint (Ctrl-C again to quit at once)');
    child?.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const failed: ExperimentOutcome['failed'] = [];
  let ran = 0;
  let skipped = 0;
  try {
    for (const [i, cell] of cells.entries()) {
      const tag = `[${i + 1}/${cells.length}] ${cell.dataset} ${cell.model} seed ${cell.seed}`;
      const state = states.get(cell)!;
      if (state.kind === 'complete') {
        skipped++;
        log(`${tag}: already complete, not rerun`);
        continue;
      }
      if (options.reportOnly || stopping) continue;
      const dir = path.join(out, cell.dir);
      const load = os.loadavg()[0]!;
      const record: CellRecord =
        state.kind === 'resume'
          ? { ...state.record, resumes: state.record.resumes + 1, loadAverages: [...state.record.loadAverages, load] }
          : { dataset: cell.dataset, model: cell.model, seed: cell.seed, trainArgs: cell.trainArgs, resumes: 0, loadAverages: [load] };
      await writeCellRecord(out, cell, record);
      const args = state.kind === 'resume' ? ['train', '--resume', dir, '--json'] : [...cell.trainArgs, '--out', dir, '--json'];
      log(`${tag}: ${state.kind === 'resume' ? 'resuming from its checkpoint' : 'training'}: localbp ${args.join(' ')}`);
      const started = performance.now();
      const proc = spawn(options.cli.node, [options.cli.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const result = await followChild(proc, path.join(dir, 'train.log'), (line) => log(`  ${tag} | ${line}`));
      child = null;
      ran++;
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      if (result.code === 0) {
        const after = await inspectCell(out, cell, plan.epochs);
        if (after.kind === 'complete') {
          log(`${tag}: done in ${seconds} s, test accuracy ${((after.summary.testAccuracy ?? 0) * 100).toFixed(2)}%`);
          continue;
        }
        failed.push({ cell, reason: 'exited 0 without a complete summary.json' });
      } else if (result.code === 130 && stopping) {
        log(`${tag}: interrupted after ${seconds} s; its checkpoint is in ${dir}`);
      } else {
        const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
        failed.push({ cell, reason: `${how}${result.lastError ? `: ${result.lastError}` : ''} (log: ${path.join(cell.dir, 'train.log')})` });
        log(`${tag}: FAILED (${how})${result.lastError ? `: ${result.lastError}` : ''}`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const reportFile = await writeReport(options, cells, failed);
  log(`report written to ${reportFile}`);
  const status = stopping ? 'interrupted' : failed.length ? 'failed' : 'completed';
  if (status === 'interrupted') log(`grid interrupted; rerun the same command to resume`);
  return { status, ran, skipped, failed, reportFile };
}

/** Streams a child's stdout and stderr to its log file, relays stderr lines, and resolves when it exits. */
function followChild(proc: ReturnType<typeof spawn>, logFile: string, relay: (line: string) => void): Promise<ChildResult> {
  const file = createWriteStream(logFile, { flags: 'a' });
  let lastError = '';
  proc.stdout!.pipe(file, { end: false });
  const lines = createInterface({ input: proc.stderr! });
  lines.on('line', (line) => {
    file.write(`${line}\n`);
    relay(line);
    if (/error/i.test(line)) lastError = line.replace(/^localbp: /, '');
  });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      file.end(() => resolve({ code, signal, lastError }));
    });
  });
}

async function writeReport(options: RunExperimentOptions, cells: GridCell[], failed: ExperimentOutcome['failed']): Promise<string> {
  const { plan, out } = options;
  const finished: FinishedRun[] = [];
  const missing: ReportInput['missing'] = [];
  const loads: number[] = [];
  for (const cell of cells) {
    const state = await inspectCell(out, cell, plan.epochs);
    if (state.kind === 'complete') {
      finished.push({ cell, summary: state.summary, resumed: state.record.resumes > 0 });
      loads.push(...state.record.loadAverages);
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
  const versions: Record<string, string> = {};
  for (const run of finished) Object.assign(versions, run.summary.versions);
  Object.assign(versions, options.versions);
  const environment = {
    command: options.command,
    generatedAt: new Date().toISOString(),
    backends: [...new Set(finished.map((r) => r.summary.backend))],
    machine: machineInfo(),
    loadAverage: spread(loads),
    versions,
  };
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
