import { deriveSeed, isStagedModel, tf, type StagedModel, type TrainableModel, type TrainingUnit } from '@localbp/core';
import { batches, countBatches, type LabeledSplit } from '@localbp/datasets';
import { createModel } from './model-factory';
import { measurePartCosts } from './pipeline/measure-part-costs';
import { planStages, type StageParts } from './pipeline/stage-plan';
import { pipelineLauncher, type PipelineSync, type StagePipeline } from './pipeline/pipeline-launcher';
import { evaluateAccuracy } from './evaluate-accuracy';
import { augmentImages, augments } from './image-augmentation';
import { applyLearningRateScale, learningRateScale } from './learning-rate-schedule';
import { MemoryProbe } from './memory-probe';
import { scheduleByName, type Schedule, type TrainingPhase } from './schedule';
import { combineCallbacks, type Logs, type TrainerCallbacks } from './trainer-callbacks';
import { fitOptionsSchema, type FitOptions, type FitOptionsInput } from './training-config';
import { yieldToEventLoop } from './yield-to-event-loop';

/** Where training stands; enough to continue exactly from a checkpoint. */
export interface TrainingProgress {
  phase: number;
  /** Epoch within the phase. */
  epoch: number;
  /** Next batch to run within that epoch. */
  batch: number;
  /** Global optimizer step (seeds noise). */
  step: number;
  /** Epochs finished over all phases. */
  epochsDone: number;
}

/** Where a fresh run starts: first phase, epoch, batch and step. */
export const START: TrainingProgress = { phase: 0, epoch: 0, batch: 0, step: 0, epochsDone: 0 };

/** One finished epoch: phase, seconds, mean losses and (when evaluated) test accuracy. */
export interface EpochRecord {
  epoch: number;
  phase: string;
  seconds: number;
  losses: Record<string, number>;
  testAccuracy?: number;
  /** Test accuracy of each of the model's alternative inference modes, keyed `testAccuracy/<mode>`. */
  metrics?: Record<string, number>;
  /** Set when the epoch was resumed mid-way: `seconds` and `losses` cover batches from here on. */
  resumedAtBatch?: number;
}

/** What `fit` returns: completed or interrupted, the epochs, accuracy, per-cell losses and peak memory. */
export interface FitResult {
  status: 'completed' | 'interrupted';
  progress: TrainingProgress;
  epochs: EpochRecord[];
  peakTensorBytes: number;
  /** Mean local loss of each unit (cell or FF layer) in the last epoch it trained. */
  cellLosses: number[];
  testAccuracy?: number;
  /** How the units were split over worker threads, when they trained in a pipeline. */
  pipeline?: PipelinePlan;
}

/** Cells that train at the same time: how many worker threads, and on which engine. */
export interface PipelineRunOptions {
  /** Worker threads (stages) to use; 1 trains on the calling thread. Capped at the model's parts (units + classifier). */
  workers: number;
  /** The engine every worker uses: give the one the calling thread trains on. */
  backend: string;
  /** Plugin sources the workers load before building the model. */
  plugins?: readonly string[];
  /**
   * Bring the calling thread's model up to date every this many steps, before that step's
   * `onBatchEnd`, for callbacks that read the model mid-epoch (a run recorder's latent statistics).
   * Each sync drains the pipeline once. Default 0: only at epoch ends and interrupts.
   */
  syncEvery?: number;
  /** Called once the stages are planned, before the workers start. */
  onPlan?: (plan: PipelinePlan) => void;
}

/** The stages a pipeline ran: parts per stage and the measured seconds per step of every part. */
export interface PipelinePlan {
  stages: Array<StageParts & { parts: string[] }>;
  partSeconds: number[];
  /** Seconds each stage spent training, over the whole fit: near the epoch time when the stages keep their cores busy. */
  busySeconds: number[];
}

/** Options of `LocalTrainer.fit`: fit options plus data, callbacks, cancellation and resume state. */
export interface FitRunOptions extends Omit<FitOptionsInput, 'schedule'> {
  callbacks?: TrainerCallbacks | TrainerCallbacks[];
  /** Aborting finishes the current batch, then `fit` returns with status `interrupted`. */
  signal?: AbortSignal;
  /** Resume point (from a checkpoint). */
  from?: TrainingProgress;
  /** Earlier epoch records, carried over on resume. */
  history?: EpochRecord[];
  test?: LabeledSplit;
  /** Called after every finished epoch and on interrupt with the point to resume from, e.g. to write a checkpoint. */
  onProgress?: (progress: TrainingProgress, history: EpochRecord[]) => Promise<void>;
  schedule?: FitOptions['schedule'] | Schedule;
  /**
   * Train contiguous stages of units in parallel worker threads. Only models that split into stages
   * (LBP) and phases that train every unit and the classifier together (`simultaneous`) use it;
   * the results are bit-identical to training on one thread.
   */
  pipeline?: PipelineRunOptions;
}

