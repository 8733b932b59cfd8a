import type { FederationRoundPayload, JsonValue, MetricPoint, NewArtifact, NewRun, RunStatus, RunStore } from '@localbp/core';
import { z } from 'zod';

const federationRoundSchema = z.object({
  round: z.number().int().nonnegative(),
  testAccuracy: z.number().min(0).max(1).nullable(),
  clients: z.array(
    z.object({
      clientId: z.string().min(1),
      participated: z.boolean(),
      cells: z.array(z.string()),
      examples: z.number().int().nonnegative().nullable(),
      loss: z.number().nullable(),
      rejected: z.object({ code: z.string().min(1), reason: z.string() }).optional(),
    }),
  ),
});

/** Options of a `RunWriter`. */
export interface RunWriterOptions {
  /** Flush once this many points wait. Default 500. */
  flushEvery?: number;
  /** Flush (and beat the heart) at least this often while the run lives. Default 2000 ms. */
  flushIntervalMs?: number;
  /** Called when a background flush fails; the points stay buffered and are retried. Default: one line on stderr. */
  onError?: (error: unknown) => void;
}

/** Where a metric value belongs: global step, epoch and, for per-cell values, the cell. */
export interface MetricPosition {
  step: number;
  epoch: number;
  cell?: string | null;
}

/**
 * Writes one run into a `RunStore`: points are buffered and written in one transaction every
 * `flushEvery` points or `flushIntervalMs`, so a killed run loses at most that much; a timer keeps
 * the run's heartbeat fresh so readers can tell a live run from a dead one.
 */
export class RunWriter {
  private buffer: MetricPoint[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  private finished = false;
  private readonly flushEvery: number;
  private readonly onError: (error: unknown) => void;
  private reported = false;

  private constructor(
    readonly store: RunStore,
    readonly runId: string,
    options: RunWriterOptions,
  ) {
    this.flushEvery = Math.max(1, options.flushEvery ?? 500);
    this.onError =
      options.onError ??
      ((error) => {
        if (this.reported) return;
        this.reported = true;
        process.stderr.write(`localbp: warning: cannot write to run store ${store.location}: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    this.timer = setInterval(() => {
      this.flush(true).catch(this.onError);
    }, Math.max(10, options.flushIntervalMs ?? 2000));
    // The timer must not keep a finished CLI process alive.
    this.timer.unref();
  }

  /** Records a new run (status `running`) and returns its writer. */
  static async begin(store: RunStore, run: NewRun, options: RunWriterOptions = {}): Promise<RunWriter> {
    const record = await store.createRun(run);
    return new RunWriter(store, record.id, options);
  }

  /** Continues a recorded run (after `--resume`): status back to `running`, new points appended. */
  static async resume(store: RunStore, runId: string, options: RunWriterOptions = {}): Promise<RunWriter> {
    await store.reopenRun(runId);
    return new RunWriter(store, runId, options);
  }

  /** Buffers one scalar; NaN and infinities are stored as null. */
  log(key: string, value: number, at: MetricPosition): void {
    if (this.finished) return;
    this.buffer.push({
      runId: this.runId,
      step: at.step,
      epoch: at.epoch,
      cell: at.cell ?? null,
      key,
      value: Number.isFinite(value) ? value : null,
      wallTime: Date.now(),
    });
    if (this.buffer.length >= this.flushEvery) this.flush().catch(this.onError);
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes buffered points in one transaction (flushes run one after another). */
  flush(heartbeat = false): Promise<void> {
    const next = this.chain.then(async () => {
      const points = this.buffer;
      this.buffer = [];
      try {
        await this.store.addMetrics(points);
      } catch (err) {
        this.buffer = [...points, ...this.buffer];
        throw err;
      }
      if (heartbeat && !this.finished) await this.store.heartbeat(this.runId);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Stores an artifact of this run. */
  async artifact(artifact: Omit<NewArtifact, 'runId'>): Promise<number> {
    return this.store.addArtifact({ ...artifact, runId: this.runId });
  }

  /** Stores an event of this run. */
  async event(kind: string, payload: JsonValue): Promise<number> {
    return this.store.addEvent({ runId: this.runId, kind, payload });
  }

  /**
   * Records one federated round (the dashboard's federation view): the validated `federation-round`
   * event, and the global accuracy as `testAccuracy` at step = round for the runs table and charts.
   */
  async federationRound(payload: FederationRoundPayload): Promise<number> {
    const round = federationRoundSchema.parse(payload);
    if (round.testAccuracy !== null) this.log('testAccuracy', round.testAccuracy, { step: round.round, epoch: round.round });
    // Zod's output is plain JSON data (no undefined values survive JSON.stringify).
    return this.event('federation-round', round as unknown as JsonValue);
  }

  /** Flushes everything and records the final status. */
  async finish(status: Exclude<RunStatus, 'running'>): Promise<void> {
    if (this.finished) return;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      this.finished = true;
      await this.store.finishRun(this.runId, status);
    }
  }
}
