import type { KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend, byteOffset, heapBuffer } from './wasm-heap';

/**
 * The axes reduced, when they are exactly the leading ones (0..k-1, k < rank) of a float32 tensor: the
 * shape of every bias and layer-norm gradient over a batch. Null for anything else.
 */
export function leadingReduction(shape: readonly number[], axis: number | number[], dtype: string): { reduced: number; outer: number; inner: number } | null {
  if (dtype !== 'float32') return null;
  const rank = shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return null;
  const outer = shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axes.length).reduce((p, d) => p * d, 1);
  return outer > 0 && inner > 0 ? { reduced: axes.length, outer, inner } : null;
}

/**
 * Sum over leading axes in C, row by row (wasm's Sum transposes such a tensor before reducing it, six times
 * slower on [128, 1000]); every other reduction goes to `fallback`, the kernel this one replaces.
 */
export function nativeSum(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { x } = args.inputs;
    if (x == null) throw new Error('Sum: input x is required');
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const backend = asWasmHeapBackend(args.backend);
    const plan = backend ? leadingReduction(x.shape, axis, x.dtype) : null;
    if (!backend || !plan) {
      if (!fallback) throw new Error('Sum: the native kernel cannot take these inputs and has no fallback');
      return fallback(args) as TensorInfo;
    }
    const outShape = keepDims ? x.shape.map((d, i) => (i < plan.reduced ? 1 : d)) : x.shape.slice(plan.reduced);
    const out = backend.makeOutput(outShape, 'float32');
    // After the allocation: it may have grown the heap and replaced its buffer.
    const heap = heapBuffer(backend);
    if (!heap) {
      backend.disposeData(out.dataId);
      if (!fallback) throw new Error('Sum: the wasm heap is not a plain ArrayBuffer');
      return fallback(args) as TensorInfo;
    }
    addon.sumOuter(heap, plan.outer, plan.inner, byteOffset(backend, x), byteOffset(backend, out));
    return out;
  };
}
