import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { batchOffsets, denseOffsets } from './batch-offsets';
import type { NativeAddon } from './native-addon';
import { byteOffset, heapBuffer } from './wasm-heap';
import type { WasmHeapBackend } from './wasm-heap';

/** A product computed in place, with the sizes an epilogue needs. */
export interface Product {
  out: TensorInfo;
  heap: ArrayBuffer;
  /** Output element count. */
  size: number;
}

/**
 * op(A)·op(B) over broadcast batch dims into a fresh wasm output, transposes handed straight to sgemm.
 * Undefined when the inputs are not something sgemm can take (dtype, empty, shared heap): callers fall back.
 */
export function matMulProduct(
  addon: NativeAddon,
  backend: WasmHeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): Product | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
        `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const outShape = [...outBatch, m, n];
  const size = tf.util.sizeFromShape(outShape);
  if (size === 0 || k === 0) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  // After makeOutput: its malloc may have grown (and so replaced) the heap.
  const heap = heapBuffer(backend);
  if (heap === undefined) {
    backend.disposeData(out.dataId);
    return undefined;
  }
  const items = size / (m * n);
  addon.gemmBatch(
    heap,
    transposeA,
    transposeB,
    m,
    n,
    k,
    batchOffsets(outBatch, aBatch, byteOffset(backend, a), m * k * 4),
    batchOffsets(outBatch, bBatch, byteOffset(backend, b), k * n * 4),
    denseOffsets(items, byteOffset(backend, out), m * n * 4),
    0,
  );
  return { out, heap, size };
}
