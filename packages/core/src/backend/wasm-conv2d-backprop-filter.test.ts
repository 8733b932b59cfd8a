import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveBackend } from './resolve-backend';

/** Deterministic values in [-1, 1), so both backends see identical inputs. */
function seeded(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** max |a - b| / max |b|: 1e-4 tolerates float32 summation order, not a wrong tap. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs((actual[i] ?? Number.NaN) - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return diff / scale;
}

interface ConvCase {
  label: string;
  inShape: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number | [number, number];
  pad: 'same' | 'valid';
}

const CASES: ConvCase[] = [
  { label: '7x7 Cin1 3x3 s1 same', inShape: [2, 7, 7, 1], filter: [3, 3, 1, 4], stride: 1, pad: 'same' },
  { label: '7x7 Cin3 3x3 s2 same', inShape: [2, 7, 7, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { label: '7x7 Cin3 3x3 s2 valid', inShape: [3, 7, 7, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { label: '28x28 Cin1 3x3 s2 same', inShape: [2, 28, 28, 1], filter: [3, 3, 1, 4], stride: 2, pad: 'same' },
  { label: '28x28 Cin3 5x5 s1 valid', inShape: [1, 28, 28, 3], filter: [5, 5, 3, 4], stride: 1, pad: 'valid' },
  { label: '28x28 Cin3 4x4 s2 same', inShape: [2, 28, 28, 3], filter: [4, 4, 3, 4], stride: 2, pad: 'same' },
  { label: '9x7 Cin1 2x3 s2 valid', inShape: [2, 9, 7, 1], filter: [2, 3, 1, 4], stride: 2, pad: 'valid' },
  { label: '11x10 Cin3 3x3 s(2,1) same', inShape: [2, 11, 10, 3], filter: [3, 3, 3, 4], stride: [2, 1], pad: 'same' },
  { label: '13x13 Cin3 5x5 s3 same', inShape: [2, 13, 13, 3], filter: [5, 5, 3, 4], stride: 3, pad: 'same' },
];

/** Gradients of a weighted sum of conv2d outputs with respect to input and filter. */
function conv2dGrads(c: ConvCase): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(size(c.inShape), 1), c.inShape);
    const f = tf.tensor4d(seeded(size(c.filter), 2), c.filter);
    const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
    const w = tf.tensor(seeded(size(outShape), 3), outShape);
    const grads = tf.grads((xi: tf.Tensor, fi: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, c.stride, c.pad), w)),
    )([x, f]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

/** Same for conv2dTranspose (decoder layers): its filter gradient is also Conv2DBackpropFilter. */
function conv2dTransposeGrads(c: ConvCase): Float32Array[] {
  return tf.tidy(() => {
    // Transposed conv maps the conv's output shape back to its input shape.
    const encoded = tf.conv2d(tf.zeros(c.inShape) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.stride, c.pad);
    const [kh, kw, cin, cout] = c.filter;
    const dy = tf.tensor4d(seeded(size(encoded.shape), 4), encoded.shape);
    // conv2dTranspose filter is [KH, KW, outChannels, inChannels].
    const f = tf.tensor4d(seeded(size(c.filter), 5), [kh, kw, cin, cout]);
    const outShape: [number, number, number, number] = [...c.inShape];
    const w = tf.tensor(seeded(size(outShape), 6), outShape);
    const grads = tf.grads((di: tf.Tensor, fi: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2dTranspose(di as tf.Tensor4D, fi as tf.Tensor4D, outShape, c.stride, c.pad), w)),
    )([dy, f]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

async function onBoth(compute: () => Float32Array[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  await resolveBackend('cpu');
  const cpu = compute();
  await resolveBackend('wasm');
  const wasm = compute();
  return { cpu, wasm };
}

beforeAll(async () => {
  await resolveBackend('wasm');
});

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(CASES)('conv2d gradients match cpu: $label', async (c) => {
    const { cpu, wasm } = await onBoth(() => conv2dGrads(c));
    expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(relativeError(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
  });

  it.each(CASES)('conv2dTranspose gradients match cpu: $label', async (c) => {
    const { cpu, wasm } = await onBoth(() => conv2dTransposeGrads(c));
    expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
    expect(relativeError(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
  });

  it.each([
    { pad: 1, dataFormat: 'NHWC', dimRoundingMode: undefined },
    { pad: 2, dataFormat: 'NHWC', dimRoundingMode: 'ceil' },
    { pad: 'same', dataFormat: 'NCHW', dimRoundingMode: undefined },
  ] as const)('kernel matches cpu for pad=$pad $dataFormat rounding=$dimRoundingMode', async (attrs) => {
    const nhwc: [number, number, number, number] = [2, 8, 9, 3];
    const filterShape: [number, number, number, number] = [3, 3, 3, 4];
    const xShape = attrs.dataFormat === 'NHWC' ? nhwc : [2, 3, 8, 9];
    const run = () =>
      tf.tidy(() => {
        const info = tf.backend_util.computeConv2DInfo(
          nhwc, filterShape, 2, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
        );
        const dyShape = attrs.dataFormat === 'NHWC'
          ? info.outShape
          : [info.batchSize, info.outChannels, info.outHeight, info.outWidth];
        const x = tf.tensor(seeded(size(xShape), 7), xShape);
        const dy = tf.tensor(seeded(size(dyShape), 8), dyShape);
        const kernelAttrs = { strides: 2, filterShape, ...attrs };
        const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, kernelAttrs as {}) as tf.Tensor;
        return [out.dataSync() as Float32Array];
      });
    const { cpu, wasm } = await onBoth(run);
    expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
  });

  it('rejects dilations other than 1 with a clear message', () => {
    const x = tf.zeros([1, 5, 5, 1]);
    const dy = tf.zeros([1, 5, 5, 1]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 2, filterShape: [3, 3, 1, 1],
      }),
    ).toThrow('Conv2DBackpropFilter on wasm supports only dilations = 1, got 2');
    tf.dispose([x, dy]);
  });

  it('leaks neither tensors nor backend data', async () => {
    await resolveBackend('wasm');
    const c = CASES[1]!;
    conv2dGrads(c); // warm up lazily created state
    const before = tf.memory();
    const backendIdsBefore = tf.engine().backend.numDataIds();
    // IS_TEST makes the engine check each kernel for leaked data ids.
    tf.env().set('IS_TEST', true);
    try {
      conv2dGrads(c);
      conv2dTransposeGrads(c);
      // Outside any tidy, the caller's dispose must be all it takes.
      const x = tf.zeros([2, 7, 7, 3]);
      const dy = tf.ones([2, 4, 4, 4]);
      const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4],
      }) as tf.Tensor;
      tf.dispose([x, dy, out]);
    } finally {
      tf.env().set('IS_TEST', false);
    }
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.numBytes).toBe(before.numBytes);
    expect(tf.engine().backend.numDataIds()).toBe(backendIdsBefore);
  });

  it('keeps its inputs alive', async () => {
    await resolveBackend('wasm');
    const x = tf.tensor4d(seeded(2 * 7 * 7 * 3, 9), [2, 7, 7, 3]);
    const dy = tf.tensor4d(seeded(2 * 4 * 4 * 4, 10), [2, 4, 4, 4]);
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4],
    }) as tf.Tensor;
    expect(out.shape).toEqual([3, 3, 3, 4]);
    expect(x.isDisposed).toBe(false);
    expect(x.dataSync()[0]).toBeCloseTo(seeded(1, 9)[0]!, 6);
    expect(Array.from(dy.dataSync())).toEqual(Array.from(seeded(2 * 4 * 4 * 4, 10)));
    tf.dispose([x, dy, out]);
  });
});

describe('training a conv autoencoder on wasm', () => {
  it('lowers the loss with conv2d, layerNormalization, conv2dTranspose, sigmoid, MSE and Adam', async () => {
    await resolveBackend('wasm');
    const conv = (seed: number) => ({
      kernelSize: 3,
      strides: 2,
      padding: 'same' as const,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    });
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, activation: 'relu', ...conv(1) }),
        tf.layers.layerNormalization(),
        tf.layers.conv2d({ filters: 8, activation: 'relu', ...conv(2) }),
        tf.layers.conv2dTranspose({ filters: 4, activation: 'relu', ...conv(3) }),
        tf.layers.conv2dTranspose({ filters: 1, activation: 'sigmoid', ...conv(4) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const x = tf.tensor4d(seeded(16 * 12 * 12, 11).map((v) => (v + 1) / 2), [16, 12, 12, 1]);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      losses.push(Number(await model.trainOnBatch(x, x)));
    }
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    model.dispose();
    x.dispose();
  });
});
