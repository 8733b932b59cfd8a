/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Folds a safe integer (possibly above 2^32 or negative) into 32 bits without dropping the high part. */
function toUint32(value: number): number {
  const low = value >>> 0;
  const high = Math.floor(value / 0x1_0000_0000) >>> 0;
  return (low ^ mix32(high)) >>> 0;
}

function requireSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${value}`);
}

/**
 * Combines a seed with extra integers (cell index, step, epoch, purpose) into an independent
 * 32-bit seed: the one way every package derives weight-init, noise and shuffling streams.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  requireSafeInteger(seed, 'seed');
  let h = mix32(toUint32(seed));
  for (const part of parts) {
    requireSafeInteger(part, 'seed part');
    h = mix32((h ^ mix32((toUint32(part) + 0x9e3779b9) >>> 0)) >>> 0);
  }
  return h;
}
