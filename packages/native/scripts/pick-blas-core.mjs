// The rule that turns measured kernel sets into a choice (choose-blas-core.mjs measures them).
// A set must beat OpenBLAS's own pick by MIN_GAIN to be chosen at all; among those, sets within TIE of the fastest
// count as equally fast and the earliest in the candidate order wins. On a shared VM one set's figure swings by more
// than 1.5x between probes (SkylakeX here: 67 to 133 GFLOP/s; a 25% window still flipped one rebuild in several), and
// different sets round differently in the last bits: a rebuild on the same CPU must not flip between them.
export const MIN_GAIN = 1.1;
export const TIE = 1.5;
export const MAX_ERROR = 1e-5;

export function pickBlasCore(own, candidates) {
  const eligible = candidates.filter((c) => !c.failed && c.error <= MAX_ERROR && c.gflops >= own.gflops * MIN_GAIN);
  if (eligible.length === 0) return null;
  const fastest = Math.max(...eligible.map((c) => c.gflops));
  return eligible.find((c) => c.gflops * TIE >= fastest) ?? null;
}
