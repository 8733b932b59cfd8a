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
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onPhaseBegin?(phase: { index: number; name: string; epochs: number; batchesPerEpoch: number }): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
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
