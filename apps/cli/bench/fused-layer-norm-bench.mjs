// Milliseconds per training step of the main job's model (3 ae cells x 1000, 512-unit head, batch 128) on the native
// engine with its fused layer-norm kernels and without them (the composed tfjs ops), in ONE process: blocks of steps
// alternate between the two, so the shared machine's slow and fast phases hit both alike. A benchmark, not a test.
//
//   node apps/cli/bench/fused-layer-norm-bench.mjs [--blocks=12] [--block=8]
import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { NATIVE_KERNELS, registerNativeKernels } from '@localbp/native';
import { LbpModel, LocalTrainer } from '@localbp/trainer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const blocks = Number(args.get('blocks') ?? 12);
const block = Number(args.get('block') ?? 8);
const warmup = 4;

try {
  await resolveBackend('native', { quiet: true });
} catch (error) {
  console.log(`native engine unavailable: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(0);
}
const WITHOUT = NATIVE_KERNELS.filter((k) => !k.startsWith('LocalbpLayerNorm'));
const mnist = loadDataset('mnist');
const model = LbpModel.create({ cells: [{ type: 'ae' }, { type: 'ae' }, { type: 'ae' }], width: 1000, seed: 1 }, { imageShape: mnist.info.imageShape, numClasses: 10 });
const trainer = new LocalTrainer(model);
const steps = warmup + blocks * block;
const times = { fused: [], composed: [] };
let mode = 'fused';
let started = 0;
await trainer.fit(subset(mnist.train, steps * 128), {
  epochs: 1,
  batchSize: 128,
  evaluateEachEpoch: false,
  callbacks: {
    onBatchBegin: (b) => {
      // Blocks alternate fused, composed, composed, fused, ...: neither always goes first.
      const k = Math.floor(Math.max(0, b - warmup) / block);
      mode = (k % 4 === 0 || k % 4 === 3) ? 'fused' : 'composed';
      registerNativeKernels({ kernels: mode === 'fused' ? NATIVE_KERNELS : WITHOUT });
      started = performance.now();
    },
    onBatchEnd: (b) => {
      if (b >= warmup) times[mode].push(performance.now() - started);
    },
  },
});
registerNativeKernels();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`main job's model, native engine, batch 128, ${blocks} alternating blocks of ${block} steps (after ${warmup} warm-up steps), one process`);
console.log('| layer norm | steps | mean ms/step | median ms/step |');
console.log('| --- | ---: | ---: | ---: |');
for (const m of ['composed', 'fused']) console.log(`| ${m} | ${times[m].length} | ${mean(times[m]).toFixed(1)} | ${median(times[m]).toFixed(1)} |`);
console.log(`fused vs composed: ${(mean(times.composed) / mean(times.fused)).toFixed(2)}x (means), ${(median(times.composed) / median(times.fused)).toFixed(2)}x (medians)`);
model.dispose();
console.log(`tensors left: ${tf.memory().numTensors}`);
