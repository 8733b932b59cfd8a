import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/**
 * tfjs-backend-wasm 4.22's Identity copies its input, and tfjs-core clones (Identity) every tensor
 * it saves for a backward pass: about a hundred copies per training step of the main job. Tensors
 * are immutable (variables change by taking a new data id), and wasm's own Reshape already shares
 * data by reference count, so Identity shares too, as the cpu backend's does.
 */
export const sharedIdentityKernelFunc: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo | undefined;
  if (x == null) throw new Error('Identity: input x is required');
  (backend as KernelBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

let original: KernelConfig | undefined;

/** Replaces wasm's copying Identity with the sharing one; idempotent. */
export function registerWasmSharedIdentity(): void {
  if (original) return;
  const existing = tf.getKernel(tf.Identity, 'wasm');
  if (existing == null) return;
  original = existing;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ kernelName: tf.Identity, backendName: 'wasm', kernelFunc: sharedIdentityKernelFunc });
}
