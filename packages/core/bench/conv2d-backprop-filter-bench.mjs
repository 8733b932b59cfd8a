#!/usr/bin/env node
// Seconds per training step of a small conv autoencoder (28x28x1, conv 32/64
// stride 2, two conv2dTranspose back, Adam) on wasm vs cpu. The wasm figure
// depends on the Conv2DBackpropFilter kernel that @localbp/core registers.
//
// Usage (after `pnpm --filter @localbp/core build`):
//   node bench/conv2d-backprop-filter-bench.mjs [--batch 64] [--steps 3]
//        [--cpu-batch 8] [--skip-cpu] [--json]
// cpu takes ~13 s per batch-64 step, so by default it runs batch 8 and scales
// linearly to --batch (conv cost is linear in the batch size).
import { parseArgs } from 'node:util';
import { benchmarkConvTrainingStep } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '3' },
    'cpu-batch': { type: 'string', default: '8' },
    'skip-cpu': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const batchSize = Number(values.batch);
const steps = Number(values.steps);
const cpuBatch = Math.min(Number(values['cpu-batch']), batchSize);

const rows = [];
const wasm = await benchmarkConvTrainingStep('wasm', { batchSize, steps });
rows.push({ backend: 'wasm', measuredBatch: batchSize, secondsPerStep: wasm.secondsPerStep, scaled: false });
// The native engine where @localbp/native's addon is built; skipped with its one-line reason otherwise.
try {
  const native = await benchmarkConvTrainingStep('native', { batchSize, steps });
  rows.push({ backend: 'native', measuredBatch: batchSize, secondsPerStep: native.secondsPerStep, scaled: false });
} catch (error) {
  console.log(`native skipped: ${error instanceof Error ? error.message : String(error)}`);
}
if (!values['skip-cpu']) {
  const cpu = await benchmarkConvTrainingStep('cpu', { batchSize: cpuBatch, steps: Math.min(steps, 2) });
  rows.push({
    backend: 'cpu',
    measuredBatch: cpuBatch,
    secondsPerStep: cpu.secondsPerSample * batchSize,
    scaled: cpuBatch !== batchSize,
  });
}

if (values.json) {
  console.log(JSON.stringify({ batchSize, steps, results: rows }, null, 2));
} else {
  console.log(`conv autoencoder training step, batch ${batchSize}`);
  for (const r of rows) {
    const note = r.scaled ? ` (measured at batch ${r.measuredBatch}, scaled)` : '';
    console.log(`  ${r.backend.padEnd(5)} ${r.secondsPerStep.toFixed(3)} s/step${note}`);
  }
  const [w, c] = rows;
  if (w && c) console.log(`  wasm is ${(c.secondsPerStep / w.secondsPerStep).toFixed(1)}x faster than cpu`);
}
