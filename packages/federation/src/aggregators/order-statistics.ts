/**
 * The k-th smallest value (0-based) of `a`, found by quickselect in O(n) on average instead of sorting. Reorders
 * `a` so that afterwards a[0..k) ≤ a[k] ≤ a(k..n).
 */
export function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot: sorted or constant columns stay O(n).
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The median of `a` (the mean of the two middle values for an even count); reorders `a`. */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (n % 2) return selectInPlace(a, (n - 1) / 2);
  const upper = selectInPlace(a, n / 2);
  // Everything before n/2 is ≤ upper now: the lower middle value is the largest of them.
  let lower = a[0]!;
  for (let i = 1; i < n / 2; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}
