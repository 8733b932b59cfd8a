/** Numeric logs in tfjs' style: `loss/cell-1`, `loss/head`, `testAccuracy`, … */
export type Logs = Record<string, number>;

export interface CellLogs extends Logs {
  epoch: number;
  /** Mean local loss of the cell over the epoch (first update's loss). */
  loss: number;
}

/**
 * tfjs-style hooks (`onEpochEnd`, `onBatchEnd`, …) plus cell-level ones. Any hook may be async;
 * the trainer awaits it.
 */
export interface TrainerCallbacks {
  /** Before the first batch. */
  onTrainBegin?(logs: Logs): void | Promise<void>;
  /** After the last batch, or when the run is interrupted. */
  onTrainEnd?(logs: Logs): void | Promise<void>;
  /** When a schedule phase starts (the separate schedule has one per cell and one for the head). */
  onPhaseBegin?(phase: { index: number; name: string; epochs: number; batchesPerEpoch: number }): void | Promise<void>;
  /** Before an epoch's first batch. */
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  /** After an epoch, with its mean losses and test accuracy when evaluated. */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  /** Before a mini-batch. */
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  /** After a mini-batch, with its losses (`loss/<unit id>`, `loss/head`). */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** When a cell starts training in a phase. */
  onCellBegin?(cell: { index: number; id: string; type: string }, logs: Logs): void | Promise<void>;
  /** After each epoch in which the cell trained, with its mean local loss. */
  onCellEnd?(cell: { index: number; id: string; type: string }, logs: CellLogs): void | Promise<void>;
}

/** Runs several callback sets in order. */
export function combineCallbacks(list: readonly TrainerCallbacks[]): Required<TrainerCallbacks> {
  const run =
    <K extends keyof TrainerCallbacks>(key: K) =>
    async (...args: Parameters<NonNullable<TrainerCallbacks[K]>>): Promise<void> => {
      for (const cb of list) {
        const fn = cb[key] as ((...a: typeof args) => void | Promise<void>) | undefined;
        if (fn) await fn.apply(cb, args);
      }
    };
  return {
    onTrainBegin: run('onTrainBegin'),
    onTrainEnd: run('onTrainEnd'),
    onPhaseBegin: run('onPhaseBegin'),
    onEpochBegin: run('onEpochBegin'),
    onEpochEnd: run('onEpochEnd'),
    onBatchBegin: run('onBatchBegin'),
    onBatchEnd: run('onBatchEnd'),
    onCellBegin: run('onCellBegin'),
    onCellEnd: run('onCellEnd'),
  };
}
