import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellBuildOptions, LocalLossContext } from '../cell';
import type { GoodnessLossContext, GoodnessObjective } from '../goodness-objective';
import { rmsNormalize } from '../layers/rms-normalize';
import { DEFAULT_OPTIMIZER } from '../optimizer-config';
import { Registry } from '../registry/registry';
import { countLeakedTensors } from '../testing/tensor-leak-check';
import type { GoodnessCell } from './goodness-cell';
import type { GoodnessConvCell } from './goodness-conv-cell';
import type { GoodnessDenseCell } from './goodness-dense-cell';
import { registerBuiltinCells } from './register-builtin-cells';

// Goodness objectives live in @localbp/objectives (which depends on core); this minimal one keeps core's tests self-contained.
const sumSquares = (a: tf.Tensor) => tf.tidy(() => tf.sum(tf.square(tf.reshape(a, [a.shape[0]!, -1])), 1) as tf.Tensor1D);
const toyGoodness = (layers: GoodnessObjective['layers']) => (): GoodnessObjective => ({
  id: 'toy',
  kind: 'goodness',
  options: {},
  embedsLabel: false,
  layers,
  inputShape: (s) => [...s],
  trainingInput: (images) => ({ input: images.clone(), positives: images.shape[0]! / 2 }),
  inferenceInput: (images) => images.clone(),
  goodness: sumSquares,
  loss: (activity, batch) =>
    tf.tidy(() => {
      const g = sumSquares(activity);
      const pos = tf.slice(g, 0, batch.positives);
      const neg = tf.slice(g, batch.positives);
      return tf.add(tf.mean(tf.softplus(tf.sub(4, pos))), tf.mean(tf.softplus(tf.sub(neg, 4)))) as tf.Scalar;
    }),
  goodnessSummary: () => ({ positive: tf.scalar(0), negative: tf.scalar(0) }),
});

const registry = new Registry();
registerBuiltinCells(registry);
registry.register('objective', 'toy', toyGoodness('dense'));
registry.register('objective', 'toy-conv', toyGoodness('conv'));
registry.register('objective', 'mse', () => ({ id: 'mse', kind: 'reconstruction', options: {} }));

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.enableProdMode();
});

function build(type: 'ff-dense' | 'ff-conv', overrides: Partial<CellBuildOptions> = {}): GoodnessCell {
  return registry.get('cell', type)({
    id: 'layer-1',
    index: 0,
    inputShape: type === 'ff-dense' ? [6] : [4, 4, 1],
    inputRange: 'unit',
    width: 4,
    objective: type === 'ff-dense' ? 'toy' : 'toy-conv',
    options: {},
    seed: 3,
    optimizer: DEFAULT_OPTIMIZER,
    registry,
    ...overrides,
  }) as GoodnessCell;
}

const context = (positives: number, labels: tf.Tensor1D): GoodnessLossContext => ({
  step: 0,
  positives,
  labels,
  numClasses: 2,
  emitLatent: () => undefined,
  probe: () => undefined,
});

describe('input normalization', () => {
  it('rms gives every example unit mean square; length gives unit L2 norm', () => {
    const x = tf.tensor2d([[3, 4, 0, 0], [1, 1, 1, 1]]);
    const rms = rmsNormalize(x).arraySync() as number[][];
    expect(rms[0]![0]).toBeCloseTo(3 / Math.sqrt(25 / 4), 5);
    expect(rms[1]).toEqual([1, 1, 1, 1].map((v) => expect.closeTo(v, 5)));
    const length = rmsNormalize(x, 'length').arraySync() as number[][];
    expect(length[0]!.slice(0, 2).map((v) => Number(v.toFixed(5)))).toEqual([0.6, 0.8]);
    x.dispose();
  });
});

