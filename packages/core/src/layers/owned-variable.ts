import * as tf from '@tensorflow/tfjs';

/**
 * A variable that takes over its initial value: tf.variable shares the initializer's buffer but
 * keeps the initializer's handle alive, so tf.memory() would count every weight twice (and the
 * handle would leak). Disposing the handle keeps the data, owned by the variable.
 */
export function ownedVariable(initial: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(initial, trainable);
  initial.dispose();
  return v;
}