const EVAL_BATCH = 1000;

/** A schedule asked of a model that cannot follow it (e.g. `separate` for end-to-end BP). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/**
 * Trains any `TrainableModel` (LBP stack, FF network, BP baseline) through schedules, callbacks,
 * resumable progress and per-step memory sampling. What a step does is the model's business; for
 * LBP that is local updates only, no gradient crossing cells.
 */
export class LocalTrainer {
  private readonly probe = new MemoryProbe();
  private warnedUnscalable = false;
  private pipelinePeakBytes = 0;
  private warnedNoPipeline = false;
  private pipelineSyncEvery = 0;
  private pipelinePlan: PipelinePlan | undefined;

  constructor(readonly model: TrainableModel) {}

  /** Peak live tensor bytes: this thread's, plus every pipeline stage's own peak. */
  get peakTensorBytes(): number {
    return this.probe.peakBytes + this.pipelinePeakBytes;
  }

  /** Trains on `train` with the schedule, callbacks and checkpoints asked for; resolves when done or interrupted. */
  async fit(train: LabeledSplit, options: FitRunOptions): Promise<FitResult> {
    const { callbacks, signal, from, test, onProgress, history, schedule: scheduleOpt, pipeline: pipelineOptions, ...rest } = options;
    const fitOptions = fitOptionsSchema.parse({
      ...rest,
      ...(typeof scheduleOpt === 'string' ? { schedule: scheduleOpt } : {}),
    });
    const schedule = typeof scheduleOpt === 'object' ? scheduleOpt : scheduleByName(fitOptions.schedule);
    const cb = combineCallbacks(callbacks ? (Array.isArray(callbacks) ? callbacks : [callbacks]) : []);
    const phases = schedule.phases(this.model.units.length, fitOptions.epochs);
    // An end-to-end model can follow any schedule whose every phase trains all of it (simultaneous, a federated task).
    const unitCount = this.model.units.length;
    if (!this.model.separable && !phases.every((p) => p.head && p.cells.length === unitCount && new Set(p.cells).size === unitCount)) {
      throw new ScheduleError(
        `a ${this.model.kind} model trains end to end; schedule "${schedule.name}" needs separately trainable units`,
      );
    }
    const progress: TrainingProgress = { ...(from ?? START) };
    const records: EpochRecord[] = [...(history ?? [])];
    const batchesPerEpoch = countBatches(train.count, fitOptions.batchSize, false);
    const cellLosses = this.model.units.map(() => Number.NaN);
    for (const r of records) this.model.units.forEach((c, i) => {
      const l = r.losses[`loss/${c.id}`];
      if (l !== undefined) cellLosses[i] = l;
    });

    // A model fitted before under a decaying schedule would otherwise keep its last factor.
    if (fitOptions.lrSchedule.type === 'constant') applyLearningRateScale(this.model, 1);
    await cb.onTrainBegin({ epochs: fitOptions.epochs, batchesPerEpoch, trainExamples: train.count });
    let pipeline: StagePipeline | null = null;
    try {
      for (; progress.phase < phases.length; progress.phase++, progress.epoch = 0) {
        const phase = phases[progress.phase]!;
        await pipeline?.close();
        pipeline = pipelineOptions && this.pipelines(phase, pipelineOptions) ? await this.tryStartPipeline(train, fitOptions, pipelineOptions) : null;
        await cb.onPhaseBegin({ index: progress.phase, name: phase.name, epochs: phase.epochs, batchesPerEpoch });
        for (; progress.epoch < phase.epochs; progress.epoch++, progress.batch = 0) {
          const interrupted = await this.runEpoch(train, phase, progress, fitOptions, batchesPerEpoch, cb, signal, records, cellLosses, test, pipeline);
          if (interrupted) {
            await onProgress?.({ ...progress }, records);
            return this.result('interrupted', progress, records, cellLosses);
          }
          // Each finished epoch is a resume point: crash-safe progress for long runs.
          const lastOfPhase = progress.epoch + 1 >= phase.epochs;
          await onProgress?.(
            lastOfPhase
              ? { ...progress, phase: progress.phase + 1, epoch: 0, batch: 0 }
              : { ...progress, epoch: progress.epoch + 1, batch: 0 },
            records,
          );
        }
      }
    } finally {
      await pipeline?.close();
    }
    const finalAccuracy = records.at(-1)?.testAccuracy;
    await cb.onTrainEnd({ peakTensorBytes: this.peakTensorBytes, ...(finalAccuracy !== undefined ? { testAccuracy: finalAccuracy } : {}) });
    return this.result('completed', progress, records, cellLosses);
  }

