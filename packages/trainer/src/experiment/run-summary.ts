import { z } from 'zod';

/** The part of a `localbp train` summary.json that the experiment reads (it crosses a process boundary). */
export const runSummarySchema = z
  .object({
    model: z.string(),
    dataset: z.string(),
    backend: z.string(),
    status: z.enum(['completed', 'interrupted']),
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
    parameters: z.number().int(),
    versions: z.record(z.string(), z.string()),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/** A validated `summary.json` of one `localbp train` run. */
export type RunSummary = z.infer<typeof runSummarySchema>;

/** A summary of a run that trained every epoch it was asked for and was evaluated after each. */
export function isCompleteRun(summary: RunSummary, epochs: number): boolean {
  return (
    summary.status === 'completed' &&
    summary.epochs === epochs &&
    summary.testAccuracy !== null &&
    summary.epochSeconds.length === epochs &&
    summary.epochAccuracy.length === epochs
  );
}
