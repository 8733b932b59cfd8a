import { loadNativeAddon } from './native-addon';

// Per thread: each pipeline stage reports its own state once per change, never twice in a row.
let idle = false;

/**
 * Tells the addon this thread (a pipeline stage) is waiting for its next batch (`true`) or has work again
 * (`false`). While a stage waits, a helper thread may run blocks of the other stages' matrix products and AdamW
 * steps on its core. Blocks are cut by shape alone, so results do not depend on who runs them.
 */
export function setStageIdle(next: boolean): void {
  if (next === idle) return;
  loadNativeAddon().shareIdle(next ? 1 : -1);
  idle = next;
}

/** How many blocks helper threads have run in this process: how much core sharing happened. */
export function helpedBlocks(): number {
  return loadNativeAddon().helpedBlocks();
}
