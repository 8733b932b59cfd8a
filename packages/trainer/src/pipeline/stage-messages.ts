import { z } from 'zod';
import type { PackedPartState } from './part-state-transfer';
import type { PackedTensor } from './packed-tensor';

/** What a stage worker is started with (validated on arrival: it crosses a thread boundary). */
export const stageWorkerSetupSchema = z
  .object({
    stage: z.number().int().min(0),
    stages: z.number().int().positive(),
    /** Parts this stage trains: units `first..last`, the classifier when `last` is the unit count. */
    first: z.number().int().min(0),
    last: z.number().int().min(0),
    /** The model's own config and data shape: the worker builds the same model from them. */
    modelConfig: z.object({ model: z.string(), seed: z.number().int() }).passthrough(),
    data: z.object({ imageShape: z.array(z.number().int().positive()), numClasses: z.number().int().positive() }),
    /** The engine the main thread trains on; every stage uses the same one, so results match bit for bit. */
    backend: z.string(),
    /** Plugins to load before the model is built (their recorded sources). */
    plugins: z.array(z.string()),
  })
  .strict();

export type StageWorkerSetup = z.infer<typeof stageWorkerSetupSchema>;

/** One mini-batch on its way through the pipeline. */
export interface StageBatchMessage {
  type: 'batch';
  /** Batch index within the epoch. */
  index: number;
  /** Global optimizer step. */
  step: number;
  /** Learning-rate factor of every optimizer for this step. */
  scale: number;
  /** Cells that update in this step (the others only encode). */
  units: number[];
  head: boolean;
  /** Images for the first stage, else the latent of the unit below. */
  input: PackedTensor;
  readouts: PackedTensor[];
  ys: PackedTensor;
  /** What the stage below passed on besides its latent (`StageResult.carried`). */
  carried: Record<string, PackedTensor>;
}

/** Ends a stretch of batches: every stage, once past all earlier batches, reports its state. */
export interface StageSyncMessage {
  type: 'sync';
  id: number;
  /** Weights only (for callbacks that read the model mid-epoch); checkpoints need the optimizers' state too. */
  weightsOnly: boolean;
}

/** What flows from one stage to the next. */
export type StageFlowMessage = StageBatchMessage | StageSyncMessage;

/** The coordinator's first message to a worker: its state and its neighbours' ports. */
export interface StageStartMessage {
  type: 'start';
  state: PackedPartState;
}

/** What workers tell the coordinator. */
export type StageReport =
  | { type: 'ready'; stage: number }
  | { type: 'done'; stage: number; index: number; losses: Record<string, number> }
  | { type: 'state'; stage: number; id: number; state: PackedPartState; peakTensorBytes: number; busySeconds: number }
  | { type: 'failed'; stage: number; message: string; stack?: string };
