import { z } from 'zod';

/** The part of `localbp federate simulate --json`'s summary that the experiment reads (it crosses a process boundary). */
export const federateRunSummarySchema = z
  .object({
    mode: z.string(),
    dataset: z.string(),
    aggregator: z.string(),
    backend: z.string(),
    totalRounds: z.number().int().positive(),
    completedRounds: z.number().int().min(0),
    testAccuracy: z.number().nullable(),
    /** Test accuracy after each round (null where a round did not evaluate, e.g. while cells train). */
    roundAccuracy: z.array(z.number().nullable()),
    totalSeconds: z.number(),
  })
  .passthrough();

/** A validated summary of one `localbp federate simulate` run. */
export type FederateRunSummary = z.infer<typeof federateRunSummarySchema>;

/** A federated run that completed every round and was evaluated at the end. */
export function isCompleteFederateRun(summary: FederateRunSummary): boolean {
  return summary.completedRounds === summary.totalRounds && summary.testAccuracy !== null && summary.roundAccuracy.length === summary.totalRounds;
}

/** The summary a `federate simulate --json` run printed: the last line of its output that is a JSON object. */
export function lastJsonObject(output: string): unknown {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
