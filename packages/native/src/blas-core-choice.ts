import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { cpuSignature, readCpu } from '../scripts/cpu-signature.mjs';

/** What scripts/choose-blas-core.mjs measured when the addon was built. */
interface RecordedChoice {
  cpu?: string;
  ownCore?: string;
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
 * Before OpenBLAS loads: sets OPENBLAS_CORETYPE to the kernel set measured fastest at build time, when the CPU is the
 * one it was measured on and the user has not set the variable. Never throws: without a usable record OpenBLAS
 * chooses, as it always did.
 */
export function applyRecordedBlasCore(addonFile: string, requireFrom: string): BlasCoreChoice {
  const own = process.env.OPENBLAS_CORETYPE;
  if (own !== undefined && own !== '') return { source: 'user', requested: own };
  const record = readRecord(path.join(path.dirname(addonFile), 'blas-core.json'));
  const cpu = readCpu();
  if (!record?.chosen || !cpu || record.cpu !== cpuSignature(cpu)) return { source: 'openblas' };
  if (!setRealEnv('OPENBLAS_CORETYPE', record.chosen, path.join(path.dirname(addonFile), 'localbp_env.node'), requireFrom)) return { source: 'openblas' };
  return { source: 'measured', requested: record.chosen, ...(record.gain ? { gain: record.gain } : {}) };
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

/** The main thread's process.env is the real environment; a worker's is a copy, so it goes through localbp_env. */
function setRealEnv(name: string, value: string, envAddon: string, requireFrom: string): boolean {
  if (isMainThread) {
    process.env[name] = value;
    return true;
  }
  try {
    const addon = createRequire(requireFrom)(envAddon) as { setenv(name: string, value: string): void };
    addon.setenv(name, value);
    process.env[name] = value;
    return true;
  } catch {
    return false;
  }
}
