import * as tf from '@tensorflow/tfjs';
import { AUTO_BACKEND_ORDER } from './backend-name';
import type { BackendChoice, BackendName } from './backend-name';
import { BackendUnavailableError, oneLineReason } from './backend-unavailable-error';
import { registerBroadcastReductionGradients } from './broadcast-reduction-gradients';
import { registerWasmTrainingKernels } from './wasm-training-kernels';

/** One backend tried by `auto`, and why it was skipped. */
export interface BackendAttempt {
  name: BackendName;
  /** One-line reason when this backend could not be used. */
  error?: string;
}

/** The backend in use, why it was chosen, and the tfjs versions: recorded with every run. */
export interface ResolvedBackend {
  name: BackendName;
  /** What tf.getBackend() reports afterwards. */
  tfBackend: string;
  /** Human-readable sentence: why this backend was picked. */
  reason: string;
  tried: BackendAttempt[];
  /** tfjs-core / tfjs plus the active backend package's version. */
  versions: Record<string, string>;
}

/** Options of `resolveBackend`. */
export interface ResolveBackendOptions {
  /** Don't print the one-line notice when `auto` falls back. */
  quiet?: boolean;
}

/** Package versions a backend contributes to ResolvedBackend.versions. */
type BackendVersions = Record<string, string>;

// Spelled through a variable so TypeScript and bundlers leave the optional,
// possibly absent package alone.
const TFJS_NODE_PACKAGE: string = '@tensorflow/tfjs-node';
// An optional dependency too: core never imports it at build time (it does not depend on core either).
const NATIVE_PACKAGE: string = '@localbp/native';

/** What core uses of @localbp/native. */
interface NativeEngine {
  registerNativeKernels(): void;
  unregisterNativeKernels(): void;
  nativeKernelsActive(): boolean;
  nativeVersions(): Record<string, string>;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions?.node != null;
}

// Imports are cached: a failed native load is not retried on every call.
let tfjsNodeImport: Promise<unknown> | undefined;
// Loaded on demand: importing it registers the wasm backend with tfjs.
let wasmImport: Promise<typeof import('@tensorflow/tfjs-backend-wasm')> | undefined;
let nativeImport: Promise<NativeEngine> | undefined;
// Set once @localbp/native imported: switching to plain wasm must take its kernels off again.
let nativeEngine: NativeEngine | undefined;

/** tfjs-node exports `version` as { 'tfjs-node': '4.x', ... }. */
function tfjsNodeVersion(module: unknown): BackendVersions {
  let version = (module as { version?: unknown } | null)?.version;
  if (typeof version === 'object' && version !== null) {
    version = (version as Record<string, unknown>)['tfjs-node'];
  }
  return typeof version === 'string' ? { 'tfjs-node': version } : {};
}

/**
 * Runs tf.setBackend while capturing the warnings tfjs prints on init failure
 * (prod mode would swallow them), so the failure reason can be reported.
 */
async function setBackendCapturingWarnings(name: string): Promise<{ ok: boolean; warnings: string[] }> {
  const env = tf.env();
  const wasProd = env.getBool('PROD');
  const originalWarn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  env.set('PROD', false);
  try {
    return { ok: await tf.setBackend(name), warnings };
  } finally {
    env.set('PROD', wasProd);
    console.warn = originalWarn;
  }
}

async function activate(name: string): Promise<void> {
  registerBroadcastReductionGradients();
  if (tf.findBackendFactory(name) == null) {
    throw new Error(`no "${name}" backend is registered with @tensorflow/tfjs-core`);
  }
  // Null on a fresh engine, despite the string type.
  const previous: string | null = tf.getBackend();
  try {
    if (previous !== name) {
      const { ok, warnings } = await setBackendCapturingWarnings(name);
      if (!ok || tf.getBackend() !== name) {
        // tfjs warns "Initialization of backend X failed", then the cause's stack.
        const cause = warnings.find((w) => !w.startsWith('Initialization of backend'));
        const reason = cause ? oneLineReason(cause).replace(/^Error: /, '') : undefined;
        throw new Error(reason ?? `tf.setBackend('${name}') failed`);
      }
    }
    // A backend can register yet be broken (e.g. wasm binary missing): run one op.
    const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
    const value = sum.dataSync()[0];
    sum.dispose();
    if (value !== 3) throw new Error(`backend "${name}" computed 1 + 2 = ${value}`);
  } catch (error) {
    // A failed setBackend leaves tfjs pointing at the broken backend, so every
    // later op would fail: go back to what worked before (cpu on a fresh engine).
    const fallback = previous !== null && previous !== name ? previous : 'cpu';
    if (name !== fallback) await tf.setBackend(fallback).catch(() => false);
    throw error;
  }
}

async function loadTensorflow(): Promise<BackendVersions> {
  tfjsNodeImport ??= import(/* @vite-ignore */ TFJS_NODE_PACKAGE);
  const module = await tfjsNodeImport;
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(
      '@tensorflow/tfjs-node loaded but registered no "tensorflow" backend here ' +
        '(it resolved a different @tensorflow/tfjs-core copy than @tensorflow/tfjs)',
    );
  }
  await activate('tensorflow');
  return tfjsNodeVersion(module);
}

