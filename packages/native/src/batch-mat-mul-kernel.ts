import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { matMulProduct } from './mat-mul-product';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend } from './wasm-heap';

/** BatchMatMul through cblas_sgemm; `fallback` (the kernel it replaces) takes what sgemm cannot. */
export function nativeBatchMatMul(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const backend = asWasmHeapBackend(args.backend);
    if (a == null || b == null) throw new Error('BatchMatMul: inputs a and b are required');
    const product = backend && matMulProduct(addon, backend, a, b, !!transposeA, !!transposeB);
    if (product) return product.out;
    if (!fallback) throw new Error('BatchMatMul: the native kernel cannot take these inputs and has no fallback');
    return fallback(args) as TensorInfo;
  };
}
