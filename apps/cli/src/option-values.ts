import { UsageError } from './cli-errors';

/** An integer ≥ 0 from a flag's text, or a usage error naming the flag. */
export function nonNegativeInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be an integer ≥ 0, got "${value}"`);
  return n;
}
