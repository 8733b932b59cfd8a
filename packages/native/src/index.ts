export { registerNativeKernels, unregisterNativeKernels, nativeKernelsActive, NATIVE_KERNELS, AVAILABLE_NATIVE_KERNELS } from './register-native-kernels';
export type { RegisterNativeKernelsOptions } from './register-native-kernels';
export { loadNativeAddon, isNativeAddonAvailable, NativeAddonUnavailableError, ADDON_NOT_BUILT, blasCoreChoice } from './native-addon';
export type { BlasInfo, NativeAddon } from './native-addon';
export { loadWithRecordedBlasCore } from './blas-core-choice';
export type { BlasCoreChoice } from './blas-core-choice';
export { nativeVersions } from './native-versions';
export { NATIVE_VERSION } from './version';
