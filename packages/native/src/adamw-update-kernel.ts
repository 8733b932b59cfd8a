import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from './native-addon';
import { asWasmHeapBackend, byteOffset, heapBuffer, soleOwner } from './wasm-heap';

/** The kernel name @localbp/core's AdamW optimizer runs when a backend registers it (`ADAMW_UPDATE_KERNEL` there). */
export const ADAMW_UPDATE_KERNEL = 'LocalbpAdamWUpdate';

interface AdamWUpdateAttrs {
  beta1: number;
  beta2: number;
  decay: number;
  lrT: number;
  epsilon: number;
}

/**
 * One AdamW step of a variable in a single pass in C: [variable', m', v'] from { variable, gradient, m, v }.
 * When the variable and both moments are each their data's only holder (the optimizer's own variables, nothing else
 * sharing them), the step overwrites them in place and returns the same data: AdamW is memory-bound, and writing
 * fresh buffers doubles its traffic. Anything else sharing that data (a clone, a reshape, a saved activation) makes
 * it write fresh outputs, so no other tensor ever sees a value change.
 */
export function nativeAdamWUpdate(addon: NativeAddon): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const { variable, gradient, m, v } = inputs as Record<string, TensorInfo | undefined>;
    if (!variable || !gradient || !m || !v) throw new Error(`${ADAMW_UPDATE_KERNEL}: inputs variable, gradient, m and v are required`);
    const backend = asWasmHeapBackend(anyBackend);
    if (!backend) throw new Error(`${ADAMW_UPDATE_KERNEL} runs only on the wasm backend`);
    const count = variable.shape.reduce((p, d) => p * d, 1);
    for (const [name, t] of Object.entries({ gradient, m, v })) {
      if (t.shape.reduce((p, d) => p * d, 1) !== count || t.dtype !== 'float32') {
        throw new Error(`${ADAMW_UPDATE_KERNEL}: ${name} must be float32 shaped like the variable [${variable.shape.join(', ')}]`);
      }
    }
    const shape = [...variable.shape];
    const a = attrs as unknown as AdamWUpdateAttrs;
    const inPlace = soleOwner(backend, variable) && soleOwner(backend, m) && soleOwner(backend, v);
    // In place the outputs are the inputs' own data, one more holder each; else fresh buffers.
    const outs = inPlace
      ? [variable, m, v].map((t) => {
          backend.incRef(t.dataId);
          return { dataId: t.dataId, shape, dtype: 'float32' as const };
        })
      : [backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32')];
    // After any allocation: it may have grown the heap and replaced its buffer.
    const heap = heapBuffer(backend);
    if (!heap) throw new Error(`${ADAMW_UPDATE_KERNEL}: the wasm heap is not a plain ArrayBuffer`);
    const at = (t: TensorInfo) => byteOffset(backend, t);
    addon.adamwUpdate(heap, count, at(variable), at(gradient), at(m), at(v), at(outs[0]!), at(outs[1]!), at(outs[2]!), a.beta1, a.beta2, a.decay, a.lrT, a.epsilon);
    return outs;
  };
}