  private result(status: FitResult['status'], progress: TrainingProgress, epochs: EpochRecord[], cellLosses: number[]): FitResult {
    const last = [...epochs].reverse().find((e) => e.testAccuracy !== undefined);
    return {
      status,
      progress: { ...progress },
      epochs,
      peakTensorBytes: this.peakTensorBytes,
      cellLosses,
      ...(this.pipelinePlan ? { pipeline: this.pipelinePlan } : {}),
      ...(last?.testAccuracy !== undefined ? { testAccuracy: last.testAccuracy } : {}),
    };
  }

  /** Whether `phase` runs through worker threads: a staged model, more than one worker, every unit and the classifier at once. */
  private pipelines(phase: TrainingPhase, options: PipelineRunOptions): boolean {
    const unitCount = this.model.units.length;
    return (
      options.workers > 1 &&
      isStagedModel(this.model) &&
      phase.head &&
      phase.cells.length === unitCount &&
      new Set(phase.cells).size === unitCount
    );
  }

  /** A pipeline that cannot start (a model the workers cannot rebuild, a plugin they cannot load) falls back to one thread. */
  private async tryStartPipeline(train: LabeledSplit, options: FitOptions, pipeline: PipelineRunOptions): Promise<StagePipeline | null> {
    try {
      return await this.startPipeline(train, options, pipeline);
    } catch (err) {
      this.pipelinePlan = undefined;
      console.warn(`localbp: the cells cannot train in worker threads here (${err instanceof Error ? err.message : String(err)}); training on one thread`);
      return null;
    }
  }

  /** Measures each part's step on a scratch copy, balances the stages, and starts their workers. */
  private async startPipeline(train: LabeledSplit, options: FitOptions, pipeline: PipelineRunOptions): Promise<StagePipeline | null> {
    const model = this.model as StagedModel;
    const launch = pipelineLauncher();
    this.pipelineSyncEvery = pipeline.syncEvery ?? 0;
    if (!launch) {
      if (!this.warnedNoPipeline) console.warn('localbp: cells train in parallel only under Node (worker threads); training on one thread');
      this.warnedNoPipeline = true;
      return null;
    }
    const scratch = createModel({ ...model.config }, model.data);
    let partSeconds: number[];
    try {
      if (!isStagedModel(scratch)) throw new Error(`a copy of the ${model.kind} model cannot be split into stages`);
      const first = batches(train, { batchSize: options.batchSize, shuffle: false, seed: 0, epoch: 0, flatten: false, dropLast: false, startBatch: 0 }).next();
      if (first.done) throw new Error('pipeline: the training split is empty');
      try {
        partSeconds = await measurePartCosts(scratch, first.value.xs, first.value.ys);
      } finally {
        first.value.xs.dispose();
        first.value.ys.dispose();
      }
    } finally {
      scratch.dispose();
    }
    const stages = planStages(partSeconds, pipeline.workers);
    const partName = (part: number) => (part === model.units.length ? 'head' : model.units[part]!.id);
    this.pipelinePlan = {
      stages: stages.map((s) => ({ ...s, parts: Array.from({ length: s.last - s.first + 1 }, (_, i) => partName(s.first + i)) })),
      partSeconds,
      busySeconds: stages.map(() => 0),
    };
    pipeline.onPlan?.(this.pipelinePlan);
    return launch(model, { stages, backend: pipeline.backend, ...(pipeline.plugins ? { plugins: pipeline.plugins } : {}) });
  }

