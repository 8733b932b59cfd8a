import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { benchmarkConvTrainingStep } from './conv-training-benchmark';

it('times a small training step on wasm without leaking', async () => {
  await benchmarkConvTrainingStep('wasm', { batchSize: 2, steps: 1, warmupSteps: 1 });
  const before = tf.memory().numTensors;
  const result = await benchmarkConvTrainingStep('wasm', { batchSize: 2, steps: 1, warmupSteps: 0 });
  expect(result).toMatchObject({ backend: 'wasm', batchSize: 2, steps: 1 });
  expect(result.secondsPerStep).toBeGreaterThan(0);
  expect(result.secondsPerSample).toBeCloseTo(result.secondsPerStep / 2, 12);
  expect(tf.memory().numTensors).toBe(before);
});
