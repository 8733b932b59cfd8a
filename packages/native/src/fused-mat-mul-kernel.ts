import type { _FusedMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { activationCode } from './activation-code';
import { matMulProduct } from './mat-mul-product';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend, byteOffset } from './wasm-heap';

/**
 * Whether `operand` broadcasts onto `out` as a repeating trailing block (leading 1s dropped, the rest equal
 * to the output's last dims): then element i of the output pairs with element i % size of the operand.
 */
function isTrailingBlock(operand: readonly number[], out: readonly number[]): boolean {
  let first = 0;
  while (first < operand.length && operand[first] === 1) first++;
  const block = operand.slice(first);
  if (block.length > out.length) return false;
  const tail = out.slice(out.length - block.length);
  return block.every((d, i) => d === tail[i]);
}

/** _FusedMatMul: sgemm, then bias and activation in one pass in C; unusual broadcasts fall back to wasm. */
export function nativeFusedMatMul(addon: NativeAddon, fallback: KernelFunc | undefined): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights: alpha } = args.inputs;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as _FusedMatMulAttrs;
    const backend = asWasmHeapBackend(args.backend);
    if (a == null || b == null) throw new Error('_FusedMatMul: inputs a and b are required');
    const code = activationCode(activation);
    const isPrelu = code === activationCode('prelu');
    const product =
      backend !== undefined && code !== undefined && (bias == null || bias.dtype === 'float32') && (!isPrelu || alpha?.dtype === 'float32')
        ? matMulProduct(addon, backend, a, b, !!transposeA, !!transposeB)
        : undefined;
    const fits =
      product !== undefined &&
      (bias == null || isTrailingBlock(bias.shape, product.out.shape)) &&
      (!isPrelu || isTrailingBlock(alpha!.shape, product.out.shape));
    if (!product || !backend || !fits) {
      if (product && backend) backend.disposeData(product.out.dataId);
      if (!fallback) throw new Error('_FusedMatMul: the native kernel cannot take these inputs and has no fallback');
      return fallback(args) as TensorInfo;
    }
    const biasCount = bias == null ? 0 : bias.shape.reduce((p, d) => p * d, 1);
    const alphaCount = alpha == null || !isPrelu ? 0 : alpha.shape.reduce((p, d) => p * d, 1);
    if (biasCount > 0 || code !== 0) {
      addon.matmulEpilogue(
        product.heap,
        byteOffset(backend, product.out),
        product.size,
        code!,
        biasCount > 0 ? byteOffset(backend, bias!) : -1,
        biasCount,
        alphaCount > 0 ? byteOffset(backend, alpha!) : -1,
        alphaCount,
        leakyreluAlpha ?? 0.2,
      );
    }
    return product.out;
  };
}