/** Imports tfjs-backend-wasm and registers localbp's wasm kernels; returns the wasm version. */
async function prepareWasm(): Promise<string> {
  wasmImport ??= import('@tensorflow/tfjs-backend-wasm');
  const { version_wasm } = await wasmImport;
  registerWasmTrainingKernels();
  return version_wasm;
}

async function loadWasm(): Promise<BackendVersions> {
  const version = await prepareWasm();
  nativeEngine?.unregisterNativeKernels();
  await activate('wasm');
  return { 'tfjs-backend-wasm': version };
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

async function importNative(): Promise<NativeEngine> {
  nativeImport ??= (import(/* @vite-ignore */ NATIVE_PACKAGE) as Promise<NativeEngine>).catch((error: unknown) => {
    throw isModuleNotFound(error) ? new Error(`${NATIVE_PACKAGE} is not installed`) : error;
  });
  return nativeImport;
}

/** The wasm backend plus @localbp/native's kernels, which supersede the wasm wrappers registered first. */
async function loadNative(): Promise<BackendVersions> {
  if (!isNode()) throw new Error('needs Node.js');
  const engine = await importNative();
  nativeEngine = engine;
  const version = await prepareWasm();
  // Throws the addon's one-line reason ("addon not built (...)") when it is missing.
  engine.registerNativeKernels();
  try {
    await activate('wasm');
  } catch (error) {
    engine.unregisterNativeKernels();
    throw error;
  }
  return { 'tfjs-backend-wasm': version, ...engine.nativeVersions() };
}

async function loadCpu(): Promise<BackendVersions> {
  // Kernels of the wasm backend only; taken off so a later tf.setBackend('wasm') is plain wasm.
  nativeEngine?.unregisterNativeKernels();
  await activate('cpu');
  return { 'tfjs-backend-cpu': tf.version['tfjs-backend-cpu'] };
}

const LOADERS: Record<BackendName, () => Promise<BackendVersions>> = {
  tensorflow: loadTensorflow,
  native: loadNative,
  wasm: loadWasm,
  cpu: loadCpu,
};

function baseVersions(): BackendVersions {
  return { 'tfjs-core': tf.version['tfjs-core'], tfjs: tf.version.tfjs };
}

async function resolveNow(choice: BackendChoice, quiet: boolean): Promise<ResolvedBackend> {
  // Also silences tfjs-backend-cpu's "install tfjs-node" banner.
  tf.enableProdMode();
  const candidates = choice === 'auto' ? AUTO_BACKEND_ORDER : [choice];
  const tried: BackendAttempt[] = [];

  for (const name of candidates) {
    let backendVersions: BackendVersions;
    try {
      backendVersions = await LOADERS[name]();
    } catch (error) {
      const reason = oneLineReason(error);
      tried.push({ name, error: reason });
      if (choice !== 'auto') throw new BackendUnavailableError(name, reason);
      continue;
    }
    tried.push({ name });
    // After the backend, so a router from tfjs-node takes precedence. Loaded only under Node:
    // core stays importable in browsers, where file:// has no meaning.
    if (isNode()) (await import('./file-system-router')).registerFileSystemRouter();

    const skipped = tried.filter((t) => t.error !== undefined);
    const reason =
      choice !== 'auto'
        ? `requested explicitly`
        : skipped.length === 0
          ? `auto: ${name} is the fastest available backend`
          : `auto: ${skipped.map((t) => `${t.name} unavailable (${t.error})`).join('; ')}; using ${name}`;
    if (choice === 'auto' && skipped.length > 0 && !quiet) {
      console.warn(`[localbp] ${reason}`);
    }
    const versions = { ...baseVersions(), ...backendVersions };
    return { name, tfBackend: tf.getBackend(), reason, tried, versions };
  }
  // Unreachable in practice: cpu is bundled with @tensorflow/tfjs.
  throw new BackendUnavailableError('cpu', tried.map((t) => `${t.name}: ${t.error}`).join('; '));
}

// Serialized so that concurrent callers never interleave tf.setBackend calls.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Selects and initializes the TensorFlow.js backend. `auto` tries tensorflow
 * (tfjs-node), then native (wasm + @localbp/native's OpenBLAS kernels), then wasm, then cpu; an explicit choice that cannot load throws
 * BackendUnavailableError. Safe to call repeatedly, e.g. to switch backends.
 */
export function resolveBackend(
  choice: BackendChoice = 'auto',
  opts: ResolveBackendOptions = {},
): Promise<ResolvedBackend> {
  const run = queue.then(() => resolveNow(choice, opts.quiet ?? false));
  queue = run.catch(() => undefined);
  return run;
}

/** The active backend as a BackendName (`native` for wasm with the OpenBLAS kernels), or undefined for others. */
export function currentBackendName(): BackendName | undefined {
  const name = tf.getBackend();
  if (name === 'wasm') return nativeEngine?.nativeKernelsActive() ? 'native' : 'wasm';
  return name === 'tensorflow' || name === 'cpu' ? name : undefined;
}
