import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { wasmConv2dBackpropFilterConfig } from './wasm-conv2d-backprop-filter';
import { registerWasmSharedIdentity } from './wasm-shared-identity';
import { registerWasmTransposedMatMul } from './wasm-transposed-matmul';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks for training conv nets. Everything else a
 * conv autoencoder needs (Conv2DBackpropInput, Step, FusedBatchNorm, Adam's ops…)
 * is native.
 */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [wasmConv2dBackpropFilterConfig];

/** Registers the missing wasm training kernels, the fast transposed matMul and the sharing Identity; safe to call repeatedly. */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    // Never shadow a native kernel should a later wasm backend ship one.
    if (tf.getKernel(config.kernelName, config.backendName) == null) {
      tf.registerKernel(config);
    }
  }
  registerWasmTransposedMatMul();
  registerWasmSharedIdentity();
}
