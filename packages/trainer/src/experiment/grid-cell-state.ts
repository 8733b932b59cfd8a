import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ExperimentError } from './experiment-error';
import type { GridCell } from './experiment-plan';
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
  })
  .strict();

/** What a grid cell's directory records about its run (validated on read). */
export type CellRecord = z.infer<typeof cellRecordSchema>;

/** Where a grid cell stands: complete (with its summary), resumable from its checkpoint, or fresh. */
export type CellState =
  | { kind: 'complete'; summary: RunSummary; record: CellRecord }
  | { kind: 'resume'; record: CellRecord }
  | { kind: 'fresh' };

/** File name of a grid cell's record inside its run directory. */
export const CELL_RECORD = 'experiment-cell.json';

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ExperimentError(`${file} is unreadable (${err instanceof Error ? err.message : String(err)}); delete its directory to rerun that run`);
  }
}

/**
 * Whether a grid cell is finished (a complete summary), can continue from its checkpoint, or starts afresh.
 * A directory made with other `localbp train` arguments is an error: its results would be mislabelled.
 */
export async function inspectCell(outDir: string, cell: GridCell, epochs: number): Promise<CellState> {
  const dir = path.join(outDir, cell.dir);
  const recordFile = path.join(dir, CELL_RECORD);
  if (!existsSync(recordFile)) return { kind: 'fresh' };
  const parsed = cellRecordSchema.safeParse(await readJson(recordFile));
  if (!parsed.success) throw new ExperimentError(`${recordFile} is not an experiment cell record: ${parsed.error.issues[0]?.message}`);
  const record = parsed.data;
  if (JSON.stringify(record.trainArgs) !== JSON.stringify(cell.trainArgs)) {
    throw new ExperimentError(
      `${dir} was trained with other settings (localbp ${record.trainArgs.join(' ')}); ` +
        'rerun with the same flags or choose another --out',
    );
  }
  const summaryFile = path.join(dir, 'summary.json');
  if (existsSync(summaryFile)) {
    const summary = runSummarySchema.safeParse(await readJson(summaryFile));
    if (summary.success && isCompleteRun(summary.data, epochs)) return { kind: 'complete', summary: summary.data, record };
  }
  return existsSync(path.join(dir, 'checkpoint.json')) ? { kind: 'resume', record } : { kind: 'fresh' };
}

export async function writeCellRecord(outDir: string, cell: GridCell, record: CellRecord): Promise<void> {
  const dir = path.join(outDir, cell.dir);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, CELL_RECORD), `${JSON.stringify(record, null, 2)}\n`);
}
