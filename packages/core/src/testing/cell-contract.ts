import * as tf from '@tensorflow/tfjs';
import type { Cell, LocalLossContext } from '../cell';

/** What `checkCellContract` measured; assert on it in a plugin's tests. */
export interface CellContractReport {
  latentShape: number[];
  lossBefore: number;
  lossAfter: number;
  leakedTensors: number;
  /** Named weights whose value changed during training. */
  changedVariables: number;
}

/**
 * What every cell must do, plugin cells included: encode to its declared latent shape, train
 * with only its own variables, lower its loss on a fixed batch, and leak no tensors.
 */
export function checkCellContract(cell: Cell, input: tf.Tensor, steps = 20): CellContractReport {
  const context = (step: number): LocalLossContext => ({ step, emitLatent: () => undefined, probe: () => undefined });
  const lossOf = () => tf.tidy(() => cell.updates()[0]!.loss(input, context(0)).dataSync()[0]!);
  const lossBefore = lossOf();
  const trainStep = (s: number) => {
    for (const update of cell.updates()) {
      update.optimizer.minimize(() => update.loss(input, context(s)), false, update.variables())?.dispose();
    }
  };
  // The first step creates optimizer slots that live as long as the cell: count from after it.
  trainStep(0);
  const before = tf.memory().numTensors;
  const latent = cell.encode(input);
  const latentShape = latent.shape.slice(1);
  latent.dispose();
  if (latentShape.join('x') !== cell.latentShape.join('x')) {
    throw new Error(`${cell.id}: encode gave latent [${latentShape.join(', ')}], declared [${cell.latentShape.join(', ')}]`);
  }
  const snapshot = cell.namedWeights().map((w) => w.tensor.clone());
  for (let s = 1; s < steps; s++) trainStep(s);
  const lossAfter = lossOf();
  const changedVariables = cell
    .namedWeights()
    .filter((w, i) => tf.tidy(() => tf.any(tf.notEqual(w.tensor, snapshot[i]!)).dataSync()[0] === 1)).length;
  tf.dispose(snapshot);
  const leakedTensors = tf.memory().numTensors - before;
  return { latentShape, lossBefore, lossAfter, leakedTensors, changedVariables };
}