describe('ff-dense cell', () => {
  it('encodes relu(W·norm(x) + b) and is invariant to the input scale', () => {
    const cell = build('ff-dense') as GoodnessDenseCell;
    const x = tf.tensor2d([[1, 2, 3, 0, 0, 1]]);
    const a = cell.encode(x);
    const b = cell.encode(tf.mul(x, 10));
    expect(a.shape).toEqual([1, 4]);
    expect(a.dataSync().every((v) => v >= 0)).toBe(true);
    const [kernel, bias] = cell.namedWeights().map((w) => w.tensor);
    const manual = tf.relu(tf.add(tf.matMul(rmsNormalize(x) as tf.Tensor2D, kernel as tf.Tensor2D), bias!));
    expect(Array.from(a.dataSync())).toEqual(Array.from(manual.dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()).map((v) => expect.closeTo(v, 4)));
    tf.dispose([x, a, b, manual]);
    cell.dispose();
  });

  it('updates the peer-normalization running mean with momentum 0.9 from positive rows only', () => {
    const cell = build('ff-dense', { options: { peerNormalization: 0.03 } });
    const activity = tf.tensor2d([[1, 2, 0, 4], [3, 2, 2, 0], [100, 100, 100, 100]]);
    const first = cell.peerNormalizationLoss(activity, 2);
    // Positive mean [2, 2, 1, 2]; running mean 0.9·0 + 0.1·mean = [0.2, 0.2, 0.1, 0.2].
    const rm1 = cell.namedWeights().find((w) => w.name.endsWith('peer-norm/running-mean'))!.tensor;
    expect(Array.from(rm1.dataSync())).toEqual([0.2, 0.2, 0.1, 0.2].map((v) => expect.closeTo(v, 6)));
    // Spread penalty: mean((rm − mean(rm))²) with mean(rm) = 0.175.
    const spread = (0.025 ** 2 * 3 + 0.075 ** 2) / 4;
    expect(first.dataSync()[0]).toBeCloseTo(spread, 7);
    cell.peerNormalizationLoss(activity, 2).dispose();
    const rm2 = cell.namedWeights().find((w) => w.name.endsWith('peer-norm/running-mean'))!.tensor;
    expect(Array.from(rm2.dataSync())).toEqual([0.38, 0.38, 0.19, 0.38].map((v) => expect.closeTo(v, 6)));
    tf.dispose([activity, first]);
    cell.dispose();
  });

  it('trains only its own weights, lowers its loss, emits its activity and leaks nothing', async () => {
    const cell = build('ff-dense');
    const input = tf.randomUniform([8, 6], 0, 1, 'float32', 1);
    const labels = tf.zeros([8]) as tf.Tensor1D;
    const update = cell.updates()[0]!;
    const lossOf = () => tf.tidy(() => update.loss(input, context(4, labels)).dataSync()[0]!);
    const before = lossOf();
    update.optimizer.minimize(() => update.loss(input, context(4, labels)), false, update.variables());
    const leaked = await countLeakedTensors(() => {
      for (let s = 0; s < 30; s++) {
        let emitted: tf.Tensor | null = null;
        const ctx = { ...context(4, labels), emitLatent: (t: tf.Tensor) => void (emitted = tf.keep(t)) };
        update.optimizer.minimize(() => update.loss(input, ctx), false, update.variables());
        expect(emitted!.shape).toEqual([8, 4]);
        emitted!.dispose();
      }
    });
    expect(leaked).toBe(0);
    expect(lossOf()).toBeLessThan(before);
    expect(update.variables()).toHaveLength(2);
    tf.dispose([input, labels]);
    cell.dispose();
  });

  it('refuses to train outside a Forward-Forward model and rejects non-goodness objectives', () => {
    const cell = build('ff-dense');
    const input = tf.ones([2, 6]);
    const plain: LocalLossContext = { step: 0, emitLatent: () => undefined, probe: () => undefined };
    expect(() => cell.updates()[0]!.loss(input, plain)).toThrow('positives and labels missing');
    expect(() => build('ff-dense', { objective: 'mse' })).toThrow('not a goodness objective');
    expect(() => build('ff-dense', { objective: 'toy-conv' })).toThrow('trains conv layers');
    expect(() => build('ff-dense', { options: { peerNormalization: -1 } })).toThrow();
    tf.dispose(input);
    cell.dispose();
  });
});

describe('ff-conv cell', () => {
  it('halves the spatial size with stride 2 and trains on its own', () => {
    const cell = build('ff-conv', { width: 6, options: { kernelSize: 3, stride: 2 } }) as GoodnessConvCell;
    expect(cell.latentShape).toEqual([2, 2, 6]);
    expect(cell.spec.options).toMatchObject({ kernelSize: 3, stride: 2 });
    const input = tf.randomUniform([4, 4, 4, 1], 0, 1, 'float32', 2);
    const labels = tf.zeros([4]) as tf.Tensor1D;
    const update = cell.updates()[0]!;
    const snapshot = cell.namedWeights().map((w) => w.tensor.clone());
    update.optimizer.minimize(() => update.loss(input, context(2, labels)), false, update.variables());
    const changed = cell.namedWeights().filter((w, i) => tf.tidy(() => tf.any(tf.notEqual(w.tensor, snapshot[i]!)).dataSync()[0] === 1));
    expect(changed.map((w) => w.name)).toEqual(['layer-1/conv/kernel', 'layer-1/conv/bias', 'layer-1/peer-norm/running-mean']);
    expect(() => build('ff-conv', { inputShape: [16] })).toThrow('[height, width, channels]');
    tf.dispose([input, labels, ...snapshot]);
    cell.dispose();
  });
});
