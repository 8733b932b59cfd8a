/**
 * What a user may ask for: a concrete backend, or `auto` (best available). `native` is the wasm backend with
 * @localbp/native's OpenBLAS kernels for matrix products and convolutions (tf.getBackend() still says `wasm`).
 */
export type BackendChoice = 'auto' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

/** A concrete backend that resolveBackend can end up on. */
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** What `--backend` accepts: `auto` or a backend name. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'native', 'wasm', 'cpu'];

/** Order `auto` tries, fastest first. */
export const AUTO_BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'native', 'wasm', 'cpu'];

/** Whether a value is one of `BACKEND_CHOICES`. */
export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** Parses user input (CLI flag, config); case and surrounding blanks are ignored. */
export function parseBackendChoice(input: string): BackendChoice {
  const normalized = input.trim().toLowerCase();
  if (isBackendChoice(normalized)) return normalized;
  throw new Error(
    `Unknown backend "${input}". Valid choices: ${BACKEND_CHOICES.join(', ')}.`,
  );
}

/** Whether a backend runs on tfjs's wasm backend (its kernels, its heap): `wasm` itself and `native`. */
export function runsOnWasm(name: BackendName | undefined): boolean {
  return name === 'wasm' || name === 'native';
}
