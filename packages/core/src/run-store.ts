/**
 * Where runs are recorded: one row per run, scalar points, image/checkpoint artifacts and free-form
 * events. Implementations live elsewhere (SQLite in `@localbp/trainer/run-store`); the dashboard
 * reads through this interface only.
 */

export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** Every `RunStatus`. */
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'interrupted', 'failed'];

/** Any JSON value: what configs, payloads and metadata in the store may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One run as the store holds it: identity, command, config, backend, status and times. */
export interface RunRecord {
  readonly id: string;
  readonly name: string;
  /** The command line that started the run. */
  readonly command: string;
  /** Resolved configuration (model, fit, data); JSON. */
  readonly config: { [key: string]: JsonValue };
  readonly backend: string;
  readonly versions: Readonly<Record<string, string>>;
  /** Effective status: a `running` row whose process is gone or silent reads `interrupted`. */
  readonly status: RunStatus;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly pid: number | null;
  readonly host: string | null;
  /** Last sign of life of the writing process (ms since the epoch). */
  readonly heartbeatAt: number | null;
}

/** What `createRun` needs to record a run. */
export interface NewRun {
  /** Chosen by the store when absent. */
  id?: string;
  name: string;
  command: string;
  config: { [key: string]: JsonValue };
  backend: string;
  versions: Record<string, string>;
}

/** One scalar of a run at a step (loss, accuracy, …), optionally of one cell. */
export interface MetricPoint {
  readonly runId: string;
  /** Global optimizer step (or round for federated runs). */
  readonly step: number;
  readonly epoch: number;
  /** Unit the value belongs to (`cell-1`, `layer-2`), null for model-wide values. */
  readonly cell: string | null;
  /** e.g. `loss/cell-1`, `goodness/pos/layer-1`, `testAccuracy`. */
  readonly key: string;
  /** null for non-finite values (NaN loss): kept so a diverging run shows where it diverged. */
  readonly value: number | null;
  /** Milliseconds since the epoch. */
  readonly wallTime: number;
}

/** A stored point with its row id, which orders points across runs and resumes live streams. */
export interface StoredMetricPoint extends MetricPoint {
  readonly id: number;
}

/** What an artifact holds: reconstructions, samples, FF samples, or a checkpoint reference. */
export type ArtifactKind = 'reconstruction' | 'samples' | 'ff-samples' | 'checkpoint';

/** Every `ArtifactKind`. */
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['reconstruction', 'samples', 'ff-samples', 'checkpoint'];

/** An artifact to store (image bytes or a reference) for a run at a step. */
export interface NewArtifact {
  readonly runId: string;
  readonly step: number;
  readonly epoch: number;
  readonly cell: string | null;
  readonly kind: ArtifactKind;
  readonly mime: string;
  /** Inline content (image grids); or `path` for large files kept on disk (checkpoints). */
  readonly bytes?: Uint8Array;
  readonly path?: string;
}

/** A stored artifact's metadata (its bytes come from `readArtifact`). */
export interface ArtifactRecord {
  readonly id: number;
  readonly runId: string;
  readonly step: number;
  readonly epoch: number;
  readonly cell: string | null;
  readonly kind: ArtifactKind;
  readonly mime: string;
  readonly path: string | null;
  /** Size of the inline content in bytes (0 when only a path is stored). */
  readonly size: number;
  readonly wallTime: number;
}

/** A free-form event of a run (an error, a federation round) to store. */
export interface NewRunEvent {
  readonly runId: string;
  /** e.g. `federation-round`, `error`. */
  readonly kind: string;
  readonly payload: JsonValue;
}

/** A stored run event with its id and time. */
export interface RunEvent extends NewRunEvent {
  readonly id: number;
  readonly wallTime: number;
}

/** Highest row ids seen; what a live reader passes back to get only what is new. */
export interface StoreCursor {
  readonly metric: number;
  readonly artifact: number;
  readonly event: number;
}

/** What `changesSince` returns: new rows of every table and the cursor to continue from. */
export interface StoreChanges {
  readonly metrics: StoredMetricPoint[];
  readonly artifacts: ArtifactRecord[];
  readonly events: RunEvent[];
  readonly cursor: StoreCursor;
  /** True when `limit` cut the metrics short: ask again from `cursor`. */
  readonly more: boolean;
}

/** A store of runs, metrics, artifacts and events; the dashboard reads through it only. */
export interface RunStore {
  /** The file path or URL the store was opened on. */
  readonly location: string;
  /** Records a new run as running and returns its record. */
  createRun(run: NewRun): Promise<RunRecord>;
  /** Marks a run as running again from this process (resume). */
  reopenRun(id: string): Promise<RunRecord>;
  /** Marks a run completed, interrupted or failed. */
  finishRun(id: string, status: Exclude<RunStatus, 'running'>): Promise<void>;
  /** Records that the writing process is alive. */
  heartbeat(id: string): Promise<void>;
  /** Appends points in one transaction. */
  addMetrics(points: readonly MetricPoint[]): Promise<void>;
  /** Stores an artifact and returns its id. */
  addArtifact(artifact: NewArtifact): Promise<number>;
  /** Stores an event and returns its id. */
  addEvent(event: NewRunEvent): Promise<number>;
  /** Every run. */
  listRuns(): Promise<RunRecord[]>;
  /** One run by id, or null. */
  getRun(id: string): Promise<RunRecord | null>;
  /** A run's metric points, optionally only some keys. */
  metrics(runId: string, options?: { keys?: readonly string[] }): Promise<StoredMetricPoint[]>;
  /** A run's artifact records (without their bytes). */
  artifacts(runId: string): Promise<ArtifactRecord[]>;
  /** An artifact's record and bytes, or null. */
  readArtifact(id: number): Promise<{ record: ArtifactRecord; bytes: Uint8Array } | null>;
  /** A run's events, optionally of one kind. */
  events(runId: string, options?: { kind?: string }): Promise<RunEvent[]>;
  /** The current end of every table, where a live reader starts. */
  cursor(): Promise<StoreCursor>;
  /** Rows written after `cursor`, over all runs, oldest first. */
  changesSince(cursor: StoreCursor, limit?: number): Promise<StoreChanges>;
  /** Closes the store. */
  close(): Promise<void>;
}

/** Event kind the federation server writes once per round; the dashboard's federation view reads it. */
export const FEDERATION_ROUND_EVENT = 'federation-round';

/** Payload of a `federation-round` event. */
export interface FederationRoundPayload {
  round: number;
  /** Global model's test accuracy after aggregation, when evaluated. */
  testAccuracy: number | null;
  clients: Array<{
    clientId: string;
    participated: boolean;
    /** Units whose updates the client sent. */
    cells: string[];
    examples: number | null;
    /** Client's mean local loss this round. */
    loss: number | null;
    /** Set when the server refused the client's update. */
    rejected?: { code: string; reason: string };
  }>;
}
