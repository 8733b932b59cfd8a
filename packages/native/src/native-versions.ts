import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { loadNativeAddon } from './native-addon';
import { NATIVE_VERSION } from './version';

/** Versions the native engine contributes to a run's record: this package, wasm, and OpenBLAS's config. */
export function nativeVersions(): Record<string, string> {
  const blas = loadNativeAddon().blasInfo();
  return {
    'localbp-native': NATIVE_VERSION,
    'tfjs-backend-wasm': version_wasm,
    openblas: `${blas.config} (core ${blas.core}, ${blas.threads} thread${blas.threads === 1 ? '' : 's'})`,
  };
}
