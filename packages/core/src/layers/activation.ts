import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/** The activations cells and heads accept. */
export const activationSchema = z.enum(['relu', 'leaky-relu', 'tanh', 'sigmoid', 'linear', 'gelu']);
/** One of `activationSchema`'s names. */
export type ActivationName = z.infer<typeof activationSchema>;

/** Applies an activation by name (gelu: the tanh approximation). */
export function applyActivation(x: tf.Tensor, activation: ActivationName): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'leaky-relu':
      // Slope 0.2, the usual choice in GAN discriminators (keeps gradients for negative inputs).
      return tf.leakyRelu(x, 0.2);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu':
      // tanh approximation: wasm has no erf-based GELU kernel.
      return tf.tidy(() =>
        tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
      );
    case 'linear':
      return x;
  }
}

/**
 * The built-in tf.layers activation computing the same function, for exports. tfjs 4.22 cannot deserialize its
 * tanh-approximated `gelu_new` (it looks up "geluNew"), and its `gelu` is the erf form: our gelu has no equivalent.
 */
export function layersActivation(activation: ActivationName): 'relu' | 'tanh' | 'sigmoid' | 'linear' {
  if (activation === 'gelu') throw new Error('the gelu activation (tanh approximation) has no tf.layers equivalent to export');
  if (activation === 'leaky-relu') throw new Error('the leaky-relu activation has no tf.layers activation equivalent to export');
  return activation;
}
