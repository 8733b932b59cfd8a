import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { blasCoreChoice, loadNativeAddon } from './native-addon';
import { NATIVE_VERSION } from './version';

/** Versions the native engine contributes to a run's record: this package, wasm, and OpenBLAS's config. */
export function nativeVersions(): Record<string, string> {
  const blas = loadNativeAddon().blasInfo();
  const choice = blasCoreChoice();
  const how =
    choice.source === 'measured'
      ? ', measured fastest at install'
      : choice.source === 'user'
        ? ', OPENBLAS_CORETYPE'
        : '';
  return {
    'localbp-native': NATIVE_VERSION,
    'tfjs-backend-wasm': version_wasm,
    openblas: `${blas.config} (core ${blas.core}${how}, ${blas.threads} thread${blas.threads === 1 ? '' : 's'})`,
  };
}
