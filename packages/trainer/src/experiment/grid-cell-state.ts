import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ExperimentError } from './experiment-error';
import type { GridCell } from './experiment-plan';
import { federateRunSummarySchema, isCompleteFederateRun, type FederateRunSummary } from './federate-run-summary';
import { machineSchema } from './machine-info';
import { isCompleteRun, runSummarySchema, type RunSummary } from './run-summary';

/** What the runner records in each cell's directory before training it. */
export const cellRecordSchema = z
  .object({
    dataset: z.string(),
    model: z.string(),
    seed: z.number().int(),
    trainArgs: z.array(z.string()),
    /** How many times the run was continued from its checkpoint (its timings then cover only part of it). */
    resumes: z.number().int().min(0),
    /** The machine's 1-minute load average when each attempt started: timings on a shared machine need it. */
    loadAverages: z.array(z.number()).default([]),
    /** Where the data was read from on the latest attempt (not part of the run's identity). */
    dataArgs: z.array(z.string()).optional(),
    /** The machine of the latest attempt: the report states its runs' machines, not the one it is written on. */
    machine: machineSchema.optional(),
  })
  .strict();

/** What a grid cell's directory records about its run (validated on read). */
export type CellRecord = z.infer<typeof cellRecordSchema>;

/** Where a grid cell stands: complete (with its summary), resumable from its checkpoint, or fresh. */
export type CellState =
  | { kind: 'complete'; summary: RunSummary; record: CellRecord }
  | { kind: 'resume'; record: CellRecord }
  | { kind: 'fresh' };

/** Where a `federate simulate` cell stands: complete (with its summary) or to be run (it has no checkpoint). */
export type FederateCellState = { kind: 'complete'; summary: FederateRunSummary; record: CellRecord } | { kind: 'fresh' };

/** File name of a grid cell's record inside its run directory. */
export const CELL_RECORD = 'experiment-cell.json';

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ExperimentError(`${file} is unreadable (${err instanceof Error ? err.message : String(err)}); delete its directory to rerun that run`);
  }
}

/** The record in a cell's directory (null: none yet); a record made with other arguments is an error. */
async function readCellRecord(outDir: string, cell: GridCell): Promise<CellRecord | null> {
  const dir = path.join(outDir, cell.dir);
  const recordFile = path.join(dir, CELL_RECORD);
  if (!existsSync(recordFile)) return null;
  const parsed = cellRecordSchema.safeParse(await readJson(recordFile));
  if (!parsed.success) throw new ExperimentError(`${recordFile} is not an experiment cell record: ${parsed.error.issues[0]?.message}`);
  const record = parsed.data;
  if (JSON.stringify(record.trainArgs) !== JSON.stringify(cell.trainArgs)) {
    throw new ExperimentError(
      `${dir} was trained with other settings (localbp ${record.trainArgs.join(' ')}); ` +
        'rerun with the same flags or choose another --out',
    );
  }
  return record;
}

/**
 * Whether a grid cell is finished (a complete summary), can continue from its checkpoint, or starts afresh.
 * A directory made with other `localbp train` arguments is an error: its results would be mislabelled.
 */
export async function inspectCell(outDir: string, cell: GridCell, epochs: number): Promise<CellState> {
  const record = await readCellRecord(outDir, cell);
  if (!record) return { kind: 'fresh' };
  const dir = path.join(outDir, cell.dir);
  const summaryFile = path.join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const summary = runSummarySchema.safeParse(await readJson(summaryFile));
    if (summary.success && isCompleteRun(summary.data, epochs)) return { kind: 'complete', summary: summary.data, record };
  }
  return existsSync(path.join(dir, 'checkpoint.json')) ? { kind: 'resume', record } : { kind: 'fresh' };
}

/** Whether a `federate simulate` cell is finished; like `inspectCell`, other arguments in its directory are an error. */
export async function inspectFederateCell(outDir: string, cell: GridCell): Promise<FederateCellState> {
  const record = await readCellRecord(outDir, cell);
  if (!record) return { kind: 'fresh' };
  const summaryFile = path.join(outDir, cell.dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const summary = federateRunSummarySchema.safeParse(await readJson(summaryFile));
    if (summary.success && isCompleteFederateRun(summary.data)) return { kind: 'complete', summary: summary.data, record };
  }
  return { kind: 'fresh' };
}

export async function writeCellRecord(outDir: string, cell: GridCell, record: CellRecord): Promise<void> {
  const dir = path.join(outDir, cell.dir);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, CELL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
