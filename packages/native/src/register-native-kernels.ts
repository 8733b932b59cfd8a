import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, which these kernels replace and fall back to.
import '@tensorflow/tfjs-backend-wasm';
import { ADAMW_UPDATE_KERNEL, nativeAdamWUpdate } from './adamw-update-kernel';
import { nativeBatchMatMul } from './batch-mat-mul-kernel';
import { nativeConv2D, nativeConv2DBackpropFilter, nativeConv2DBackpropInput } from './conv2d-kernels';
import { nativeFusedMatMul } from './fused-mat-mul-kernel';
import { nativeSum } from './sum-kernel';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, nativeLayerNorm, nativeLayerNormGrad } from './layer-norm-kernels';
import { loadNativeAddon } from './native-addon';
import type { NativeAddon } from './native-addon';

type KernelFactory = (addon: NativeAddon, fallback: KernelFunc | undefined) => KernelFunc;

/**
 * Every kernel the addon can serve. `NATIVE_KERNELS` (below) is the subset registered by default: the ones
 * packages/native/bench/matmul-bench.mjs measures faster than the wasm kernels they replace.
 */
const FACTORIES: Readonly<Record<string, KernelFactory>> = {
  [tf.BatchMatMul]: nativeBatchMatMul,
  [tf._FusedMatMul]: nativeFusedMatMul,
  [tf.Conv2D]: nativeConv2D,
  [tf.Conv2DBackpropInput]: nativeConv2DBackpropInput,
  [tf.Conv2DBackpropFilter]: nativeConv2DBackpropFilter,
  [ADAMW_UPDATE_KERNEL]: (addon) => nativeAdamWUpdate(addon),
  [tf.Sum]: nativeSum,
  [LAYER_NORM_KERNEL]: (addon) => nativeLayerNorm(addon),
  [LAYER_NORM_GRAD_KERNEL]: (addon) => nativeLayerNormGrad(addon),
};

/** Kernel names that `registerNativeKernels()` puts on the wasm backend by default. */
export const NATIVE_KERNELS: readonly string[] = [tf.BatchMatMul, tf._FusedMatMul, tf.Conv2D, tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter, ADAMW_UPDATE_KERNEL, tf.Sum, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL];

/** Kernel names the addon implements, registered or not. */
export const AVAILABLE_NATIVE_KERNELS: readonly string[] = Object.keys(FACTORIES);

// What each registered name replaced (undefined: nothing was registered), to restore on unregister.
const replaced = new Map<string, KernelConfig | undefined>();

/** Options of `registerNativeKernels`. */
export interface RegisterNativeKernelsOptions {
  /** Kernel names to register (default `NATIVE_KERNELS`). */
  kernels?: readonly string[];
}

/**
 * Puts the OpenBLAS kernels on the wasm backend, each replacing (and falling back to) whatever wasm kernel is
 * registered now, e.g. @localbp/core's transposing matMul wrapper. Idempotent; throws
 * NativeAddonUnavailableError when the addon is not built.
 */
export function registerNativeKernels(options: RegisterNativeKernelsOptions = {}): void {
  const addon = loadNativeAddon();
  const wanted = options.kernels ?? NATIVE_KERNELS;
  // A different selection than the active one: start from the kernels they replaced.
  const same = wanted.length === replaced.size && wanted.every((name) => replaced.has(name));
  if (same) return;
  unregisterNativeKernels();
  for (const name of wanted) {
    const factory = FACTORIES[name];
    if (factory === undefined) throw new Error(`@localbp/native has no "${name}" kernel; it has ${AVAILABLE_NATIVE_KERNELS.join(', ')}`);
    const previous = tf.getKernel(name, 'wasm');
    if (previous) tf.unregisterKernel(name, 'wasm');
    replaced.set(name, previous);
    // The replaced kernel's setup (wasm binds its C function there) still has to run when wasm initializes,
    // or the fallback finds its function unbound.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: factory(addon, previous?.kernelFunc), ...(previous?.setupFunc ? { setupFunc: previous.setupFunc } : {}) });
  }
}

/** Restores the wasm kernels the native ones replaced; idempotent. */
export function unregisterNativeKernels(): void {
  for (const [name, previous] of replaced) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    if (previous) tf.registerKernel(previous);
  }
  replaced.clear();
}

/** Whether the native kernels are registered on the wasm backend now. */
export function nativeKernelsActive(): boolean {
  return replaced.size > 0;
}
