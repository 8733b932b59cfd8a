import { z } from 'zod';

/** The part of a `localbp train` summary.json that the experiment reads (it crosses a process boundary). */
export const runSummarySchema = z
  .object({
    model: z.string(),
    dataset: z.string(),
    backend: z.string(),
    status: z.enum(['completed', 'interrupted']),
    /** Absent in runs recorded before the schedule was written to the summary (they are all simultaneous). */
    schedule: z.enum(['simultaneous', 'separate']).optional(),
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    seed: z.number().int(),
    trainExamples: z.number().int(),
    testExamples: z.number().int(),
    testAccuracy: z.number().nullable(),
    epochSeconds: z.array(z.number()),
    epochAccuracy: z.array(z.number().nullable()),
    totalSeconds: z.number(),
    peakTensorBytes: z.number(),
    peakRssBytes: z.number(),
    /** Worker threads (pipeline stages) the run trained with; absent in runs recorded before it was. */
    workers: z.number().int().positive().optional(),
    parameters: z.number().int(),
    versions: z.record(z.string(), z.string()),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/** A validated `summary.json` of one `localbp train` run. */
export type RunSummary = z.infer<typeof runSummarySchema>;

/**
 * A summary of a run that trained every epoch it was asked for and was evaluated after each. Under the separate
 * schedule every phase (each cell, then the classifier) trains `epochs` epochs, so the summary has a multiple of them.
 */
export function isCompleteRun(summary: RunSummary, epochs: number): boolean {
  const records = summary.epochSeconds.length;
  const phases = summary.schedule === 'separate' ? records / epochs : 1;
  return (
    summary.status === 'completed' &&
    summary.epochs === epochs &&
    summary.testAccuracy !== null &&
    Number.isInteger(phases) &&
    phases >= 1 &&
    records === epochs * phases &&
    summary.epochAccuracy.length === records
  );
}

/** Test accuracy after each epoch of the classifier's training (for the separate schedule: its last phase). */
export function classifierEpochAccuracy(summary: RunSummary): Array<number | null> {
  return summary.schedule === 'separate' ? summary.epochAccuracy.slice(-summary.epochs) : summary.epochAccuracy;
}
