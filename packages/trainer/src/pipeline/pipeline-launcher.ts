import type { StagedModel, tf } from '@localbp/core';
import type { StageParts } from './stage-plan';

/** One batch handed to a pipeline. */
export interface PipelineBatch {
  index: number;
  step: number;
  scale: number;
  units: readonly number[];
  head: boolean;
  xs: tf.Tensor;
  ys: tf.Tensor1D;
}

/** Stages of a staged model training at the same time; what `LocalTrainer` drives. */
export interface StagePipeline {
  readonly stages: readonly StageParts[];
  /** Sends one batch into the first stage; returns at once. */
  feed(batch: PipelineBatch): void;
  /** The next batch every stage has finished, in feeding order, with the losses of all stages. */
  nextDone(): Promise<{ index: number; losses: Record<string, number> }>;
  /**
   * Waits for every batch fed so far and collects every stage's state (with `weightsOnly`, just the weights); the
   * result's `apply()` copies them into the model. Batches fed after the call keep flowing: the states are those
   * right after the last batch fed before it.
   */
  sync(options?: { weightsOnly?: boolean }): Promise<PipelineSync>;
  close(): Promise<void>;
}

/** What a sync reports. */
export interface PipelineSync {
  /** Peak live tensor bytes of the stages, summed. */
  peakTensorBytes: number;
  /** Seconds each stage spent training since the previous sync. */
  busySeconds: number[];
  /** Copies every stage's state into the model at once (a callback never sees some stages updated and not others); idempotent. */
  apply(): void;
}

/** How a pipeline is started. */
export interface StagePipelineOptions {
  /** Parts per stage, contiguous and in order: units, then the classifier as the last part. */
  stages: readonly StageParts[];
  /** The engine every stage uses (the main thread's, so results match it bit for bit). */
  backend: string;
  /** Plugin sources every stage loads before building the model. */
  plugins?: readonly string[];
}

/** Starts a pipeline for a model: worker threads under Node. */
export type PipelineLauncher = (model: StagedModel, options: StagePipelineOptions) => Promise<StagePipeline>;

let launcher: PipelineLauncher | null = null;

/** Installs the pipeline implementation; the Node entry of this package installs worker threads. */
export function registerPipelineLauncher(next: PipelineLauncher): void {
  launcher = next;
}

/** The installed pipeline implementation, or null where there is none (browser bundles). */
export function pipelineLauncher(): PipelineLauncher | null {
  return launcher;
}
