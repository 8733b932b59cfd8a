import { spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { GridCell } from './experiment-plan';
import { federateRunSummarySchema, lastJsonObject } from './federate-run-summary';
import { inspectCell, inspectFederateCell, writeCellRecord, type CellRecord } from './grid-cell-state';
import { machineInfo } from './machine-info';

/** One run to make: a grid cell, the epochs its summary must show, or why it cannot run here. */
export interface CellJob {
  cell: GridCell;
  /** Epochs a complete `train` summary has (unused for `federate` cells). */
  epochs: number;
  /** Why this run cannot be made with what was given (e.g. its dataset's files); it is then reported missing. */
  blocked?: string;
}

/** Options of `runCells`. */
export interface RunCellsOptions {
  out: string;
  /** How to start `localbp`: the Node binary and the CLI script. */
  cli: { node: string; script: string };
  /** Train nothing: only look at what has finished. */
  reportOnly?: boolean;
  log: (line: string) => void;
  /** How progress lines name a cell (default: its directory). */
  describe?: (cell: GridCell) => string;
}

/** What `runCells` did. */
export interface CellsOutcome {
  ran: number;
  skipped: number;
  failed: Array<{ cell: GridCell; reason: string }>;
  /** Interrupted by SIGINT/SIGTERM. */
  stopped: boolean;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  lastError: string;
}

/** The log file of a cell's process inside its directory. */
export function cellLogName(cell: GridCell): string {
  return cell.kind === 'federate' ? 'federate.log' : 'train.log';
}

/** Whether a cell is complete, resumable (train runs with a checkpoint) or fresh. */
async function cellState(out: string, job: CellJob) {
  return job.cell.kind === 'federate' ? inspectFederateCell(out, job.cell) : inspectCell(out, job.cell, job.epochs);
}

/**
 * Makes every run not yet finished, each as its own `localbp` process (its own peak RSS; a crash stays in its cell).
 * SIGINT/SIGTERM is passed on to the running child, which checkpoints; rerunning resumes.
 */
export async function runCells(jobs: readonly CellJob[], options: RunCellsOptions): Promise<CellsOutcome> {
  const { out, log } = options;
  // Refuse a directory holding other settings before training anything.
  const states = new Map<CellJob, Awaited<ReturnType<typeof cellState>>>();
  for (const job of jobs) states.set(job, await cellState(out, job));
  await fs.mkdir(out, { recursive: true });

  let stopped = false;
  let child: ReturnType<typeof spawn> | null = null;
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    stopped = true;
    if (interrupts === 1) log('interrupt: stopping once the current run has written its checkpoint (Ctrl-C again to quit at once)');
    child?.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const failed: CellsOutcome['failed'] = [];
  let ran = 0;
  let skipped = 0;
  try {
    for (const [i, job] of jobs.entries()) {
      const { cell } = job;
      const tag = `[${i + 1}/${jobs.length}] ${options.describe?.(cell) ?? cell.dir}`;
      const state = states.get(job)!;
      if (state.kind === 'complete') {
        skipped++;
        log(`${tag}: already complete, not rerun`);
        continue;
      }
      if (options.reportOnly || stopped || job.blocked) continue;
      const dir = path.join(out, cell.dir);
      const load = os.loadavg()[0]!;
      const dataArgs = cell.dataArgs?.length ? { dataArgs: cell.dataArgs } : {};
      const record: CellRecord =
        state.kind === 'resume'
          ? { ...state.record, ...dataArgs, resumes: state.record.resumes + 1, loadAverages: [...state.record.loadAverages, load], machine: machineInfo() }
          : { dataset: cell.dataset, model: cell.model, seed: cell.seed, trainArgs: cell.trainArgs, resumes: 0, loadAverages: [load], ...dataArgs, machine: machineInfo() };
      await writeCellRecord(out, cell, record);
      const args =
        state.kind === 'resume'
          ? ['train', '--resume', dir, '--json']
          : [...cell.trainArgs, ...(cell.dataArgs ?? []), ...(cell.kind === 'federate' ? [] : ['--out', dir]), '--json'];
      log(`${tag}: ${state.kind === 'resume' ? 'resuming from its checkpoint' : cell.kind === 'federate' ? 'simulating' : 'training'}: localbp ${args.join(' ')}`);
      const started = performance.now();
      const logFile = path.join(dir, cellLogName(cell));
      const proc = spawn(options.cli.node, [options.cli.script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const result = await followChild(proc, logFile, (line) => log(`  ${tag} | ${line}`));
      child = null;
      ran++;
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      if (result.code === 0) {
        if (cell.kind === 'federate') await saveFederateSummary(logFile, path.join(dir, 'summary.json'));
        const after = await cellState(out, job);
        if (after.kind === 'complete') {
          log(`${tag}: done in ${seconds} s, test accuracy ${((after.summary.testAccuracy ?? 0) * 100).toFixed(2)}%`);
          continue;
        }
        failed.push({ cell, reason: 'exited 0 without a complete summary' });
      } else if (result.code === 130 && stopped) {
        log(`${tag}: interrupted after ${seconds} s; ${cell.kind === 'federate' ? 'a rerun starts it again' : `its checkpoint is in ${dir}`}`);
      } else {
        const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
        failed.push({ cell, reason: `${how}${result.lastError ? `: ${result.lastError}` : ''} (log: ${path.join(cell.dir, cellLogName(cell))})` });
        log(`${tag}: FAILED (${how})${result.lastError ? `: ${result.lastError}` : ''}`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { ran, skipped, failed, stopped };
}

/** `federate simulate` has no run directory: its `--json` summary (the log's last JSON line) becomes summary.json. */
async function saveFederateSummary(logFile: string, summaryFile: string): Promise<void> {
  const parsed = federateRunSummarySchema.safeParse(lastJsonObject(await fs.readFile(logFile, 'utf8')));
  if (parsed.success) await fs.writeFile(summaryFile, `${JSON.stringify(parsed.data, null, 2)}\n`);
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
