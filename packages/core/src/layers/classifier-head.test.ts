import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassifierHead, classifierHeadSchema } from './classifier-head';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function head(dropout: number): ClassifierHead {
  return new ClassifierHead({
    inputUnits: 20,
    numClasses: 4,
    config: classifierHeadSchema.parse({ hidden: [16], dropout }),
    optimizer: { type: 'adamw', learningRate: 1e-3, weightDecay: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    seed: 5,
  });
}

describe('ClassifierHead dropout', () => {
  const features = tf.randomNormal([8, 20], 0, 1, 'float32', 1);
  const labels = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');

  it('drops units only in the training loss, reproducibly per seed', () => {
    const plain = head(0);
    const dropped = head(0.5);
    const plainLoss = plain.loss(features, labels, { seed: 1 }).dataSync()[0]!;
    const a = dropped.loss(features, labels, { seed: 1 }).dataSync()[0]!;
    const b = dropped.loss(features, labels, { seed: 1 }).dataSync()[0]!;
    const c = dropped.loss(features, labels, { seed: 2 }).dataSync()[0]!;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBeCloseTo(plainLoss, 6);
    // Same weights (same seed), so inference is identical: dropout never touches logits().
    expect(Array.from(dropped.logits(features).dataSync())).toEqual(Array.from(plain.logits(features).dataSync()));
    plain.dispose();
    dropped.dispose();
  });

  it('leaves no tensors behind', () => {
    const dropped = head(0.3);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) dropped.loss(features, labels, { seed: s }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    dropped.dispose();
  });

  it('rejects a rate of 1 or more', () => {
    expect(() => classifierHeadSchema.parse({ hidden: [], dropout: 1 })).toThrow();
    expect(classifierHeadSchema.parse({ hidden: [] }).dropout).toBe(0);
  });
});
