import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerNorm } from './layer-norm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layerNorm', () => {
  it('matches tf.layers.layerNormalization', () => {
    const x = tf.randomNormal([5, 12], 3, 2, 'float32', 7);
    const gamma = tf.randomUniform([12], 0.5, 1.5, 'float32', 1);
    const beta = tf.randomUniform([12], -1, 1, 'float32', 2);
    const ours = layerNorm(x, gamma, beta);
    const layer = tf.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
    layer.apply(x);
    layer.setWeights([gamma, beta]);
    const reference = layer.apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, gamma, beta, ours, reference]);
    layer.dispose();
  });
});
