import { tf, type StagedModel } from '@localbp/core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { exportPartState, importPartState, type PackedPartState } from './part-state-transfer';
import { packTensor, transferList } from './packed-tensor';
import type { PipelineBatch, PipelineSync, StagePipeline, StagePipelineOptions } from './pipeline-launcher';
import type { StageParts } from './stage-plan';
import type { StageBatchMessage, StageFlowMessage, StageReport, StageWorkerSetup } from './stage-messages';

/** A stage's worker failed or died: names the stage and its parts. */
export class PipelineStageError extends Error {
  override readonly name = 'PipelineStageError';
}

// The built worker lies next to the bundle (dist/pipeline/); from sources (tests), use the built one.
function stageWorkerFile(): URL {
  const candidates = [new URL('./pipeline/stage-worker.js', import.meta.url), new URL('./stage-worker.js', import.meta.url), new URL('../../dist/pipeline/stage-worker.js', import.meta.url)];
  const found = candidates.find((url) => existsSync(fileURLToPath(url)));
  if (!found) throw new Error(`the pipeline worker is not built (looked for ${candidates.map((u) => fileURLToPath(u)).join(', ')}): run pnpm build`);
  return found;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * Cells that train at the same time: each stage of contiguous parts runs in its own worker thread
 * with its own engine, and the latents of batch t flow to stage k+1 while stage k trains batch t+1.
 * Every stage trains on the latent its lower neighbour emitted before its own update: the same math
 * as the `simultaneous` schedule on one thread, bit for bit. The main thread's model is brought up to
 * date at every `sync`, so evaluation and checkpoints see a consistent cut.
 */
export class TrainingPipeline implements StagePipeline {
  private readonly workers: Worker[] = [];
  private readonly pendingLosses = new Map<number, { losses: Record<string, number>; reports: number }>();
  private readonly completed: Array<{ index: number; losses: Record<string, number> }> = [];
  private doneWaiter: Waiter<{ index: number; losses: Record<string, number> }> | null = null;
  private syncWaiter: ({ id: number; remaining: number; busy: number[]; states: PackedPartState[] } & Waiter<PipelineSync>) | null = null;
  private readyWaiter: { remaining: number } & Waiter<void> | null = null;
  private failure: PipelineStageError | null = null;
  private nextSyncId = 1;
  private closed = false;
  private stagePeaks: number[];

  private constructor(
    private readonly model: StagedModel,
    readonly stages: readonly StageParts[],
  ) {
    this.stagePeaks = stages.map(() => 0);
  }

  /** Starts one worker per stage with the model's current state; resolves when every stage is ready. */
  static async start(model: StagedModel, options: StagePipelineOptions): Promise<TrainingPipeline> {
    const parts = model.units.length + 1;
    const covered = options.stages.flatMap((s) => Array.from({ length: s.last - s.first + 1 }, (_, i) => s.first + i));
    if (covered.length !== parts || covered.some((p, i) => p !== i)) {
      throw new RangeError(`pipeline stages must cover parts 0..${parts - 1} in order, got ${JSON.stringify(options.stages)}`);
    }
    const pipeline = new TrainingPipeline(model, options.stages);
    const file = stageWorkerFile();
    const channels: MessageChannel[] = options.stages.slice(1).map(() => new MessageChannel());
    const ready = new Promise<void>((resolve, reject) => {
      pipeline.readyWaiter = { remaining: options.stages.length, resolve, reject };
    });
    options.stages.forEach((stage, k) => {
      const setup: StageWorkerSetup = {
        stage: k,
        stages: options.stages.length,
        first: stage.first,
        last: stage.last,
        modelConfig: JSON.parse(JSON.stringify(model.config)) as StageWorkerSetup['modelConfig'],
        data: { imageShape: [...model.data.imageShape], numClasses: model.data.numClasses },
        backend: options.backend,
        plugins: [...(options.plugins ?? [])],
      };
      const state = exportPartState(model, Array.from({ length: stage.last - stage.first + 1 }, (_, i) => stage.first + i));
      const upstream: MessagePort | undefined = k > 0 ? channels[k - 1]!.port2 : undefined;
      const downstream: MessagePort | undefined = k < channels.length ? channels[k]!.port1 : undefined;
      const ports = [upstream, downstream].filter((p): p is MessagePort => p !== undefined);
      const worker = new Worker(file, {
        workerData: { setup, state, ...(upstream ? { upstream } : {}), ...(downstream ? { downstream } : {}) },
        transferList: [...ports, state.values.buffer as ArrayBuffer],
        // tfjs and the engine keep their own heaps: the default young-generation limit is plenty.
        stderr: false,
      });
      worker.on('message', (report: StageReport) => pipeline.onReport(report));
      worker.on('error', (error) => pipeline.fail(k, error.message));
      worker.on('exit', (code) => {
        if (!pipeline.closed) pipeline.fail(k, `its worker exited (code ${code})`);
      });
      pipeline.workers.push(worker);
    });
    try {
      await ready;
    } catch (error) {
      await pipeline.close();
      throw error;
    }
    return pipeline;
  }

  /** Sends one batch into the first stage; it returns at once. */
  feed(batch: PipelineBatch): void {
    this.throwIfFailed();
    const input = packTensor(batch.xs);
    const ys = packTensor(batch.ys);
    const message: StageBatchMessage = { type: 'batch', index: batch.index, step: batch.step, scale: batch.scale, units: [...batch.units], head: batch.head, input, readouts: [], ys, carried: {} };
    this.pendingLosses.set(batch.index, { losses: {}, reports: 0 });
    this.workers[0]!.postMessage(message satisfies StageFlowMessage, transferList([input, ys]));
  }

  /** The next batch every stage has finished, in feeding order, with the losses of all stages. */
  nextDone(): Promise<{ index: number; losses: Record<string, number> }> {
    this.throwIfFailed();
    const ready = this.completed.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      this.doneWaiter = { resolve, reject };
    });
  }

  /**
   * Waits until every stage is past every batch fed so far and collects each stage's weights and optimizer state;
   * `apply()` on the result copies them into the main thread's model.
   */
  async sync(options: { weightsOnly?: boolean } = {}): Promise<PipelineSync> {
    this.throwIfFailed();
    if (this.syncWaiter) throw new Error('a pipeline sync is already in flight');
    const id = this.nextSyncId++;
    const done = new Promise<PipelineSync>((resolve, reject) => {
      this.syncWaiter = { id, remaining: this.stages.length, busy: this.stages.map(() => 0), states: [], resolve, reject };
    });
    this.workers[0]!.postMessage({ type: 'sync', id, weightsOnly: options.weightsOnly ?? false } satisfies StageFlowMessage);
    return done;
  }

  /** Ends every worker; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private describe(stage: number): string {
    const parts = this.stages[stage];
    if (!parts) return `stage ${stage + 1}`;
    const names = Array.from({ length: parts.last - parts.first + 1 }, (_, i) => {
      const part = parts.first + i;
      return part === this.model.units.length ? 'head' : this.model.units[part]!.id;
    });
    return `pipeline stage ${stage + 1} of ${this.stages.length} (${names.join(', ')})`;
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private fail(stage: number, message: string): void {
    if (this.failure || this.closed) return;
    this.failure = new PipelineStageError(`${this.describe(stage)} failed: ${message}`);
    this.doneWaiter?.reject(this.failure);
    this.syncWaiter?.reject(this.failure);
    this.readyWaiter?.reject(this.failure);
    this.doneWaiter = null;
    this.syncWaiter = null;
    this.readyWaiter = null;
    void this.close();
  }

  private onReport(report: StageReport): void {
    switch (report.type) {
      case 'ready':
        if (this.readyWaiter && --this.readyWaiter.remaining === 0) {
          this.readyWaiter.resolve();
          this.readyWaiter = null;
        }
        return;
      case 'failed':
        this.fail(report.stage, report.message);
        return;
      case 'done': {
        const entry = this.pendingLosses.get(report.index);
        if (!entry) return;
        Object.assign(entry.losses, report.losses);
        if (++entry.reports < this.stages.length) return;
        this.pendingLosses.delete(report.index);
        const finished = { index: report.index, losses: entry.losses };
        if (this.doneWaiter) {
          const waiter = this.doneWaiter;
          this.doneWaiter = null;
          waiter.resolve(finished);
        } else {
          this.completed.push(finished);
        }
        return;
      }
      case 'state': {
        const waiter = this.syncWaiter;
        if (!waiter || waiter.id !== report.id) return;
        waiter.states[report.stage] = report.state;
        this.stagePeaks[report.stage] = report.peakTensorBytes;
        waiter.busy[report.stage] = report.busySeconds;
        if (--waiter.remaining > 0) return;
        this.syncWaiter = null;
        // Every stage's state at once: a callback never sees some stages updated and others not.
        let applied = false;
        const apply = () => {
          if (applied) return;
          applied = true;
          waiter.states.forEach((state, stage) => {
            try {
              importPartState(this.model, state);
            } catch (error) {
              throw new PipelineStageError(`${this.describe(stage)} failed: its state could not be read back: ${error instanceof Error ? error.message : String(error)}`);
            }
          });
        };
        waiter.resolve({ peakTensorBytes: this.stagePeaks.reduce((a, b) => a + b, 0), busySeconds: waiter.busy, apply });
        return;
      }
    }
  }
}
