// Runs in a worker thread (worker-threads.test.ts): the addon must load once per thread, each with its own workspace.
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { registerNativeKernels } from '../dist/index.js';

tf.enableProdMode();
await tf.setBackend('wasm');
registerNativeKernels();
const { seed } = workerData;
const x = tf.randomUniform([8, 14, 14, 4], -1, 1, 'float32', seed);
const w = tf.randomUniform([3, 3, 4, 8], -1, 1, 'float32', seed + 1);
let sum = 0;
for (let i = 0; i < 20; i++) {
  const g = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f, 2, 'same'))))(w);
  sum = tf.sum(tf.matMul(g.reshape([36, 8]), g.reshape([36, 8]), true, false)).dataSync()[0];
  g.dispose();
}
parentPort.postMessage(sum);