  /** Returns true when interrupted (the current batch finished and `progress` points past it). */
  private async runEpoch(
    train: LabeledSplit,
    phase: TrainingPhase,
    progress: TrainingProgress,
    options: FitOptions,
    batchesPerEpoch: number,
    cb: Required<TrainerCallbacks>,
    signal: AbortSignal | undefined,
    records: EpochRecord[],
    cellLosses: number[],
    test: LabeledSplit | undefined,
    pipeline: StagePipeline | null,
  ): Promise<boolean> {
    const epochNumber = progress.epochsDone;
    const resumedAtBatch = progress.batch;
    const started = performance.now();
    const sums = new Map<string, { sum: number; n: number }>();
    const cells = phase.cells.map((i) => this.model.units[i]!);
    await cb.onEpochBegin(epochNumber, { phase: progress.phase, phaseEpoch: progress.epoch });
    for (const [k, cell] of cells.entries()) await cb.onCellBegin(describe(cell, phase.cells[k]!), { epoch: epochNumber });

    const iterator = batches(train, {
      batchSize: options.batchSize,
      shuffle: true,
      seed: deriveSeed(this.model.config.seed, 77, progress.phase),
      epoch: progress.epoch,
      flatten: false,
      dropLast: false,
      startBatch: progress.batch,
    });
    const accumulate = (losses: Logs) => {
      for (const [key, value] of Object.entries(losses)) {
        const s = sums.get(key) ?? { sum: 0, n: 0 };
        s.sum += value;
        s.n += 1;
        sums.set(key, s);
      }
    };
    const stepScale = (batchIndex: number): number => {
      if (options.lrSchedule.type === 'constant') return 1;
      const scale = learningRateScale(options.lrSchedule, progress.epoch * batchesPerEpoch + batchIndex, phase.epochs * batchesPerEpoch);
      if (applyLearningRateScale(this.model, scale) > 0 && !this.warnedUnscalable) {
        this.warnedUnscalable = true;
        console.warn(`localbp: some optimizers of this ${this.model.kind} model have no learning-rate scale; they keep a constant rate`);
      }
      return scale;
    };
    const augmented = (xs: tf.Tensor, step: number): tf.Tensor =>
      augments(options.augment) ? augmentImages(xs as tf.Tensor4D, options.augment, deriveSeed(this.model.config.seed, 79, step)) : xs;

    if (pipeline) {
      if (await this.pipelineBatches(pipeline, iterator, phase, progress, batchesPerEpoch, epochNumber, cb, signal, accumulate, stepScale, augmented)) return true;
    } else {
      for (const batch of iterator) {
        await cb.onBatchBegin(batch.index, { size: batch.size });
        stepScale(batch.index);
        let losses: Logs;
        const xs = augmented(batch.xs, progress.step);
        try {
          losses = await this.model.trainBatch(xs, batch.ys, {
            step: progress.step,
            units: phase.cells,
            head: phase.head,
            probe: () => this.probe.sample(),
          });
          this.probe.sample();
        } finally {
          if (xs !== batch.xs) xs.dispose();
          batch.xs.dispose();
          batch.ys.dispose();
        }
        progress.step++;
        progress.batch = batch.index + 1;
        accumulate(losses);
        await cb.onBatchEnd(batch.index, { ...losses, size: batch.size, batchesPerEpoch, epoch: epochNumber });
        // Give signal handlers (Ctrl-C) a turn.
        await yieldToEventLoop();
        if (signal?.aborted && progress.batch < batchesPerEpoch) return true;
      }
    }

    const means: Record<string, number> = {};
    for (const [key, s] of sums) means[key] = s.sum / s.n;
    for (const [k, cell] of cells.entries()) {
      const index = phase.cells[k]!;
      const loss = means[`loss/${cell.id}`] ?? Number.NaN;
      cellLosses[index] = loss;
      await cb.onCellEnd(describe(cell, index), { epoch: epochNumber, loss });
    }
    const record: EpochRecord = {
      epoch: epochNumber,
      phase: phase.name,
      seconds: (performance.now() - started) / 1000,
      losses: means,
      ...(resumedAtBatch > 0 ? { resumedAtBatch } : {}),
    };
    if (phase.head && test && options.evaluateEachEpoch) {
      record.testAccuracy = evaluateAccuracy(this.model, test, EVAL_BATCH);
      const model = this.model;
      for (const mode of model.alternativeInference ?? []) {
        record.metrics = {
          ...record.metrics,
          [`testAccuracy/${mode}`]: evaluateAccuracy({ predictLogits: (x) => model.predictLogits(x, mode) }, test, EVAL_BATCH),
        };
      }
    }
    records.push(record);
    progress.epochsDone++;
    await cb.onEpochEnd(epochNumber, {
      ...means,
      seconds: record.seconds,
      ...(record.testAccuracy !== undefined ? { testAccuracy: record.testAccuracy } : {}),
      ...record.metrics,
    });
    if (signal?.aborted) {
      progress.epoch++;
      progress.batch = 0;
      if (progress.epoch >= phase.epochs) {
        progress.phase++;
        progress.epoch = 0;
      }
      return true;
    }
    return false;
  }

