import type { FederationErrorCode } from '../protocol/federation-error';

/** One client's part in a round, as recorded and reported. */
export interface ClientRoundReport {
  clientId: string;
  /** Whether an update of this client was aggregated. */
  participated: boolean;
  /** Units it was asked to train. */
  cells: string[];
  examples: number;
  /** Mean training loss of the last unit it trained (`loss/head` when it trained the head). */
  loss: number | null;
  rejected?: { code: FederationErrorCode; reason: string };
  /** Selected but stopped answering before the round closed. */
  vanished?: boolean;
  /** The update came from an earlier round (accepted within the staleness bound). */
  staleness?: number;
  /** Where bounded influence changed this client's update: its counted examples or clipped delta, per unit. */
  bounded?: Array<{ unit: string; declaredExamples?: number; countedExamples?: number; deltaNorm?: number; clippedTo?: number; droppedCosine?: number }>;
}

/** What a completed round produced: persisted with the round and printed by the CLI. */
export interface RoundReport {
  round: number;
  /** Tries it took (a round without quorum is retried with a new sample). */
  attempt: number;
  testAccuracy: number | null;
  seconds: number;
  /** Seconds spent aggregating, validating excluded. */
  aggregationSeconds: number;
  versions: Record<string, number>;
  clients: ClientRoundReport[];
}
