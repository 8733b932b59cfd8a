// Design sweep for the LBP-CAE stack: trains `--variants` (comma-separated names below) on the
// first `--train` MNIST examples for `--epochs` epochs and prints test accuracy per epoch and
// seconds per epoch. A benchmark, not a test: it prints figures (see docs/results/cae-design.md).
import { resolveBackend, tf } from '@localbp/core';
import { loadDataset, subset } from '@localbp/datasets';
import { LbpModel, LocalTrainer } from '@localbp/trainer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const trainCount = Number(args.get('train') ?? 10000);
const testCount = Number(args.get('test') ?? 2000);
const epochs = Number(args.get('epochs') ?? 1);
const batchSize = Number(args.get('batch-size') ?? 128);
const dataset = args.get('dataset') ?? 'mnist';
const dataDir = args.get('data-dir');

/** `plain` is the PyTorch reference's design; `default` is ours; the others change one thing from one of them. */
const FLAT = { mode: 'flatten', normalize: false };
const VARIANTS = {
  plain: { cell: { readout: FLAT }, head: { hidden: [256] } },
  'plain-head512': { cell: { readout: FLAT }, head: { hidden: [512] } },
  'flatten-norm': { cell: { readout: { mode: 'flatten', normalize: true } }, head: { hidden: [512] } },
  'max-pool-raw': { cell: { readout: { mode: 'max-pool', normalize: false } }, head: { hidden: [512] } },
  'avg-pool-norm': { cell: { readout: { mode: 'avg-pool', normalize: true } }, head: { hidden: [512] } },
  'global-pool-norm': { cell: { readout: { mode: 'global-avg-pool', normalize: true } }, head: { hidden: [512] } },
  default: { cell: {}, head: { hidden: [512] } },
  'default-pre-act': { cell: { normalizationPlacement: 'pre-activation' }, head: { hidden: [512] } },
  'default-channel-norm': { cell: { normalization: 'channel' }, head: { hidden: [512] } },
  'default-conv-max-pool': { cell: { downsample: 'max-pool' }, head: { hidden: [512] } },
  'default-head-lr-3e-4': { cell: {}, head: { hidden: [512] }, headLr: 3e-4 },
  cosine: { cell: {}, head: { hidden: [512] }, lrSchedule: { type: 'cosine' } },
  dropout: { cell: {}, head: { hidden: [512], dropout: 0.3 } },
  'cosine-dropout': { cell: {}, head: { hidden: [512], dropout: 0.3 }, lrSchedule: { type: 'cosine' } },
  'cosine-dropout-0.5': { cell: {}, head: { hidden: [512], dropout: 0.5 }, lrSchedule: { type: 'cosine' } },
  'cosine-dropout-1024': { cell: {}, head: { hidden: [1024], dropout: 0.5 }, lrSchedule: { type: 'cosine' } },
  shift2: { cell: {}, head: { hidden: [512] }, augment: { shift: 2 } },
  'cosine-shift2': { cell: {}, head: { hidden: [512] }, lrSchedule: { type: 'cosine' }, augment: { shift: 2 } },
  'cosine-shift2-cell-lr-2e-4': { cell: { learningRate: 2e-4 }, head: { hidden: [512] }, lrSchedule: { type: 'cosine' }, augment: { shift: 2 } },
  'cosine-dropout-conv-max-pool': { cell: { downsample: 'max-pool' }, head: { hidden: [512], dropout: 0.3 }, lrSchedule: { type: 'cosine' } },
};
const names = (args.get('variants') ?? 'plain').split(',');
const backend = await resolveBackend(args.get('backend') ?? 'auto', { quiet: true });
const data = loadDataset(dataset, dataDir ? { dataDir } : {});
const train = subset(data.train, trainCount);
const test = subset(data.test, testCount);
console.log(`CAE design sweep: ${dataset} ${train.count} train / ${test.count} test, batch ${batchSize}, ${epochs} epoch(s), backend ${backend.name}`);
for (const name of names) {
  const v = VARIANTS[name];
  if (!v) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const model = LbpModel.create(
    {
      cells: [0, 1, 2].map(() => ({ type: 'cae', options: v.cell })),
      head: { ...v.head, activation: 'relu' },
      ...(v.headLr ? { headOptimizer: { learningRate: v.headLr } } : {}),
      seed: Number(args.get('seed') ?? 1),
    },
    { imageShape: data.info.imageShape, numClasses: data.info.numClasses },
  );
  const result = await new LocalTrainer(model).fit(train, { epochs, batchSize, test, ...(v.lrSchedule ? { lrSchedule: v.lrSchedule } : {}), ...(v.augment ? { augment: v.augment } : {}) });
  const acc = result.epochs.map((e) => (e.testAccuracy ?? NaN).toFixed(4)).join(' ');
  const secs = result.epochs.map((e) => e.seconds.toFixed(0)).join(' ');
  console.log(`${name.padEnd(16)} acc/epoch ${acc}   s/epoch ${secs}   peak tensor MB ${(result.peakTensorBytes / 2 ** 20).toFixed(1)}`);
  model.dispose();
  tf.disposeVariables();
}
