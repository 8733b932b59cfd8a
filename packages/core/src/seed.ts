/** Mixes integers into a 31-bit seed (splitmix-style) so each cell, step and purpose gets its own stream. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return (h >>> 1) % 2147483647;
}
