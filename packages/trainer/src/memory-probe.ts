import { tf } from '@localbp/core';

/**
 * High-water mark of live tensor bytes (`tf.memory().numBytes`), sampled inside every local loss
 * closure (when a cell's activations are alive) and after every update.
 */
export class MemoryProbe {
  private peak = 0;

  /** Records the current tensor memory if it is a new peak. */
  sample(): void {
    const bytes = tf.memory().numBytes;
    if (bytes > this.peak) this.peak = bytes;
  }

  get peakBytes(): number {
    return this.peak;
  }
}
