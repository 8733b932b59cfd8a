import * as tf from '@tensorflow/tfjs';

/**
 * How a cell's ReLU units fired on a batch, measured before any normalization (after a layer norm exact
 * zeros never occur, so only the raw ReLU output shows dead units).
 */
export interface UnitActivity {
  /** Mean fraction of zero ReLU outputs over the batch: examples × positions × units. */
  readonly zeroFraction: number;
  /** Units (channels of a conv cell) that output zero for every example and position of the batch. */
  readonly deadUnits: number;
  /** Units measured. */
  readonly units: number;
}

/** Per unit (last axis), the fraction of a ReLU output's entries that are non-zero, over every other axis. */
export function firingRate(activated: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const units = activated.shape[activated.rank - 1]!;
    return tf.mean(tf.cast(tf.greater(tf.reshape(activated, [-1, units]), 0), 'float32'), 0) as tf.Tensor1D;
  });
}

/** Reads per-unit firing rates (`Cell.unitActivity`) into a `UnitActivity`; disposes `rates`. */
export function summarizeFiringRates(rates: tf.Tensor1D): UnitActivity {
  try {
    const values = rates.dataSync();
    let fired = 0;
    let dead = 0;
    for (const r of values) {
      fired += r;
      if (r === 0) dead++;
    }
    return { zeroFraction: values.length ? 1 - fired / values.length : 0, deadUnits: dead, units: values.length };
  } finally {
    rates.dispose();
  }
}

/** A cell's `UnitActivity` on a batch, or undefined when the cell does not measure it (no ReLU latent). */
export function measureUnitActivity(cell: { unitActivity?(input: tf.Tensor): tf.Tensor1D | null }, input: tf.Tensor): UnitActivity | undefined {
  const rates = cell.unitActivity?.(input) ?? null;
  return rates ? summarizeFiringRates(rates) : undefined;
}
