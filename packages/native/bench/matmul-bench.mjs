// GFLOP/s of the wasm backend's kernels vs @localbp/native's on the shapes localbp trains with.
// Usage: pnpm --filter @localbp/native bench   (one BLAS thread unless LOCALBP_BLAS_THREADS is set)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
// The wasm baseline is wasm as localbp trains on it: core's transposing matMul wrapper and its op-composed
// Conv2DBackpropFilter. Imported by path: a package dependency on core would be a workspace cycle.
import { registerWasmTrainingKernels } from '../../core/dist/index.js';
import { isNativeAddonAvailable, loadNativeAddon, registerNativeKernels, unregisterNativeKernels, AVAILABLE_NATIVE_KERNELS } from '../dist/index.js';

tf.enableProdMode();
await tf.setBackend('wasm');
registerWasmTrainingKernels();
if (!isNativeAddonAvailable()) {
  console.log('native addon not built: apt-get install libopenblas-dev, then pnpm rebuild @localbp/native');
  process.exit(0);
}

/** Median seconds of `run` (which returns a tensor), after warm-up. The tidy returns nothing: handed a typed array, it would walk every element. */
function timeIt(run, minSeconds = 0.6) {
  for (let i = 0; i < 2; i++) tf.tidy(() => { run().dataSync(); });
  const times = [];
  const start = performance.now();
  while (times.length < 5 || (performance.now() - start) / 1000 < minSeconds) {
    const t0 = performance.now();
    tf.tidy(() => { run().dataSync(); });
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 50) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [];
function measure(label, flops, setup) {
  const inputs = setup();
  const kernel = inputs.run;
  const wasm = timeIt(kernel);
  registerNativeKernels({ kernels: AVAILABLE_NATIVE_KERNELS });
  const native = timeIt(kernel);
  unregisterNativeKernels();
  tf.dispose(inputs.tensors);
  rows.push({ shape: label, 'wasm GFLOP/s': +(flops / wasm / 1e9).toFixed(1), 'native GFLOP/s': +(flops / native / 1e9).toFixed(1), 'native/wasm': +(wasm / native).toFixed(2) });
}

const u = (shape, seed) => tf.randomUniform(shape, -1, 1, 'float32', seed);
function matmul(m, k, n, tA, tB) {
  measure(`${m}x${k}·${k}x${n}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''}`, 2 * m * k * n, () => {
    const a = u(tA ? [k, m] : [m, k], 1);
    const b = u(tB ? [n, k] : [k, n], 2);
    return { tensors: [a, b], run: () => tf.matMul(a, b, tA, tB) };
  });
}
matmul(128, 1000, 1000, false, false);
matmul(1000, 128, 1000, true, false); // dW = xᵀ·dy of a dense layer, batch 128
matmul(128, 1000, 1000, false, true); // dx = dy·Wᵀ
matmul(512, 1024, 1024, false, false);

/** conv shapes of the conv cells: [n, h, w, cin] → cout, 3x3, stride s, 'same'. */
function conv(n, h, w, cin, cout, stride) {
  const x0 = u([n, h, w, cin], 3);
  const f0 = u([3, 3, cin, cout], 4);
  const y0 = tf.conv2d(x0, f0, stride, 'same');
  const [, oh, ow] = y0.shape;
  const flops = 2 * n * oh * ow * 9 * cin * cout;
  const name = `${n}x${h}x${w}x${cin}→${cout} s${stride}`;
  measure(`Conv2D ${name}`, flops, () => ({ tensors: [], run: () => tf.conv2d(x0, f0, stride, 'same') }));
  measure(`Conv2DBackpropInput ${name}`, flops, () => ({ tensors: [], run: () => tf.conv2dTranspose(y0, f0, [n, h, w, cin], stride, 'same') }));
  measure(`Conv2DBackpropFilter ${name}`, flops, () => ({
    tensors: [],
    run: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: x0, dy: y0 }, { strides: stride, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, cin, cout] }),
  }));
  tf.dispose([x0, f0, y0]);
}
conv(64, 28, 28, 1, 32, 2);
conv(64, 14, 14, 32, 64, 2);
conv(64, 28, 28, 32, 32, 1);
conv(64, 32, 32, 3, 32, 2);
conv(64, 16, 16, 32, 64, 2);
conv(64, 8, 8, 64, 128, 2);

console.log(`OpenBLAS: ${loadNativeAddon().blasInfo().config}, ${loadNativeAddon().blasInfo().threads} thread(s)`);
console.table(rows);
