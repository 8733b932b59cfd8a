import * as tf from '@tensorflow/tfjs';
import { resolveBackend } from './resolve-backend';

/** Sizes of the conv-autoencoder training-step benchmark. */
export interface ConvTrainingBenchmarkOptions {
  /** Samples per step (default 64). */
  batchSize?: number;
  /** Timed steps, averaged (default 3). */
  steps?: number;
  /** Untimed steps first: kernel setup and optimizer slots (default 1). */
  warmupSteps?: number;
}

/** Seconds per training step of the conv-autoencoder benchmark on one backend. */
export interface ConvTrainingBenchmarkResult {
  backend: 'native' | 'wasm' | 'cpu';
  batchSize: number;
  steps: number;
  /** Mean wall-clock seconds of one trainOnBatch step. */
  secondsPerStep: number;
  /** secondsPerStep / batchSize, for scaling a small-batch run to another batch size. */
  secondsPerSample: number;
}

/** 28x28x1 → conv 32 s2 → conv 64 s2 → convT 32 s2 → convT 1 s2, all 3x3 'same'. */
function buildConvAutoencoder(): tf.Sequential {
  const conv = { kernelSize: 3, strides: 2, padding: 'same' as const };
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, activation: 'relu', ...conv }),
      tf.layers.conv2d({ filters: 64, activation: 'relu', ...conv }),
      tf.layers.conv2dTranspose({ filters: 32, activation: 'relu', ...conv }),
      tf.layers.conv2dTranspose({ filters: 1, activation: 'sigmoid', ...conv }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

/**
 * Times training steps of a small conv autoencoder (batch 64, Adam, MSE) on the
 * given backend; the one cost that decides whether conv cells are trainable on
 * wasm. Leaves that backend active.
 */
export async function benchmarkConvTrainingStep(
  backend: 'native' | 'wasm' | 'cpu',
  opts: ConvTrainingBenchmarkOptions = {},
): Promise<ConvTrainingBenchmarkResult> {
  const batchSize = opts.batchSize ?? 64;
  const steps = opts.steps ?? 3;
  const warmupSteps = opts.warmupSteps ?? 1;
  if (!(batchSize >= 1 && steps >= 1 && warmupSteps >= 0)) {
    throw new Error(`benchmarkConvTrainingStep: need batchSize ≥ 1, steps ≥ 1, warmupSteps ≥ 0`);
  }
  await resolveBackend(backend, { quiet: true });

  const model = buildConvAutoencoder();
  const images = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, 'float32', 42);
  try {
    for (let i = 0; i < warmupSteps; i++) await model.trainOnBatch(images, images);
    const start = performance.now();
    // trainOnBatch reads the loss back, so each step has finished when it resolves.
    for (let i = 0; i < steps; i++) await model.trainOnBatch(images, images);
    const secondsPerStep = (performance.now() - start) / 1000 / steps;
    return { backend, batchSize, steps, secondsPerStep, secondsPerSample: secondsPerStep / batchSize };
  } finally {
    // model.dispose() leaves the optimizer's moment variables behind.
    model.optimizer.dispose();
    model.dispose();
    images.dispose();
  }
}
