import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { itRequiresAddon, SKIP_NATIVE } from './native-test-gate';
import { expectAllClose, nativeAndCpu, nativeAndWasm, uniform, useWasm } from './native-test-utils';

itRequiresAddon();

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'prelu', 'sigmoid'] as const;

// The reference is tfjs's cpu kernel: wasm 4.22's own _FusedMatMul gets transposeB + bias wrong.
describe.skipIf(SKIP_NATIVE)('native _FusedMatMul matches tfjs (cpu kernel)', () => {
  beforeAll(useWasm);

  for (const activation of ACTIVATIONS) {
    for (const [m, k, n] of [[128, 784, 1000], [3, 127, 1001], [1, 1, 1]] as Array<[number, number, number]>) {
      it(`${activation}, bias [${n}], ${m}x${k}·${k}x${n}, all transposes`, async () => {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const result = await nativeAndCpu(() =>
              tf.tidy(() => {
                // Short products scaled so relu6 and sigmoid see both sides of their bends; long ones get
                // there anyway, and scaling them would make the product's rounding large against the
                // bounded outputs' scale.
                const a = tf.mul(uniform(transposeA ? [k, m] : [m, k], 7), k < 100 ? 3 : 1);
                const b = uniform(transposeB ? [n, k] : [k, n], 8);
                return tf.fused.matMul({
                  a,
                  b,
                  transposeA,
                  transposeB,
                  bias: uniform([n], 9),
                  activation,
                  preluActivationWeights: activation === 'prelu' ? uniform([n], 10) : undefined,
                  leakyreluAlpha: activation === 'leakyrelu' ? 0.15 : undefined,
                });
              }),
            );
            expectAllClose(result, 1e-5, `${activation} tA=${transposeA} tB=${transposeB}`);
          }
        }
      });
    }
  }

  it('without bias, with a scalar bias, a full [m, n] bias and scalar prelu weights', async () => {
    const cases: Array<{ bias?: number[]; alpha?: number[] }> = [{}, { bias: [1] }, { bias: [5, 7] }, { bias: [7], alpha: [1] }];
    for (const { bias, alpha } of cases) {
      const result = await nativeAndCpu(() =>
        tf.tidy(() =>
          tf.fused.matMul({
            a: uniform([5, 11], 1),
            b: uniform([11, 7], 2),
            bias: bias ? uniform(bias, 3) : undefined,
            activation: alpha ? 'prelu' : 'relu',
            preluActivationWeights: alpha ? uniform(alpha, 4) : undefined,
          }),
        ),
      );
      expectAllClose(result, 1e-5, `bias ${bias} alpha ${alpha}`);
    }
  });

  it('gradients through a fused dense layer (bias, relu) match wasm', () => {
    const result = nativeAndWasm(() =>
      tf.tidy(() => {
        const x = uniform([32, 50], 1);
        const w = uniform([50, 20], 2);
        const bias = uniform([20], 3);
        const f = (wv: tf.Tensor, bv: tf.Tensor): tf.Scalar =>
          tf.sum(tf.square(tf.fused.matMul({ a: x, b: wv as tf.Tensor2D, bias: bv, activation: 'relu' })));
        return tf.grads(f)([w, bias]);
      }),
    );
    expectAllClose(result, 1e-5);
  });
});
