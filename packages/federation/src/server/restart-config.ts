import { federationConfigSchema, type FederationConfig, type FederationConfigInput } from './server-config';
import { ServerStateError } from './server-state-db';

/** What the run *is*: a restart that asks for another value is a different run, refused. */
export const FIXED_AT_RESTART = ['mode', 'rounds', 'model', 'data', 'seed', 'aggregator', 'assignments', 'localEpochs', 'batchSize', 'clientOptimizerState'] as const;

/** Everything else (waits, timeouts, quorum, rates, limits, bounds) takes the value given at the restart. */
export type ChangeableAtRestart = Exclude<keyof FederationConfig, (typeof FIXED_AT_RESTART)[number]>;

const fixed = new Set<string>(FIXED_AT_RESTART);

/** Key-order-independent JSON, so `{a, b}` and `{b, a}` compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The configuration a restarted server runs with: the stored one, with every changeable option the user gave
 * (`given` lists the keys they set; others keep their stored value) replaced and logged. A fixed option given
 * with another value than the stored one is refused, naming both.
 */
export function mergeRestartConfig(
  stored: FederationConfig,
  requested: FederationConfigInput,
  given: readonly string[],
  log: (message: string) => void,
): FederationConfig {
  // Parse first, so defaults and normalization are the same on both sides of the comparison.
  const wanted = federationConfigSchema.parse({ ...stored, ...requested }) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...stored };
  for (const key of given) {
    if (!(key in wanted) && !(key in stored)) continue;
    const before = (stored as Record<string, unknown>)[key];
    const after = wanted[key];
    if (canonical(before) === canonical(after)) continue;
    if (fixed.has(key)) {
      throw new ServerStateError(
        `${key} cannot change at a restart: the state database holds ${canonical(before)}, the command asks for ${canonical(after)} (use a new --state for a different run)`,
      );
    }
    merged[key] = after;
    log(`restart: ${key} changed from ${canonical(before)} to ${canonical(after)}`);
  }
  return federationConfigSchema.parse(merged);
}