  /**
   * One epoch's batches through the worker pipeline: up to two batches per stage are in flight; the
   * callbacks see every batch end in order. On interrupt the batches already fed finish (a consistent
   * cut), then every stage's state is copied back. Returns true when interrupted.
   */
  private async pipelineBatches(
    pipeline: StagePipeline,
    iterator: Iterable<{ index: number; size: number; xs: tf.Tensor; ys: tf.Tensor1D }>,
    phase: TrainingPhase,
    progress: TrainingProgress,
    batchesPerEpoch: number,
    epochNumber: number,
    cb: Required<TrainerCallbacks>,
    signal: AbortSignal | undefined,
    accumulate: (losses: Logs) => void,
    stepScale: (batchIndex: number) => number,
    augmented: (xs: tf.Tensor, step: number) => tf.Tensor,
  ): Promise<boolean> {
    const depth = 2 * pipeline.stages.length;
    const sizes = new Map<number, number>();
    const next = async () => {
      const done = await pipeline.nextDone();
      progress.batch = done.index + 1;
      return done;
    };
    // A weights sync in flight: the state right after batch `index`, put into the model just before its onBatchEnd.
    let pendingSync: { index: number; synced: Promise<PipelineSync> } | null = null;
    const deliver = async ({ index, losses }: { index: number; losses: Logs }) => {
      const size = sizes.get(index) ?? 0;
      sizes.delete(index);
      accumulate(losses);
      if (pendingSync?.index === index) {
        const synced = await pendingSync.synced;
        pendingSync = null;
        synced.apply();
        this.noteSync(synced);
      }
      await cb.onBatchEnd(index, { ...losses, size, batchesPerEpoch, epoch: epochNumber });
    };
    const finishOne = async () => deliver(await next());
    const syncEvery = this.pipelineSyncEvery;
    let stopped = false;
    for (const batch of iterator) {
      try {
        while (sizes.size >= depth) await finishOne();
        await cb.onBatchBegin(batch.index, { size: batch.size });
        const scale = stepScale(batch.index);
        const xs = augmented(batch.xs, progress.step);
        try {
          pipeline.feed({ index: batch.index, step: progress.step, scale, units: phase.cells, head: phase.head, xs, ys: batch.ys });
        } finally {
          if (xs !== batch.xs) xs.dispose();
        }
      } finally {
        batch.xs.dispose();
        batch.ys.dispose();
      }
      sizes.set(batch.index, batch.size);
      progress.step++;
      this.probe.sample();
      if (syncEvery > 0 && progress.step % syncEvery === 0 && batch.index + 1 < batchesPerEpoch) {
        // The model this step's onBatchEnd reads must be the one after this very step. The sync queues behind this
        // batch in every stage, so later batches keep flowing meanwhile: no stage waits for it.
        while (pendingSync) await finishOne();
        pendingSync = { index: batch.index, synced: pipeline.sync({ weightsOnly: true }) };
        // Failures surface where the sync is awaited, not as an unhandled rejection.
        pendingSync.synced.catch(() => undefined);
      }
      await yieldToEventLoop();
      if (signal?.aborted && batch.index + 1 < batchesPerEpoch) {
        stopped = true;
        break;
      }
    }
    while (sizes.size > 0) await finishOne();
    await this.syncPipeline(pipeline);
    return stopped;
  }

  private async syncPipeline(pipeline: StagePipeline, options: { weightsOnly?: boolean } = {}): Promise<void> {
    const synced = await pipeline.sync(options);
    synced.apply();
    this.noteSync(synced);
  }

  private noteSync(synced: PipelineSync): void {
    this.pipelinePeakBytes = Math.max(this.pipelinePeakBytes, synced.peakTensorBytes);
    if (this.pipelinePlan) this.pipelinePlan.busySeconds = this.pipelinePlan.busySeconds.map((b, k) => b + (synced.busySeconds[k] ?? 0));
  }
}

function describe(unit: TrainingUnit, index: number): { index: number; id: string; type: string } {
  return { index, id: unit.id, type: unit.type };
}
