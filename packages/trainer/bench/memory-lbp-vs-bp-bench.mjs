// Peak training memory, LBP vs BP, on the same encoder stack and batch size (issue: "up to 48% less").
// For each stack it trains `--batches` real MNIST batches and prints the high-water mark of
// tf.memory().numBytes, sampled inside every step (inside each local loss closure for LBP, inside
// the loss closure after the forward pass for BP), split into weights, optimizer state and the
// rest (activations and temporaries, i.e. peak − weights − optimizer state). A benchmark, not a test.
import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { createModel, LocalTrainer } from '@localbp/trainer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const batchSize = Number(args.get('batch-size') ?? 128);
const batchCount = Number(args.get('batches') ?? 3);
const deepChannels = Number(args.get('channels') ?? 32);
const backend = await resolveBackend(args.get('backend') ?? 'auto', { quiet: true });
const mnist = loadDataset('mnist');
const train = subset(mnist.train, batchSize * batchCount);
const data = { imageShape: mnist.info.imageShape, numClasses: 10 };

const STACKS = {
  // The paper's default: 32/64/128 channels, stride 2 each.
  '3-cell': [0, 1, 2].map(() => ({ type: 'cae', options: {} })),
  // Six cells of the same width, stride 1 after the first (all latents 14x14).
  '6-cell': [0, 1, 2, 3, 4, 5].map((i) => ({ type: 'cae', options: { channels: deepChannels, stride: i === 0 ? 2 : 1 } })),
};
const MODELS = {
  'lbp-cae': (cells) => ({ model: 'lbp', cells }),
  'lbp-cae (flattened readout)': (cells) => ({
    model: 'lbp',
    cells: cells.map((c) => ({ ...c, options: { ...c.options, readout: { mode: 'flatten', normalize: false } } })),
  }),
  'bp-cnn': (cells) => ({ model: 'bp', cells }),
};

const MB = 2 ** 20;
const rows = [];
for (const [stackName, cells] of Object.entries(STACKS)) {
  for (const [modelName, configOf] of Object.entries(MODELS)) {
    const base = tf.memory().numBytes;
    const model = createModel({ ...configOf(cells), seed: 1 }, data);
    const weights = tf.memory().numBytes - base;
    const trainer = new LocalTrainer(model);
    const started = performance.now();
    await trainer.fit(train, { epochs: 1, batchSize, evaluateEachEpoch: false });
    const seconds = (performance.now() - started) / 1000 / batchCount;
    const optimizerState = tf.memory().numBytes - base - weights;
    const peak = trainer.peakTensorBytes - base;
    rows.push({ stack: stackName, model: modelName, peak, weights, optimizerState, activations: peak - weights - optimizerState, seconds });
    model.dispose();
    tf.disposeVariables();
  }
}

console.log(`Peak training tensor memory, MNIST, batch ${batchSize}, ${batchCount} batches per model, backend ${backend.name}`);
console.log('stack   model                          peak MB  weights MB  optimizer MB  activations MB  s/batch');
for (const r of rows) {
  console.log(
    `${r.stack.padEnd(8)}${r.model.padEnd(31)}${(r.peak / MB).toFixed(1).padStart(7)}${(r.weights / MB).toFixed(2).padStart(12)}` +
      `${(r.optimizerState / MB).toFixed(2).padStart(14)}${(r.activations / MB).toFixed(1).padStart(16)}${r.seconds.toFixed(2).padStart(9)}`,
  );
}
for (const stack of Object.keys(STACKS)) {
  const lbp = rows.find((r) => r.stack === stack && r.model === 'lbp-cae');
  const flat = rows.find((r) => r.stack === stack && r.model === 'lbp-cae (flattened readout)');
  const bp = rows.find((r) => r.stack === stack && r.model === 'bp-cnn');
  console.log(
    `${stack}: lbp-cae / bp-cnn peak = ${(lbp.peak / bp.peak).toFixed(3)} (${((1 - lbp.peak / bp.peak) * 100).toFixed(0)}% less); ` +
      `with flattened readout ${(flat.peak / bp.peak).toFixed(3)}`,
  );
}
if (args.has('json')) console.log(JSON.stringify(rows));
