import { it } from 'vitest';
import { isNativeAddonAvailable, loadNativeAddon } from './native-addon';

/**
 * Test policy for the addon: CI installs OpenBLAS, so there (CI set) or wherever the addon is built, native tests
 * run and a missing addon fails loudly; elsewhere they skip with one printed line.
 */
export const NATIVE_BUILT = isNativeAddonAvailable();
export const NATIVE_REQUIRED = NATIVE_BUILT || !!process.env.CI;
export const SKIP_NATIVE = !NATIVE_REQUIRED;

if (SKIP_NATIVE) {
  console.log('[@localbp/native] native kernel tests skipped: addon not built (apt-get install libopenblas-dev, then pnpm rebuild @localbp/native)');
}

/** A test that fails, naming the fix, when the addon is required but missing. */
export function itRequiresAddon(): void {
  it.skipIf(SKIP_NATIVE)('has the OpenBLAS addon built (apt-get install libopenblas-dev, then pnpm rebuild @localbp/native)', () => {
    loadNativeAddon();
  });
}
