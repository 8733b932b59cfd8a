import { createRequire } from 'node:module';
import { loadWithRecordedBlasCore, type BlasCoreChoice } from './blas-core-choice';

/** What the compiled addon (src/addon/*.c) exports. Offsets are byte offsets into `heap`. */
export interface NativeAddon {
  adamwUpdate(
    heap: ArrayBuffer,
    count: number,
    w: number,
    g: number,
    m: number,
    v: number,
    wOut: number,
    mOut: number,
    vOut: number,
    beta1: number,
    beta2: number,
    decay: number,
    lrT: number,
    epsilon: number,
  ): void;
  gemmBatch(
    heap: ArrayBuffer,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffsets: Float64Array,
    bOffsets: Float64Array,
    cOffsets: Float64Array,
    beta: number,
  ): void;
  matmulEpilogue(
    heap: ArrayBuffer,
    outOffset: number,
    count: number,
    activation: number,
    biasOffset: number,
    biasCount: number,
    alphaOffset: number,
    alphaCount: number,
    leakyreluAlpha: number,
  ): void;
  conv2dForward(heap: ArrayBuffer, xOffset: number, filterOffset: number, yOffset: number, geometry: Int32Array): void;
  conv2dBackpropInput(heap: ArrayBuffer, dyOffset: number, filterOffset: number, dxOffset: number, geometry: Int32Array): void;
  conv2dBackpropFilter(heap: ArrayBuffer, xOffset: number, dyOffset: number, dwOffset: number, geometry: Int32Array): void;
  /** Sums a row-major [outer, inner] block over its rows into `inner` floats. */
  sumOuter(heap: ArrayBuffer, outer: number, inner: number, xOffset: number, outOffset: number): void;
  /** Layer normalization over the last axis of [rows, cols]: y, and each row's mean and 1/sqrt(var + epsilon). */
  layerNormForward(heap: ArrayBuffer, rows: number, cols: number, x: number, gamma: number, beta: number, y: number, mean: number, rstd: number, epsilon: number): void;
  /** Its gradients: dx, and dgamma, dbeta summed over the rows. */
  layerNormBackward(heap: ArrayBuffer, rows: number, cols: number, dy: number, x: number, gamma: number, mean: number, rstd: number, dx: number, dgamma: number, dbeta: number): void;
  blasInfo(): BlasInfo;
}

/** The OpenBLAS the addon linked, as it reports itself. */
export interface BlasInfo {
  /** `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  config: string;
  /** The kernel set OpenBLAS picked for this CPU. */
  core: string;
  threads: number;
}

/** Thrown when the addon is not built or cannot load; the message is one line, fit for `--backend auto`'s notice. */
export class NativeAddonUnavailableError extends Error {
  override readonly name = 'NativeAddonUnavailableError';
}

export const ADDON_NOT_BUILT =
  'addon not built (libopenblas-dev missing? apt-get install libopenblas-dev, then pnpm rebuild @localbp/native)';

// Relative to dist/index.js and to src/*.ts alike: both sit one level below the package root.
const ADDON_PATH = '../build/Release/localbp_native.node';

let coreChoice: BlasCoreChoice = { source: 'openblas' };

/** How OpenBLAS's kernel set was chosen in this process (meaningful once the addon has loaded). */
export function blasCoreChoice(): BlasCoreChoice {
  return coreChoice;
}

let cached: { addon?: NativeAddon; error?: NativeAddonUnavailableError } | undefined;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}

function load(): NativeAddon {
  const require = createRequire(import.meta.url);
  let resolved: string;
  try {
    resolved = require.resolve(ADDON_PATH);
  } catch {
    throw new NativeAddonUnavailableError(ADDON_NOT_BUILT);
  }
  try {
    const loaded = loadWithRecordedBlasCore(resolved, import.meta.url, () => require(resolved) as NativeAddon);
    coreChoice = loaded.choice;
    return loaded.addon;
  } catch (error) {
    // Built, yet unloadable: typically libopenblas.so removed or an addon built for another Node.
    throw new NativeAddonUnavailableError(`addon failed to load: ${firstLine(error)}`);
  }
}

/** Loads the addon once per thread; throws NativeAddonUnavailableError (cached) when it cannot. */
export function loadNativeAddon(): NativeAddon {
  if (cached === undefined) {
    try {
      cached = { addon: load() };
    } catch (error) {
      cached = { error: error instanceof NativeAddonUnavailableError ? error : new NativeAddonUnavailableError(firstLine(error)) };
    }
  }
  if (cached.error) throw cached.error;
  return cached.addon!;
}

/** Whether the addon is built and loads here. */
export function isNativeAddonAvailable(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}
