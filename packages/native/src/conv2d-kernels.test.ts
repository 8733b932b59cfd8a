import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';
import { expectAllClose, nativeAndWasm, uniform, useWasm } from './native-test-utils';
import { registerNativeKernels, unregisterNativeKernels } from './register-native-kernels';

itRequiresAddon();

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** [input shape, output channels, stride, pad]: the conv cells' layers (MNIST and CIFAR-10) and odd cases. */
const CASES: Array<[[number, number, number, number], number, number, Pad]> = [
  [[4, 28, 28, 1], 32, 2, 'same'],
  [[4, 14, 14, 32], 64, 2, 'same'],
  [[2, 28, 28, 32], 32, 1, 'same'],
  [[4, 32, 32, 3], 32, 2, 'same'],
  [[4, 16, 16, 32], 64, 2, 'same'],
  [[2, 8, 8, 64], 128, 2, 'same'],
  [[2, 7, 7, 64], 128, 1, 'same'],
  [[3, 9, 11, 3], 5, 1, 'valid'],
  [[3, 9, 11, 3], 5, 2, 'valid'],
  [[2, 7, 7, 3], 4, 2, [[0, 0], [1, 2], [0, 1], [0, 0]]],
  [[1, 5, 5, 2], 3, 1, [[0, 0], [2, 2], [2, 2], [0, 0]]],
];

describe.skipIf(SKIP_NATIVE)('native convolutions match wasm (3x3, NHWC)', () => {
  beforeAll(useWasm);

  for (const [xShape, cout, stride, pad] of CASES) {
    const label = `${xShape.join('x')} → ${cout}, stride ${stride}, pad ${JSON.stringify(pad)}`;
    const filterShape: [number, number, number, number] = [3, 3, xShape[3], cout];
    // Conv2D (to know dy's shape) computed once on plain wasm.
    const dyShape = (): number[] => tf.tidy(() => tf.conv2d(tf.zeros(xShape) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, stride, pad).shape);

    it(`Conv2D ${label}`, () => {
      expectAllClose(nativeAndWasm(() => tf.tidy(() => tf.conv2d(uniform(xShape, 1) as tf.Tensor4D, uniform(filterShape, 2) as tf.Tensor4D, stride, pad))));
    });

    it(`Conv2DBackpropInput ${label}`, () => {
      const shape = dyShape();
      expectAllClose(
        nativeAndWasm(() =>
          tf.tidy(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: uniform(shape, 3), filter: uniform(filterShape, 2) }, { strides: stride, pad, dataFormat: 'NHWC', inputShape: xShape }) as tf.Tensor),
        ),
      );
    });

    it(`Conv2DBackpropFilter ${label} (against tfjs's cpu kernel: plain wasm has none)`, async () => {
      const shape = dyShape();
      const run = (): Float32Array =>
        tf.tidy(() =>
          (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: uniform(xShape, 1), dy: uniform(shape, 3) }, { strides: stride, pad, dataFormat: 'NHWC', filterShape }) as tf.Tensor).dataSync() as Float32Array,
        );
      registerNativeKernels();
      let native: Float32Array;
      try {
        native = run();
      } finally {
        unregisterNativeKernels();
      }
      await tf.setBackend('cpu');
      let reference: Float32Array;
      try {
        reference = run();
      } finally {
        await tf.setBackend('wasm');
      }
      expectAllClose({ native: [native], wasm: [reference] }, 1e-5, label);
    });
  }

  it('gradients of a small conv net (conv, relu, conv2dTranspose, MSE) match the op-composed wasm path', () => {
    // Both runs use the native Conv2DBackpropFilter as wasm has none; the products and the other two convs differ.
    const net = (): tf.Tensor[] =>
      tf.tidy(() => {
        const x = uniform([4, 28, 28, 1], 1) as tf.Tensor4D;
        const w1 = uniform([3, 3, 1, 8], 2);
        const w2 = uniform([3, 3, 1, 8], 3);
        const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          const h = tf.relu(tf.conv2d(x, a as tf.Tensor4D, 2, 'same'));
          const y = tf.conv2dTranspose(h as tf.Tensor4D, b as tf.Tensor4D, [4, 28, 28, 1], 2, 'same');
          return tf.mean(tf.square(tf.sub(y, x)));
        };
        return tf.grads(f)([w1, w2]);
      });
    registerNativeKernels();
    let native: Float32Array[];
    try {
      native = net().map((t) => t.dataSync() as Float32Array);
    } finally {
      unregisterNativeKernels();
    }
    registerNativeKernels({ kernels: [tf.Conv2DBackpropFilter] });
    let mixed: Float32Array[];
    try {
      mixed = net().map((t) => t.dataSync() as Float32Array);
    } finally {
      unregisterNativeKernels();
    }
    expectAllClose({ native, wasm: mixed }, 1e-5);
  });

  it('leaks no tensors over repeated conv training steps', () => {
    registerNativeKernels();
    try {
      const x = uniform([2, 14, 14, 4], 1) as tf.Tensor4D;
      const w = uniform([3, 3, 4, 8], 2);
      const step = (): void => {
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.conv2dTranspose(tf.conv2d(x, a as tf.Tensor4D, 2, 'same'), a as tf.Tensor4D, [2, 14, 14, 4], 2, 'same')))(w);
        g.dispose();
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
    } finally {
      unregisterNativeKernels();
    }
  });
});
