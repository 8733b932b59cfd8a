import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22 multiplies 5–12x slower when asked to transpose an operand inside
 * BatchMatMul (measured here: 128x1000 · 1000x1000 with transposeA takes 73 ms, an explicit
 * Transpose then a plain product 8 ms). Every dense gradient needs those transposes
 * (dW = xᵀ·dy, dx = dy·Wᵀ), so training speed hinges on this. The wrapper transposes the
 * operand with wasm's own Transpose kernel first, then runs the original kernel untransposed.
 */
const WRAPPED = [tf.BatchMatMul, tf._FusedMatMul] as const;
const originals = new Map<string, KernelFunc>();

function transposeLastTwo(info: TensorInfo, backend: KernelBackend, transpose: KernelFunc): TensorInfo {
  const rank = info.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return transpose({ inputs: { x: info }, backend, attrs: { perm } }) as TensorInfo;
}

function wrap(kernelName: string, original: KernelFunc): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = inputs.a;
    const b = inputs.b;
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs });
    if (a == null || b == null) throw new Error(`${kernelName}: inputs a and b are required`);
    const kb = backend as KernelBackend;
    const transpose = tf.getKernel(tf.Transpose, 'wasm')!.kernelFunc;
    const temporaries: TensorInfo[] = [];
    const aT = transposeA ? transposeLastTwo(a, kb, transpose) : a;
    const bT = transposeB ? transposeLastTwo(b, kb, transpose) : b;
    if (transposeA) temporaries.push(aT);
    if (transposeB) temporaries.push(bT);
    try {
      return original({
        inputs: { ...inputs, a: aT, b: bT },
        backend,
        attrs: { ...(attrs as NamedAttrMap), transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) kb.disposeData(t.dataId);
    }
  };
}

/** Replaces wasm's BatchMatMul and _FusedMatMul with the transposing wrappers; idempotent. */
export function registerWasmTransposedMatMul(): void {
  for (const kernelName of WRAPPED) {
    if (originals.has(kernelName)) continue;
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing == null) continue;
    originals.set(kernelName, existing.kernelFunc);
    tf.unregisterKernel(kernelName, 'wasm');
    const config: KernelConfig = { ...existing, kernelFunc: wrap(kernelName, existing.kernelFunc) };
    tf.registerKernel(config);
  }
}
