import * as tf from '@tensorflow/tfjs';

/**
 * Runs `body` and returns how many tensors it left alive. Plugin authors assert this is 0 for
 * anything that should be self-contained (a step, an evaluation).
 */
export async function countLeakedTensors(body: () => unknown | Promise<unknown>): Promise<number> {
  const before = tf.memory().numTensors;
  await body();
  return tf.memory().numTensors - before;
}
