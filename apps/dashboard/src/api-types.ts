import type { ArtifactRecord, RunEvent, RunRecord, StoredMetricPoint } from '@localbp/core';

/** One row of the runs table: the run plus what the table derives from its config and metrics. */
export interface RunSummary extends RunRecord {
  model: string;
  dataset: string;
  /** Milliseconds from start to end (or to the last heartbeat while running). */
  durationMs: number;
  bestTestAccuracy: number | null;
  lastTestAccuracy: number | null;
}

/** A run's points, column by column (compact for 100k-point series). */
export interface MetricColumns {
  runId: string;
  id: number[];
  key: string[];
  cell: Array<string | null>;
  step: number[];
  epoch: number[];
  wallTime: number[];
  value: Array<number | null>;
}

export interface RunDetail {
  run: RunSummary;
  artifacts: ArtifactRecord[];
}

/** Data of the `changes` server-sent event. */
export interface ChangesMessage {
  metrics: StoredMetricPoint[];
  artifacts: ArtifactRecord[];
  events: RunEvent[];
}

/** Data of the `runs` server-sent event. */
export interface RunsMessage {
  runs: RunSummary[];
}

export type { ArtifactRecord, RunEvent, StoredMetricPoint };
