// Seconds per epoch of the default LBP model (3 AE cells x 1000, 256-unit head, batch 128, full
// MNIST = 469 batches) on every backend that loads here. Each backend trains `--batches` real
// MNIST batches after `--warmup` untimed ones; the epoch time is that mean times 469, plus the
// measured time to evaluate the 10,000 test images. A benchmark, not a test: it prints figures.
import { AUTO_BACKEND_ORDER, BackendUnavailableError, resolveBackend, tf } from '@localbp/core';
import { batches, countBatches, loadDataset, subset } from '@localbp/datasets';
import { evaluateAccuracy, LbpModel, LocalTrainer } from '@localbp/trainer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const timedBatches = Number(args.get('batches') ?? 20);
const warmup = Number(args.get('warmup') ?? 2);
const batchSize = Number(args.get('batch-size') ?? 128);
const only = args.get('backends')?.split(',');
const cpuBatches = Number(args.get('cpu-batches') ?? 4);

const mnist = loadDataset('mnist');
const epochBatches = countBatches(mnist.train.count, batchSize);
const config = { cells: [{ type: 'ae' }, { type: 'ae' }, { type: 'ae' }], width: 1000, seed: 1 };
const results = [];

for (const backend of only ?? AUTO_BACKEND_ORDER) {
  let resolved;
  try {
    resolved = await resolveBackend(backend, { quiet: true });
  } catch (err) {
    const reason = err instanceof BackendUnavailableError ? err.reason : String(err);
    results.push({ backend, available: false, reason: reason.split('\n')[0] });
    continue;
  }
  // The cpu backend is ~10x slower: time fewer batches so the benchmark stays short.
  const n = backend === 'cpu' ? Math.min(cpuBatches, timedBatches) : timedBatches;
  const model = LbpModel.create(config, { imageShape: mnist.info.imageShape, numClasses: 10 });
  const trainer = new LocalTrainer(model);
  const slice = subset(mnist.train, (warmup + n) * batchSize);
  const times = [];
  let last = 0;
  await trainer.fit(slice, {
    epochs: 1,
    batchSize,
    evaluateEachEpoch: false,
    callbacks: {
      onBatchBegin: () => void (last = performance.now()),
      onBatchEnd: (b) => void (b >= warmup && times.push((performance.now() - last) / 1000)),
    },
  });
  const evalStart = performance.now();
  evaluateAccuracy(model, backend === 'cpu' ? subset(mnist.test, 1000) : mnist.test);
  const evalSeconds = ((performance.now() - evalStart) / 1000) * (backend === 'cpu' ? 10 : 1);
  const perBatch = times.reduce((a, b) => a + b, 0) / times.length;
  results.push({
    backend: resolved.name,
    available: true,
    timedBatches: times.length,
    secondsPerBatch: perBatch,
    secondsPerEpoch: perBatch * epochBatches + evalSeconds,
    peakTensorMB: trainer.peakTensorBytes / 2 ** 20,
  });
  model.dispose();
  tf.disposeVariables();
}

console.log(`LBP epoch benchmark: 3 x ae(1000) + head(512), batch ${batchSize}, MNIST ${mnist.train.count} examples = ${epochBatches} batches/epoch`);
console.log('backend     status       s/batch   s/epoch (est.)   peak tensor MB');
for (const r of results) {
  if (!r.available) console.log(`${r.backend.padEnd(12)}unavailable  ${r.reason}`);
  else
    console.log(
      `${r.backend.padEnd(12)}ok (${String(r.timedBatches).padStart(2)} b)   ${r.secondsPerBatch.toFixed(3).padStart(7)}   ${r.secondsPerEpoch.toFixed(1).padStart(14)}   ${r.peakTensorMB.toFixed(1).padStart(14)}`,
    );
}
const wasm = results.find((r) => r.backend === 'wasm' && r.available);
const cpu = results.find((r) => r.backend === 'cpu' && r.available);
if (wasm && cpu) {
  console.log(`ratio wasm/cpu (seconds per epoch): ${(wasm.secondsPerEpoch / cpu.secondsPerEpoch).toFixed(3)}  (wasm is ${(cpu.secondsPerEpoch / wasm.secondsPerEpoch).toFixed(1)}x faster)`);
}
if (args.has('json')) console.log(JSON.stringify(results));
