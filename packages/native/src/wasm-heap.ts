import type { DataId, TensorInfo } from '@tensorflow/tfjs';

/**
 * The parts of tfjs-backend-wasm's BackendWasm the kernels use. Typed structurally because the package
 * does not export the data map's entry type.
 */
export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number | null; refCount?: number } | undefined };
  incRef(dataId: DataId): void;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The wasm backend as a WasmHeapBackend, or undefined for anything else (then kernels fall back). */
export function asWasmHeapBackend(backend: unknown): WasmHeapBackend | undefined {
  const candidate = backend as Partial<WasmHeapBackend> | null;
  return candidate?.wasm?.HEAPU8 instanceof Uint8Array && candidate.dataIdMap != null && typeof candidate.makeOutput === 'function' && typeof candidate.incRef === 'function'
    ? (candidate as WasmHeapBackend)
    : undefined;
}

/**
 * The heap as a plain ArrayBuffer. Read it after every allocation: growing wasm memory replaces the buffer.
 * Undefined for a threaded build's SharedArrayBuffer, which N-API on Node 20 cannot address.
 */
export function heapBuffer(backend: WasmHeapBackend): ArrayBuffer | undefined {
  const buffer = backend.wasm.HEAPU8.buffer;
  return buffer instanceof ArrayBuffer ? buffer : undefined;
}

/** Byte offset of a tensor's data in the heap. */
export function byteOffset(backend: WasmHeapBackend, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (offset == null) throw new Error('localbp-native: tensor has no data on the wasm heap');
  return offset;
}

/** Whether a tensor's data is held by that one tensor alone (tfjs counts every tensor and kernel that shares data). */
export function soleOwner(backend: WasmHeapBackend, info: TensorInfo): boolean {
  return backend.dataIdMap.get(info.dataId)?.refCount === 1;
}
