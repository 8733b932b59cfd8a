import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend, byteOffset, heapBuffer, type WasmHeapBackend } from './wasm-heap';

/** The kernel names @localbp/core's layer normalization runs when a backend registers both (same names there). */
export const LAYER_NORM_KERNEL = 'LocalbpLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'LocalbpLayerNormGrad';

/** Rows and columns of a float32 tensor normalized over its last axis; throws naming the kernel and input otherwise. */
function rowsAndCols(kernel: string, name: string, t: TensorInfo): { rows: number; cols: number } {
  const cols = t.shape.at(-1);
  if (t.dtype !== 'float32' || cols === undefined || cols <= 0) {
    throw new Error(`${kernel}: ${name} must be a float32 tensor of rank ≥ 1 with a non-empty last axis, got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  return { rows: t.shape.reduce((p, d) => p * d, 1) / cols, cols };
}

function expectShape(kernel: string, name: string, t: TensorInfo, count: number): void {
  const size = t.shape.reduce((p, d) => p * d, 1);
  if (t.dtype !== 'float32' || size !== count) throw new Error(`${kernel}: ${name} must be float32 with ${count} elements, got ${t.dtype} [${t.shape.join(', ')}]`);
}

function wasmHeap(kernel: string, anyBackend: unknown): WasmHeapBackend {
  const backend = asWasmHeapBackend(anyBackend);
  if (!backend) throw new Error(`${kernel} runs only on the wasm backend`);
  return backend;
}

function heapOf(kernel: string, backend: WasmHeapBackend): ArrayBuffer {
  const heap = heapBuffer(backend);
  if (!heap) throw new Error(`${kernel}: the wasm heap is not a plain ArrayBuffer`);
  return heap;
}

/** [y, mean, rstd] from { x, gamma, beta }, normalizing over x's last axis; mean and rstd are [rows]. */
export function nativeLayerNorm(addon: NativeAddon): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, TensorInfo | undefined>;
    if (!x || !gamma || !beta) throw new Error(`${LAYER_NORM_KERNEL}: inputs x, gamma and beta are required`);
    const { rows, cols } = rowsAndCols(LAYER_NORM_KERNEL, 'x', x);
    expectShape(LAYER_NORM_KERNEL, 'gamma', gamma, cols);
    expectShape(LAYER_NORM_KERNEL, 'beta', beta, cols);
    const epsilon = Number((attrs as { epsilon?: unknown } | undefined)?.epsilon);
    if (!(epsilon > 0)) throw new Error(`${LAYER_NORM_KERNEL}: attribute epsilon must be a positive number`);
    const backend = wasmHeap(LAYER_NORM_KERNEL, anyBackend);
    const outs = [backend.makeOutput([...x.shape], 'float32'), backend.makeOutput([rows], 'float32'), backend.makeOutput([rows], 'float32')];
    // An empty batch has nothing to normalize (and its outputs no place on the heap).
    if (rows === 0) return outs;
    // After every allocation: growing the heap replaces its buffer.
    const heap = heapOf(LAYER_NORM_KERNEL, backend);
    const at = (t: TensorInfo) => byteOffset(backend, t);
    addon.layerNormForward(heap, rows, cols, at(x), at(gamma), at(beta), at(outs[0]!), at(outs[1]!), at(outs[2]!), epsilon);
    return outs;
  };
}

/** [dx, dgamma, dbeta] from { dy, x, gamma, mean, rstd } (mean and rstd as the forward kernel gave them). */
export function nativeLayerNormGrad(addon: NativeAddon): KernelFunc {
  return ({ inputs, backend: anyBackend }) => {
    const { dy, x, gamma, mean, rstd } = inputs as Record<string, TensorInfo | undefined>;
    if (!dy || !x || !gamma || !mean || !rstd) throw new Error(`${LAYER_NORM_GRAD_KERNEL}: inputs dy, x, gamma, mean and rstd are required`);
    const { rows, cols } = rowsAndCols(LAYER_NORM_GRAD_KERNEL, 'x', x);
    expectShape(LAYER_NORM_GRAD_KERNEL, 'dy', dy, rows * cols);
    expectShape(LAYER_NORM_GRAD_KERNEL, 'gamma', gamma, cols);
    expectShape(LAYER_NORM_GRAD_KERNEL, 'mean', mean, rows);
    expectShape(LAYER_NORM_GRAD_KERNEL, 'rstd', rstd, rows);
    const backend = wasmHeap(LAYER_NORM_GRAD_KERNEL, anyBackend);
    const outs = [backend.makeOutput([...x.shape], 'float32'), backend.makeOutput([...gamma.shape], 'float32'), backend.makeOutput([...gamma.shape], 'float32')];
    const heap = heapOf(LAYER_NORM_GRAD_KERNEL, backend);
    const at = (t: TensorInfo) => byteOffset(backend, t);
    if (rows === 0) {
      // Sums over no rows: dgamma and dbeta are zero.
      for (const out of outs.slice(1)) new Float32Array(heap, at(out), cols).fill(0);
      return outs;
    }
    addon.layerNormBackward(heap, rows, cols, at(dy), at(x), at(gamma), at(mean), at(rstd), at(outs[0]!), at(outs[1]!), at(outs[2]!));
    return outs;
  };
}
