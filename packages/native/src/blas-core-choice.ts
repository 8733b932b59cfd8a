import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { cpuSignature, readCpu } from '../scripts/cpu-signature.mjs';

/** What scripts/choose-blas-core.mjs measured when the addon was built. */
interface RecordedChoice {
  cpu?: string;
  chosen?: string | null;
  gain?: number;
}

/** How the OpenBLAS kernel set came about: shown with the engine's versions. */
export interface BlasCoreChoice {
  /** Where the kernel choice came from. */
  source: 'user' | 'measured' | 'openblas';
  /** The set requested through OPENBLAS_CORETYPE, when one was. */
  requested?: string;
  /** The measured speed-up over OpenBLAS's own choice, for `measured`. */
  gain?: number;
}

/**
 * Loads the addon with the kernel set measured fastest at build time: sets OPENBLAS_CORETYPE for the load when the CPU
 * is the one it was measured on and the user has not set the variable, and removes it again afterwards (OpenBLAS
 * reads it once, at load; child processes should not inherit it as if the user had set it). Without a usable record
 * OpenBLAS chooses, as it always did.
 */
export function loadWithRecordedBlasCore<T>(addonFile: string, requireFrom: string, load: () => T): { addon: T; choice: BlasCoreChoice } {
  const own = process.env.OPENBLAS_CORETYPE;
  if (own !== undefined && own !== '') return { addon: load(), choice: { source: 'user', requested: own } };
  const record = readRecord(path.join(path.dirname(addonFile), 'blas-core.json'));
  const cpu = readCpu();
  const env = record?.chosen && cpu && record.cpu === cpuSignature(cpu) ? realEnv(path.join(path.dirname(addonFile), 'localbp_env.node'), requireFrom) : undefined;
  if (!record?.chosen || !env) return { addon: load(), choice: { source: 'openblas' } };
  env.set('OPENBLAS_CORETYPE', record.chosen);
  try {
    return { addon: load(), choice: { source: 'measured', requested: record.chosen, ...(record.gain ? { gain: record.gain } : {}) } };
  } finally {
    env.unset('OPENBLAS_CORETYPE');
  }
}

function readRecord(file: string): RecordedChoice | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { cpu, chosen, gain } = parsed as Record<string, unknown>;
    // Only a plain kernel-set name reaches the environment.
    if (typeof cpu !== 'string' || typeof chosen !== 'string' || !/^[A-Za-z0-9]{2,32}$/.test(chosen)) return undefined;
    return { cpu, chosen, ...(typeof gain === 'number' ? { gain } : {}) };
  } catch {
    return undefined;
  }
}

interface RealEnv {
  set(name: string, value: string): void;
  unset(name: string): void;
}

/** The main thread's process.env is the real environment; a worker's is a copy, so it goes through localbp_env. */
function realEnv(envAddon: string, requireFrom: string): RealEnv | undefined {
  if (isMainThread) {
    return {
      set: (name, value) => void (process.env[name] = value),
      unset: (name) => void delete process.env[name],
    };
  }
  try {
    const addon = createRequire(requireFrom)(envAddon) as { setenv(name: string, value: string): void; unsetenv(name: string): void };
    return { set: (name, value) => addon.setenv(name, value), unset: (name) => addon.unsetenv(name) };
  } catch {
    return undefined;
  }
}
