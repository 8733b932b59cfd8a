#!/usr/bin/env node
// Child of choose-blas-core.mjs: loads the addon under whatever OPENBLAS_CORETYPE the parent set, checks a few
// products against a float64 reference and times the shapes localbp trains with. Prints one JSON line.
// A kernel set this CPU cannot run dies here (SIGILL), in this child, never in a training process.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require('../build/Release/localbp_native.node');
const info = addon.blasInfo();

const FLOAT = 4;
/** Lays out row-major matrices in one buffer; returns it with each one's byte offset. */
function layout(sizes) {
  const offsets = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size * FLOAT;
  }
  return { heap: new ArrayBuffer(total), offsets };
}

function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** op(A)·op(B) + beta·C through the addon, checked against float64; returns the worst relative error. */
function check(m, n, k, transA, transB, beta = 0) {
  const { heap, offsets } = layout([m * k, k * n, m * n]);
  const [ao, bo, co] = offsets;
  const a = new Float32Array(heap, ao, m * k);
  const b = new Float32Array(heap, bo, k * n);
  const rand = seeded(m * 31 + n * 7 + k);
  a.forEach((_, i) => (a[i] = rand()));
  b.forEach((_, i) => (b[i] = rand()));
  const c = new Float32Array(heap, co, m * n);
  c.forEach((_, i) => (c[i] = rand()));
  const before = Float64Array.from(c);
  addon.gemmBatch(heap, transA, transB, m, n, k, new Float64Array([ao]), new Float64Array([bo]), new Float64Array([co]), beta);
  const at = (i, p) => (transA ? a[p * m + i] : a[i * k + p]);
  const bt = (p, j) => (transB ? b[j * k + p] : b[p * n + j]);
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = beta * before[i * n + j];
      let scale = Math.abs(sum);
      for (let p = 0; p < k; p++) {
        sum += at(i, p) * bt(p, j);
        scale += Math.abs(at(i, p) * bt(p, j));
      }
      worst = Math.max(worst, Math.abs(c[i * n + j] - sum) / Math.max(scale, 1e-30));
    }
  }
  return worst;
}

/** Median GFLOP/s of op(A)·op(B) over repeated runs. */
function time(m, n, k, transA, transB) {
  const { heap, offsets } = layout([m * k, k * n, m * n]);
  const [ao, bo, co] = offsets;
  new Float32Array(heap, ao, m * k).fill(0.5);
  new Float32Array(heap, bo, k * n).fill(0.25);
  const args = [heap, transA, transB, m, n, k, new Float64Array([ao]), new Float64Array([bo]), new Float64Array([co]), 0];
  addon.gemmBatch(...args);
  const times = [];
  const started = performance.now();
  while (times.length < 5 || (times.length < 40 && performance.now() - started < 150)) {
    const t0 = performance.now();
    addon.gemmBatch(...args);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return (2 * m * n * k) / (times[Math.floor(times.length / 2)] * 1e6);
}

// Small and large, every transpose pair, and accumulation (beta = 1, as the convolution kernels use it).
const error = Math.max(
  check(37, 53, 29, false, false),
  check(37, 53, 29, true, false),
  check(37, 53, 29, false, true),
  check(64, 17, 130, true, true),
  check(130, 300, 260, false, true, 1),
  check(257, 129, 200, true, false, 1),
);
// The products of a dense cell's step at batch 128: forward, weight gradient, input gradient.
const gflops = [time(128, 1000, 1000, false, false), time(1000, 1000, 128, true, false), time(128, 1000, 1000, false, true)];
console.log(JSON.stringify({ core: info.core, config: info.config, error, gflops }));
